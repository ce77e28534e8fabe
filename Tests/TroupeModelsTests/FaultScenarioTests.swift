import Foundation
import Testing
import TroupeCore
@testable import TroupeModels

/// Every fault the server can play ends, within its deadline, in success through retry
/// or fallback, or in a typed error that says what happened.
@Suite("Fault scenarios")
struct FaultScenarioTests {
    let request = ChatRequest(messages: [.user("Hello")])
    /// Quick backoffs; timeouts far above a healthy attempt even on a loaded machine,
    /// because they are not what these tests are about (the ones that are set their own).
    static let fast = RetryPolicy(maxAttempts: 3, initialBackoff: 0.01, maxBackoff: 0.05, attemptTimeout: 30,
                                  deadline: 60)
    /// What a test may take when a client-side limit cuts a server's hang: well above a
    /// loaded machine's delays, well below ``FaultServer/hangSeconds``.
    static let cutBound = Duration.seconds(60)

    func model(_ server: FaultServer, name: String = "fault", idleTimeout: Double? = nil) throws -> OpenAICompatibleModel {
        try OpenAICompatibleModel(endpoint: Endpoint(name: name, baseURL: server.baseURL, apiKeyEnv: "FAULT_KEY",
                                                     model: "test-model", idleTimeout: idleTimeout),
                                  environment: ["FAULT_KEY": OpenAICompatibleModelTests.key])
    }

    func collect(_ stream: AsyncThrowingStream<ChatDelta, any Error>) async throws -> ChatResponse {
        var accumulator = ChatDeltaAccumulator()
        for try await delta in stream { accumulator.add(delta) }
        return accumulator.response()
    }

    @Test(arguments: [500, 502, 503])
    func serverErrorsAreRetried(status: Int) async throws {
        let server = try await FaultServer.start(script: [.status(status, message: "upstream failed")])
        defer { Task { await server.stop() } }
        let response = try await model(server).retrying(Self.fast).respond(to: request)
        #expect(response.text == "fine")
        #expect(server.requests.count == 2)
    }

    @Test func persistentOutageFallsBackToTheNextEndpoint() async throws {
        let down = try await FaultServer.start(fallback: { _ in .status(503, message: "overloaded") })
        let up = try await FaultServer.start(script: [.ok(text: "from backup")])
        defer { Task { await down.stop(); await up.stop() } }
        let chain = try model(down, name: "down").retrying(Self.fast).fallingBack(to: model(up, name: "up"))
        let response = try await chain.respond(to: request)
        #expect(response.text == "from backup")
        #expect(response.model == "up/test-model")
        #expect(down.requests.count == 3)
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        let server = try await FaultServer.start(script: [.rateLimited(retryAfter: 2)])
        defer { Task { await server.stop() } }
        let clock = RecordingClock()
        let response = try await model(server).retrying(RetryPolicy(random: { 0 }), clock: clock).respond(to: request)
        #expect(response.text == "fine")
        #expect(clock.sleeps == [2])
    }

    @Test func rateLimitErrorCarriesRetryAfter() async throws {
        let server = try await FaultServer.start(script: [.rateLimited(retryAfter: 3)])
        defer { Task { await server.stop() } }
        do {
            _ = try await model(server).respond(to: request)
            Issue.record("expected 429")
        } catch let error as ModelError {
            #expect(error.isRetryable)
            #expect(error.retryAfter == 3)
            #expect(error.description.contains("429"))
        }
    }

