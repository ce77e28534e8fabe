import Foundation
import Synchronization
import TroupeCore
@testable import TroupeModels

/// A clock whose sleeps return at once and advance virtual time: backoffs, cooldowns
/// and rate-limit waits are recorded instead of waited.
final class RecordingClock: PolicyClock {
    private let state = Mutex<(now: Double, sleeps: [Double])>((0, []))

    func now() -> Double { state.withLock { $0.now } }

    func sleep(for seconds: Double) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.sleeps.append(seconds)
            $0.now += seconds
        }
        await Task.yield()
    }

    /// Timeouts never fire on virtual time: they wait (cancellably) for real.
    func timer(for seconds: Double) async throws {
        try await Task.sleep(for: .seconds(3600))
    }

    func advance(by seconds: Double) { state.withLock { $0.now += seconds } }

    var sleeps: [Double] { state.withLock { $0.sleeps } }
}

/// A model that plays a list of outcomes, one per call, then answers "ok".
final class FlakyModel: ChatModel {
    enum Outcome: Sendable {
        case answer(String)
        case fail(any Error)
        /// Streams `text` as one delta, then fails with the error.
        case partialThenFail(String, any Error)
        /// Waits (cancellably) for `seconds`, then answers.
        case slow(Double, String)
    }

    let id: ModelID
    private let script: Mutex<[Outcome]>
    private let counters = Mutex<(calls: Int, inFlight: Int, maxInFlight: Int)>((0, 0, 0))

    init(_ id: ModelID = "test/scripted", _ script: [Outcome] = []) {
        self.id = id
        self.script = Mutex(script)
    }

    var calls: Int { counters.withLock { $0.calls } }
    var maxInFlight: Int { counters.withLock { $0.maxInFlight } }

    private func next() -> Outcome {
        counters.withLock {
            $0.calls += 1
            $0.inFlight += 1
            $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
        }
        return script.withLock { $0.isEmpty ? .answer("ok") : $0.removeFirst() }
    }

    private func done() { counters.withLock { $0.inFlight -= 1 } }

    func respond(to request: ChatRequest) async throws -> ChatResponse {
        let outcome = next()
        defer { done() }
        switch outcome {
        case .answer(let text): return ChatResponse(text: text, usage: .init(inputTokens: 10, outputTokens: 2))
        case .fail(let error), .partialThenFail(_, let error): throw error
        case .slow(let seconds, let text):
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return ChatResponse(text: text)
        }
    }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let outcome = next()
        return AsyncThrowingStream { continuation in
            defer { done() }
            switch outcome {
            case .answer(let text), .slow(_, let text):
                continuation.yield(ChatDelta(text: text, finishReason: .stop))
                continuation.finish()
            case .fail(let error):
                continuation.finish(throwing: error)
            case .partialThenFail(let text, let error):
                continuation.yield(ChatDelta(text: text))
                continuation.finish(throwing: error)
            }
        }
    }
}

/// Collects the spans policies report.
final class SpanCollector: PolicySpanObserver {
    private let spans = Mutex<[PolicySpan]>([])
    func record(_ span: PolicySpan) { spans.withLock { $0.append(span) } }
    var all: [PolicySpan] { spans.withLock { $0 } }
}

extension ModelError {
    static let transient = ModelError.serverError(endpoint: "e", url: "u", status: 503, retryAfter: nil, serverMessage: nil)
    static let permanent = ModelError.unauthorized(endpoint: "e", url: "u", status: 401, keyVariable: "K",
                                                   keyIsSet: true, serverMessage: nil)
}
