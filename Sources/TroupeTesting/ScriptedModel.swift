import Synchronization
import TroupeCore

/// A chat model that answers from a script: replies in order, replies computed
/// from the request, injected errors, and a check that every reply was used.
///
/// ```swift
/// let model = ScriptedModel(replies: [.text("Draft one"), .failure(ScriptedFailure.serverError),
///                                      .text("APPROVED")])
/// … run the workflow …
/// try model.verifyAllRepliesUsed()
/// ```
///
/// Streams text word by word, so streaming consumers see several deltas. Safe to
/// call from many tasks; replies are handed out in call order.
public final class ScriptedModel: ChatModel {
    /// One scripted answer.
    public enum Reply: Sendable {
        case text(String)
        case toolCalls([ToolCall], text: String = "")
        /// Throws this error instead of answering.
        case failure(any Error & Sendable)
        /// Computes the answer from the request.
        case computed(@Sendable (ChatRequest) throws -> String)
    }

    public let id: ModelID
    private let otherwise: (@Sendable (ChatRequest) throws -> Reply)?
    private let delay: Duration
    private struct State {
        var replies: [Reply]
        var next = 0
        var requests: [ChatRequest] = []
    }
    private let state: Mutex<State>

    /// - Parameters:
    ///   - replies: answers handed out in order.
    ///   - otherwise: computes the answer once the scripted replies run out; when
    ///     nil, a call past the script fails with ``ScriptError/exhausted(request:)``.
    ///   - delay: a pause before each answer (and between streamed words), to give
    ///     tests something to interrupt.
    public init(id: ModelID = "scripted/test", replies: [Reply] = [],
                otherwise: (@Sendable (ChatRequest) throws -> String)? = nil, delay: Duration = .zero) {
        self.id = id
        if let otherwise {
            self.otherwise = { @Sendable request in Reply.text(try otherwise(request)) }
        } else {
            self.otherwise = nil
        }
        self.delay = delay
        self.state = Mutex(State(replies: replies))
    }

    /// A model that computes every answer past `replies` from the request, tool
    /// calls included (`answering` must not return `.computed`).
    public init(id: ModelID = "scripted/test", replies: [Reply] = [],
                answering: @escaping @Sendable (ChatRequest) throws -> Reply, delay: Duration = .zero) {
        self.id = id
        self.otherwise = answering
        self.delay = delay
        self.state = Mutex(State(replies: replies))
    }

    /// Every request received, in order.
    public var requests: [ChatRequest] { state.withLock { $0.requests } }

    /// Scripted replies not handed out yet.
    public var remainingReplies: Int { state.withLock { $0.replies.count - $0.next } }

    /// Throws unless every scripted reply was used: a test that scripted more than
    /// the workflow asked for is testing less than it thinks.
    public func verifyAllRepliesUsed() throws {
        let remaining = remainingReplies
        if remaining > 0 { throw ScriptError.unusedReplies(remaining) }
    }

    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        if delay > .zero { try await Task.sleep(for: delay) }
        let scripted: Reply? = state.withLock { state in
            state.requests.append(request)
            guard state.next < state.replies.count else { return nil }
            defer { state.next += 1 }
            return state.replies[state.next]
        }
        let usage = TokenUsage(inputTokens: request.messages.reduce(0) { $0 + Self.words($1.content) })
        var reply = scripted
        if reply == nil, let otherwise { reply = try otherwise(request) }
        switch reply {
        case .text(let text)?:
            return response(text, usage: usage)
        case .toolCalls(let calls, let text)?:
            var response = response(text, usage: usage)
            response.toolCalls = calls
            response.finishReason = .toolCalls
            return response
        case .failure(let error)?:
            throw error
        case .computed(let compute)?:
            return response(try compute(request), usage: usage)
        case nil:
            throw ScriptError.exhausted(request: request.messages.last?.content ?? "")
        }
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await respond(to: request)
                    let words = response.text.split(separator: " ", omittingEmptySubsequences: false)
                    for (index, word) in words.enumerated() {
                        try Task.checkCancellation()
                        continuation.yield(ChatDelta(text: index == 0 ? String(word) : " " + word))
                    }
                    continuation.yield(ChatDelta(whole: response, withText: false))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func response(_ text: String, usage: TokenUsage) -> ChatResponse {
        var usage = usage
        usage.outputTokens = Self.words(text)
        return ChatResponse(text: text, finishReason: .stop, usage: usage, model: id)
    }

    private static func words(_ text: String) -> Int {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count
    }
}

/// Misuse of a script.
public enum ScriptError: Error, CustomStringConvertible, Sendable {
    /// The model was called after its last scripted reply.
    case exhausted(request: String)
    /// Some scripted replies were never used.
    case unusedReplies(Int)

    public var description: String {
        switch self {
        case .exhausted(let request):
            "the scripted model has no reply left for the request ending \"\(request.suffix(80))\"; script one more reply"
        case .unusedReplies(let count):
            "\(count) scripted repl\(count == 1 ? "y was" : "ies were") never used; the workflow made fewer calls than scripted"
        }
    }
}

/// An error to inject into a script, with the retry classification policies read.
public struct ScriptedFailure: ClassifiedError, CustomStringConvertible, Sendable {
    public let message: String
    public let isRetryable: Bool
    public let retryAfter: Double?

    public init(_ message: String, isRetryable: Bool, retryAfter: Double? = nil) {
        self.message = message
        self.isRetryable = isRetryable
        self.retryAfter = retryAfter
    }

    public var description: String { message }

    /// A transient server error (like HTTP 503).
    public static let serverError = ScriptedFailure("scripted server error (503)", isRetryable: true)
    /// A permanent error (like HTTP 401).
    public static let unauthorized = ScriptedFailure("scripted authentication failure (401)", isRetryable: false)
}