    @Test func connectionResetIsRetriedThenFallsBack() async throws {
        let reset = try ResetServer()
        let up = try await FaultServer.start()
        defer { reset.stop(); Task { await up.stop() } }
        let broken = try OpenAICompatibleModel(endpoint: Endpoint(name: "reset", baseURL: reset.baseURL, model: "m"))
        do {
            _ = try await broken.respond(to: request)
            Issue.record("expected a reset")
        } catch let error as ModelError {
            guard case .connectionLost = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.isRetryable)
        }
        let response = try await broken.retrying(Self.fast).fallingBack(to: model(up)).respond(to: request)
        #expect(response.text == "fine")
    }

    @Test func droppedResponseIsRetried() async throws {
        let server = try await FaultServer.start(script: [.dropAfterHeaders])
        defer { Task { await server.stop() } }
        let response = try await model(server).retrying(Self.fast).respond(to: request)
        #expect(response.text == "fine")
        #expect(server.requests.count == 2)
    }

    @Test func hangIsCutByTheAttemptTimeoutAndRetried() async throws {
        let server = try await FaultServer.start(script: [.hang])
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        // Spare attempts: on a loaded machine a healthy attempt may outlast the short timeout too.
        let policy = RetryPolicy(maxAttempts: 5, initialBackoff: 0.01, attemptTimeout: 2, deadline: 60)
        let response = try await model(server).retrying(policy).respond(to: request)
        #expect(response.text == "fine")
        #expect(server.requests.count >= 2)
        #expect(ContinuousClock.now - started < Self.cutBound)
    }

    @Test func hangEndsInATypedTimeoutWithinTheDeadline() async throws {
        let server = try await FaultServer.start(fallback: { _ in .hang })
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        // Without the deadline, 500 attempts of 0.4 s would run far past the bound.
        let policy = RetryPolicy(maxAttempts: 500, initialBackoff: 0.01, attemptTimeout: 0.4, deadline: 1.5)
        do {
            _ = try await model(server).retrying(policy).respond(to: request)
            Issue.record("expected a timeout")
        } catch let error as PolicyError {
            guard case .deadlineExceeded = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.isTimeout)
            #expect(error.description.contains("fault/test-model"))
        }
        #expect(ContinuousClock.now - started < Self.cutBound)
    }

    @Test func idleTimeoutOfTheClientEndsAHang() async throws {
        let server = try await FaultServer.start(script: [.hang])
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        defer { #expect(ContinuousClock.now - started < Self.cutBound) }
        do {
            _ = try await model(server, idleTimeout: 1).respond(to: request)
            Issue.record("expected a timeout")
        } catch let error as ModelError {
            guard case .timedOut = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.isRetryable)
        }
    }

    @Test func truncatedStreamIsATypedErrorOnceContentWasDelivered() async throws {
        let server = try await FaultServer.start(script: [.truncatedStream(events: 3)])
        defer { Task { await server.stop() } }
        var text = ""
        do {
            for try await delta in try model(server).retrying(Self.fast).stream(request) { text += delta.text }
            Issue.record("expected a truncated stream")
        } catch let error as ModelError {
            guard case .truncatedStream(_, _, let events, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(events >= 3)
        }
        #expect(text == "part0 part1 part2 ")
        #expect(server.requests.count == 1, "never retried once content reached the consumer")
    }

    @Test func truncatedStreamIsRetriedWhenAllowedOrBeforeContent() async throws {
        let server = try await FaultServer.start(script: [.truncatedStream(events: 0), .truncatedStream(events: 2)])
        defer { Task { await server.stop() } }
        var policy = Self.fast
        policy.retryAfterPartialStream = true
        let response = try await collect(model(server).retrying(policy).stream(request))
        #expect(response.text == "part0 part1 fine")  // the consumer saw the restart
        #expect(server.requests.count == 3)
    }

    @Test func malformedJSONIsRetriedThenReported() async throws {
        let server = try await FaultServer.start(script: [.malformedJSON])
        defer { Task { await server.stop() } }
        #expect(try await model(server).retrying(Self.fast).respond(to: request).text == "fine")

        server.enqueue([.malformedJSON])
        do {
            _ = try await model(server).respond(to: request)
            Issue.record("expected malformed JSON")
        } catch let error as ModelError {
            guard case .malformedResponse = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("not valid JSON"))
        }
    }

    @Test func wrongContentTypeIsNotRetried() async throws {
        let server = try await FaultServer.start(fallback: { _ in .wrongContentType })
        defer { Task { await server.stop() } }
        for streaming in [false, true] {
            do {
                if streaming {
                    _ = try await collect(model(server).retrying(Self.fast).stream(request))
                } else {
                    _ = try await model(server).retrying(Self.fast).respond(to: request)
                }
                Issue.record("expected a content-type error")
            } catch let error as ModelError {
                guard case .wrongContentType(_, _, let type, _) = error else { Issue.record("unexpected \(error)"); return }
                #expect(type == "text/html")
                #expect(error.description.contains("OpenAI-compatible"))
            }
        }
        #expect(server.requests.count == 2)
    }

    @Test func slowDripCompletes() async throws {
        let pieces = ["one", " two", " three", " four"]
        let server = try await FaultServer.start(script: [.slowDrip(pieces: pieces, interval: 0.15)])
        defer { Task { await server.stop() } }
        let response = try await collect(model(server, idleTimeout: 20).retrying(Self.fast).stream(request))
        #expect(response.text == "one two three four")
        #expect(server.requests.count == 1, "the pauses are not failures")
    }

    @Test func slowDripPastTheAttemptTimeoutIsATypedError() async throws {
        let server = try await FaultServer.start(fallback: { _ in .slowDrip(pieces: ["a", "b", "c", "d"], interval: 0.3) })
        defer { Task { await server.stop() } }
        let policy = RetryPolicy(maxAttempts: 2, initialBackoff: 0.01, attemptTimeout: 0.5)
        await #expect(throws: PolicyError.attemptTimedOut(model: "fault/test-model", seconds: 0.5)) {
            _ = try await collect(model(server).retrying(policy).stream(request))
        }
    }

    @Test func connectionRefusedAsksIfTheServerIsUp() async throws {
        let closed = try ResetServer()
        closed.stop()  // the port is now free: nothing listens there
        let model = try OpenAICompatibleModel(endpoint: Endpoint(name: "gone", baseURL: closed.baseURL, model: "m"))
        do {
            _ = try await model.respond(to: request)
            Issue.record("expected a refused connection")
        } catch let error as ModelError {
            guard case .connectionFailed = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("Is the server up at \(closed.baseURL)"))
        }
    }

    @Test func unauthorizedNamesTheKeyVariable() async throws {
        let server = try await FaultServer.start(script: [.status(401, message: "Invalid API key")])
        defer { Task { await server.stop() } }
        do {
            _ = try await model(server).retrying(Self.fast).respond(to: request)
            Issue.record("expected 401")
        } catch let error as ModelError {
            #expect(!error.isRetryable)
            #expect(error.description.contains("FAULT_KEY"))
        }
        #expect(server.requests.count == 1)
    }

    @Test func notFoundBlamesModelOrBaseURL() async throws {
        let server = try await FaultServer.start(script: [.status(404, message: "model not found")])
        defer { Task { await server.stop() } }
        do {
            _ = try await model(server).respond(to: request)
            Issue.record("expected 404")
        } catch let error as ModelError {
            #expect(error.description.contains("'test-model'"))
            #expect(error.description.contains("base URL"))
        }
    }
}
