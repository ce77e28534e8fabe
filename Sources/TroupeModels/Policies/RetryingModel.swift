import Synchronization
import TroupeCore

/// A model that retries another under a ``RetryPolicy``.
///
/// Each attempt is reported as an ``TroupeCore/SpanKind/attempt`` span and each wait as a
/// ``TroupeCore/SpanKind/backoff`` span (see ``PolicyTrace``). When the retries run out,
/// the last error is thrown as it is, so callers still see the typed ``ModelError``;
/// when the deadline ends them, ``PolicyError/deadlineExceeded(model:seconds:attempts:lastError:)``.
public struct RetryingModel: ChatModel {
    /// The wrapped model.
    public let base: any ChatModel
    /// When and how to retry.
    public let policy: RetryPolicy
    private let clock: any PolicyClock

    /// Wraps `base`; backoffs and timeouts run on `clock` (injectable for tests).
    public init(_ base: any ChatModel, policy: RetryPolicy, clock: any PolicyClock = SystemPolicyClock()) {
        self.base = base
        self.policy = policy
        self.clock = clock
    }

    public var id: ModelID { base.id }

    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        let base = self.base
        return try await run { _ in
            try await base.respond(to: request)
        }
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ChatDelta.self)
        let base = self.base
        let delivered = DeliveryFlag()
        let task = Task { [self] in
            do {
                _ = try await run { _ -> Bool in
                    for try await delta in base.stream(request) {
                        try Task.checkCancellation()
                        continuation.yield(delta)
                        delivered.mark()
                    }
                    return true
                } mayRetry: {
                    policy.retryAfterPartialStream || !delivered.isSet
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: - The attempt loop

    private func run<T: Sendable>(_ attemptBody: @escaping @Sendable (Int) async throws -> T,
                                  mayRetry: () -> Bool = { true }) async throws -> T {
        let start = clock.now()
        var attempt = 0
        var lastError: (any Error)?
        while true {
            attempt += 1
            let remaining = policy.deadline.map { $0 - (clock.now() - start) }
            if let remaining, remaining <= 0 {
                throw deadlineError(attempts: attempt - 1, lastError: lastError)
            }
            let (timeout, deadlineBound) = attemptLimit(remaining: remaining)
            let spanStart = PolicyTrace.wallClock()
            let number = attempt
            let model = id
            do {
                let value = try await withTimeout(timeout, clock: clock, onTimeout: {
                    deadlineBound ? PolicyError.deadlineExceeded(model: model, seconds: policy.deadline ?? 0,
                                                                 attempts: number, lastError: nil)
                        : PolicyError.attemptTimedOut(model: model, seconds: timeout ?? 0)
                }, operation: { try await attemptBody(number) })
                report(attempt: attempt, start: spanStart, error: nil)
                return value
            } catch {
                report(attempt: attempt, start: spanStart, error: error)
                if error is CancellationError || Task.isCancelled { throw error }
                if case PolicyError.deadlineExceeded = error {
                    throw deadlineError(attempts: attempt, lastError: lastError ?? error)
                }
                guard attempt < policy.maxAttempts, policy.isRetryable(error), mayRetry(),
                      let (wait, reason) = policy.wait(beforeRetry: attempt, after: error) else {
                    throw error
                }
                if let deadline = policy.deadline, clock.now() - start + wait >= deadline {
                    throw deadlineError(attempts: attempt, lastError: error)
                }
                lastError = error
                try await backoff(wait, reason: reason, after: error, attempt: attempt)
            }
        }
    }

    private func attemptLimit(remaining: Double?) -> (seconds: Double?, deadlineBound: Bool) {
        switch (policy.attemptTimeout, remaining) {
        case (nil, nil): return (nil, false)
        case (let attempt?, nil): return (attempt, false)
        case (nil, let remaining?): return (remaining, true)
        case (let attempt?, let remaining?): return attempt <= remaining ? (attempt, false) : (remaining, true)
        }
    }

    private func deadlineError(attempts: Int, lastError: (any Error)?) -> PolicyError {
        .deadlineExceeded(model: id, seconds: policy.deadline ?? 0, attempts: attempts,
                          lastError: lastError.map(PolicyTrace.describe))
    }

    private func backoff(_ seconds: Double, reason: String, after error: any Error, attempt: Int) async throws {
        let start = PolicyTrace.wallClock()
        defer {
            PolicyTrace.record(PolicySpan(
                kind: .backoff, name: "backoff \(Self.format(seconds))", model: id, startTime: start,
                endTime: PolicyTrace.wallClock(), error: PolicyTrace.describe(error),
                attributes: ["troupe.backoff.seconds": .number(seconds), "troupe.backoff.reason": .string(reason),
                             "troupe.attempt": .number(Double(attempt))]))
        }
        try await clock.sleep(for: seconds)
    }

    private func report(attempt: Int, start: Double, error: (any Error)?) {
        PolicyTrace.record(PolicySpan(
            kind: .attempt, name: "attempt \(attempt)/\(policy.maxAttempts) \(id)", model: id, startTime: start,
            endTime: PolicyTrace.wallClock(), error: error.map(PolicyTrace.describe),
            attributes: ["troupe.attempt": .number(Double(attempt)),
                         "gen_ai.request.model": .string(id.rawValue)]))
    }

    private static func format(_ seconds: Double) -> String {
        "\((seconds * 1000).rounded() / 1000) s"
    }
}

/// Whether a stream already handed a delta to its consumer (shared with child tasks).
final class DeliveryFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func mark() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
