import Foundation
import Testing
import TroupeCore
@testable import TroupeModels

@Suite("Policies")
struct PolicyTests {
    let request = ChatRequest(messages: [.user("Hi")])

    // MARK: Retry

    @Test func retriesTransientErrorsWithFullJitterBackoff() async throws {
        let base = FlakyModel("t/a", [.fail(ModelError.transient), .fail(ModelError.transient), .answer("yes")])
        let clock = RecordingClock()
        let policy = RetryPolicy(maxAttempts: 3, initialBackoff: 1, maxBackoff: 1.5, multiplier: 2, random: { 0.5 })
        let response = try await base.retrying(policy, clock: clock).respond(to: request)
        #expect(response.text == "yes")
        #expect(base.calls == 3)
        #expect(clock.sleeps == [0.5, 0.75])  // ceilings 1 and min(1.5, 2), times the jitter 0.5
    }

    @Test func backoffCeilingGrowsAndCaps() {
        let policy = RetryPolicy(initialBackoff: 0.5, maxBackoff: 3, multiplier: 2)
        #expect((1...5).map(policy.backoffCeiling(beforeRetry:)) == [0.5, 1, 2, 3, 3])
    }

    @Test func honoursRetryAfter() async throws {
        let limited = ModelError.rateLimited(endpoint: "e", url: "u", retryAfter: 7, serverMessage: nil)
        let base = FlakyModel("t/a", [.fail(limited)])
        let clock = RecordingClock()
        _ = try await base.retrying(RetryPolicy(random: { 0.1 }), clock: clock).respond(to: request)
        #expect(clock.sleeps == [7])
    }

