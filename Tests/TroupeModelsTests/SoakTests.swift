import Foundation
import Synchronization
import Testing
import TroupeCore
@testable import TroupeModels

/// Thousands of requests against the fault server, bounded in count and time: every
/// one ends in an answer or a typed error, none hangs, and retries absorb the faults.
@Suite("Soak")
struct SoakTests {
    @Test(.timeLimit(.minutes(3)))
    func mixedFaultsUnderLoad() async throws {
        let total = 2_000
        let concurrency = 16
        // A deterministic mix: about one request in five meets a fault.
        let server = try await FaultServer.start(fallback: { number in
            switch number % 47 {
            case 3: return .status(500, message: "boom")
            case 7: return .status(503, message: "busy")
            case 11: return .rateLimited(retryAfter: 0)
            case 13: return .dropAfterHeaders
            case 17: return .malformedJSON
            case 19: return .truncatedStream(events: 0)
            case 23: return .status(502, message: "gateway")
            case 29: return .stream(pieces: ["a", "b", "c"], split: 3)
            case 31: return .slowDrip(pieces: ["s", "l", "o", "w"], interval: 0.01)
            case 37: return .stream(pieces: ["x"], split: 1)
            case 41: return .status(504, message: "timeout")
            default: return number == 1_234 ? .hang : .ok(text: "fine")
            }
        })
        defer { Task { await server.stop() } }
        let model = try OpenAICompatibleModel(endpoint: Endpoint(name: "soak", baseURL: server.baseURL, model: "m"))
            // The attempt timeout cuts the one hang; it and the deadline leave room for a loaded machine.
            .retrying(RetryPolicy(maxAttempts: 8, initialBackoff: 0.001, maxBackoff: 0.01, attemptTimeout: 5,
                                  deadline: 60))
        let request = ChatRequest(messages: [.user("Soak")])
        let started = ContinuousClock.now
        let outcomes = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for index in stride(from: worker, to: total, by: concurrency) {
                        do {
                            let text: String
                            if index.isMultiple(of: 2) {
                                text = try await model.respond(to: request).text
                            } else {
                                var accumulator = ChatDeltaAccumulator()
                                for try await delta in model.stream(request) { accumulator.add(delta) }
                                text = accumulator.response().text
                            }
                            outcomes.withLock { $0.ok += text.isEmpty ? 0 : 1 }
                        } catch is ModelError {
                            outcomes.withLock { $0.typed += 1 }
                        } catch is PolicyError {
                            outcomes.withLock { $0.typed += 1 }
                        } catch {
                            outcomes.withLock { $0.other.append("\(error)") }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let result = outcomes.withLock { $0 }
        #expect(result.other.isEmpty, "untyped errors: \(result.other.prefix(3))")
        #expect(result.ok + result.typed == total)
        #expect(result.ok >= total - 5, "retries absorb the faults (\(result.typed) typed errors)")
        #expect(elapsed < .seconds(90))
        #expect(server.requests.count > total)
    }
}

/// Outcome counts shared by the soak's workers.
private final class Tally: Sendable {
    private let counts = Mutex<(ok: Int, typed: Int, other: [String])>((0, 0, []))
    func withLock<T>(_ body: (inout (ok: Int, typed: Int, other: [String])) -> T) -> T {
        counts.withLock { body(&$0) }
    }
}