    @Test func givesUpWhenRetryAfterIsTooLong() async throws {
        let limited = ModelError.rateLimited(endpoint: "e", url: "u", retryAfter: 600, serverMessage: nil)
        let base = FlakyModel("t/a", [.fail(limited)])
        await #expect(throws: limited) {
            try await base.retrying(RetryPolicy(maxRetryAfter: 60), clock: RecordingClock()).respond(to: request)
        }
        #expect(base.calls == 1)
    }

    @Test func doesNotRetryPermanentErrors() async throws {
        let base = FlakyModel("t/a", [.fail(ModelError.permanent)])
        await #expect(throws: ModelError.permanent) {
            try await base.retrying(.default, clock: RecordingClock()).respond(to: request)
        }
        #expect(base.calls == 1)
    }

    @Test func throwsTheLastErrorWhenAttemptsRunOut() async throws {
        let base = FlakyModel("t/a", Array(repeating: .fail(ModelError.transient), count: 5))
        await #expect(throws: ModelError.transient) {
            try await base.retrying(RetryPolicy(maxAttempts: 4), clock: RecordingClock()).respond(to: request)
        }
        #expect(base.calls == 4)
    }

    @Test func deadlineStopsRetries() async throws {
        let base = FlakyModel("t/a", Array(repeating: .fail(ModelError.transient), count: 10))
        let policy = RetryPolicy(maxAttempts: 10, initialBackoff: 4, maxBackoff: 4, deadline: 10, random: { 1 })
        do {
            _ = try await base.retrying(policy, clock: RecordingClock()).respond(to: request)
            Issue.record("expected a deadline error")
        } catch let error as PolicyError {
            guard case .deadlineExceeded(_, let seconds, let attempts, let last) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(seconds == 10)
            #expect(attempts == 3)  // waits 4 + 4 = 8; a third wait would end past 10
            #expect(last?.contains("503") == true)
        }
    }

    @Test func attemptTimeoutCutsASlowAttempt() async throws {
        // The slow attempt lasts far longer than the bound, which leaves room for a loaded machine.
        let base = FlakyModel("t/a", [.slow(300, "late"), .answer("quick")])
        let started = ContinuousClock.now
        let response = try await base.retrying(RetryPolicy(initialBackoff: 0.01, attemptTimeout: 0.2))
            .respond(to: request)
        #expect(response.text == "quick")
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func reportsAttemptAndBackoffSpans() async throws {
        let base = FlakyModel("t/a", [.fail(ModelError.transient)])
        let spans = SpanCollector()
        try await PolicyTrace.$observer.withValue(spans) {
            _ = try await base.retrying(.default, clock: RecordingClock()).respond(to: request)
        }
        #expect(spans.all.map(\.kind) == [.attempt, .backoff, .attempt])
        #expect(spans.all[0].error?.contains("503") == true)
        #expect(spans.all[2].error == nil)
        #expect(spans.all[1].attributes["troupe.backoff.reason"] == "backoff")
    }

    @Test func streamIsNotRetriedAfterContentReachedTheConsumer() async throws {
        let base = FlakyModel("t/a", [.partialThenFail("Hel", ModelError.transient)])
        var received = ""
        await #expect(throws: ModelError.transient) {
            for try await delta in base.retrying(.default, clock: RecordingClock()).stream(request) {
                received += delta.text
            }
        }
        #expect(received == "Hel")
        #expect(base.calls == 1)
    }

    @Test func streamIsRetriedBeforeContentOrWhenAllowed() async throws {
        let early = FlakyModel("t/a", [.fail(ModelError.transient)])
        var text = ""
        for try await delta in early.retrying(.default, clock: RecordingClock()).stream(request) { text += delta.text }
        #expect(text == "ok")

        let partial = FlakyModel("t/b", [.partialThenFail("Hel", ModelError.transient)])
        text = ""
        let policy = RetryPolicy(retryAfterPartialStream: true)
        for try await delta in partial.retrying(policy, clock: RecordingClock()).stream(request) { text += delta.text }
        #expect(text == "Helok")  // the consumer sees the answer restart
    }

    // MARK: Fallback

    @Test func fallsBackOnRetryableErrors() async throws {
        let primary = FlakyModel("t/primary", [.fail(ModelError.transient)])
        let backup = FlakyModel("t/backup", [.answer("from backup")])
        let spans = SpanCollector()
        let response = try await PolicyTrace.$observer.withValue(spans) {
            try await primary.fallingBack(to: backup).respond(to: request)
        }
        #expect(response.text == "from backup")
        #expect(response.model == "t/backup")
        #expect(spans.all.map(\.kind) == [.fallback])
        #expect(spans.all.first?.attributes["troupe.fallback.to"] == "t/backup")
    }

    @Test func doesNotFallBackOnPermanentErrors() async throws {
        let primary = FlakyModel("t/primary", [.fail(ModelError.permanent)])
        let backup = FlakyModel("t/backup")
        await #expect(throws: ModelError.permanent) { try await primary.fallingBack(to: backup).respond(to: request) }
        #expect(backup.calls == 0)
    }

    @Test func reportsEveryFailureWhenAllModelsFail() async throws {
        let chain = FallbackModel([FlakyModel("t/a", [.fail(ModelError.transient)]),
                                   FlakyModel("t/b", [.fail(PolicyError.attemptTimedOut(model: "t/b", seconds: 1))])])
        do {
            _ = try await chain.respond(to: request)
            Issue.record("expected a failure")
        } catch let PolicyError.allModelsFailed(failures) {
            #expect(failures.map(\.model) == ["t/a", "t/b"])
        }
    }

    @Test func streamFallsBackOnlyBeforeContent() async throws {
        let primary = FlakyModel("t/primary", [.fail(ModelError.transient)])
        let backup = FlakyModel("t/backup", [.answer("B")])
        var text = ""
        for try await delta in primary.fallingBack(to: backup).stream(request) { text += delta.text }
        #expect(text == "B")
    }

    // MARK: Circuit breaker

    @Test func circuitOpensAfterFailuresAndProbesAfterCooldown() async throws {
        let clock = RecordingClock()
        let breaker = CircuitBreaker(name: "ep", policy: .init(failureThreshold: 2, openDuration: 10), clock: clock)
        let base = FlakyModel("t/a", [.fail(ModelError.transient), .fail(ModelError.transient),
                                         .fail(ModelError.transient)])
        let model = base.circuitBreaking(breaker)
        for _ in 0..<2 { await #expect(throws: ModelError.transient) { try await model.respond(to: request) } }
        #expect(await breaker.currentState == .open)
        await #expect(throws: PolicyError.self) { try await model.respond(to: request) }
        #expect(base.calls == 2, "an open circuit fails fast without calling the model")

        clock.advance(by: 10)
        await #expect(throws: ModelError.transient) { try await model.respond(to: request) }  // failed probe
        #expect(await breaker.currentState == .open)
        clock.advance(by: 10)
        #expect(try await model.respond(to: request).text == "ok")  // successful probe
        #expect(await breaker.currentState == .closed(failures: 0))
    }

    @Test func permanentErrorsDoNotOpenTheCircuit() async throws {
        let breaker = CircuitBreaker(name: "ep", policy: .init(failureThreshold: 1), clock: RecordingClock())
        let model = FlakyModel("t/a", [.fail(ModelError.permanent)]).circuitBreaking(breaker)
        await #expect(throws: ModelError.permanent) { try await model.respond(to: request) }
        #expect(await breaker.currentState == .closed(failures: 0))
    }

    @Test func openCircuitTriggersFallback() async throws {
        let breaker = CircuitBreaker(name: "ep", policy: .init(failureThreshold: 1, openDuration: 60),
                                     clock: RecordingClock())
        let primary = FlakyModel("t/a", [.fail(ModelError.transient)]).circuitBreaking(breaker)
        let chain = primary.fallingBack(to: FlakyModel("t/b"))
        #expect(try await chain.respond(to: request).model == "t/b")
        #expect(try await chain.respond(to: request).model == "t/b")  // circuit open: straight to backup
    }

    // MARK: Rate and concurrency limits

    @Test func rateLimiterSpacesRequestsBeyondTheBudget() async throws {
        let clock = RecordingClock()
        let limiter = RateLimiter(RateLimit(requestsPerMinute: 2), clock: clock)
        let model = FlakyModel().rateLimited(limiter, clock: clock)
        for _ in 0..<4 { _ = try await model.respond(to: request) }
        #expect(clock.sleeps == [30, 30])  // the third and fourth wait half a minute each
    }

    @Test func rateLimiterBudgetsTokens() async throws {
        let clock = RecordingClock()
        let limiter = RateLimiter(RateLimit(tokensPerMinute: 600), clock: clock)
        let wait1 = await limiter.reserve(estimatedTokens: 500)
        let wait2 = await limiter.reserve(estimatedTokens: 200)
        #expect(wait1 == 0)
        #expect(abs(wait2 - 10) < 1e-9)  // 100 tokens short at 10 tokens/s
        await limiter.settle(estimatedTokens: 500, actualTokens: 100)  // the first call used less
        #expect(await limiter.reserve(estimatedTokens: 200) == 0)
    }

    @Test func concurrencyLimitBoundsCallsInFlight() async throws {
        let base = FlakyModel("t/a", Array(repeating: .slow(0.05, "x"), count: 8))
        let model = base.concurrencyLimited(ConcurrencyLimiter(limit: 2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await model.respond(to: request) } }
            try await group.waitForAll()
        }
        #expect(base.calls == 8)
        #expect(base.maxInFlight == 2)
    }

    @Test func waitingForASlotIsCancellable() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await limiter.release()
        #expect(await limiter.active == 0)
    }

    // MARK: Policies as values

    @Test func policyListsApplyInOrderFirstInnermost() async throws {
        let flaky = FlakyModel("t/a", [.fail(ModelError.transient), .fail(ModelError.transient)])
        let backup = FlakyModel("t/b", [.answer("backup")])
        let retryThenFallBack = ModelPolicy.apply([.retry(RetryPolicy(maxAttempts: 2)), .fallback([backup])],
                                                  to: flaky, clock: RecordingClock())
        #expect(try await retryThenFallBack.respond(to: request).text == "backup")
        #expect(flaky.calls == 2)
        #expect(retryThenFallBack is FallbackModel)

        let slow = FlakyModel("t/slow", [.slow(300, "late")])
        await #expect(throws: PolicyError.attemptTimedOut(model: "t/slow", seconds: 0.1)) {
            try await ModelPolicy.apply([.timeout(0.1)], to: slow).respond(to: request)
        }
    }
}
