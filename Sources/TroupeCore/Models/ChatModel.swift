/// Anything that answers chat requests: the local kernel, a remote endpoint, a
/// policy wrapping another model, or a scripted double in tests.
///
/// ```swift
/// let reply = try await model.respond(to: ChatRequest(messages: [.user("Hi")]))
/// for try await delta in model.stream(request) { print(delta.text, terminator: "") }
/// ```
///
/// Conformers must be safe to call from many tasks at once. Cancelling the calling
/// task should stop the work (and the compute) promptly and throw `CancellationError`.
/// Errors should conform to ``ClassifiedError`` so retry and fallback policies can
/// tell a transient failure from a permanent one.
public protocol ChatModel: Sendable {
    /// The model's stable name, recorded in the journal and in traces.
    var id: ModelID { get }

    /// Produces the whole answer.
    func respond(to request: ChatRequest) async throws -> ChatResponse

    /// Produces the answer piece by piece, as it is generated.
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error>
}

// MARK: - Defaults

extension ChatModel {
    /// A model that cannot stream gives its whole answer as one delta.
    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await respond(to: request)
                    continuation.yield(ChatDelta(whole: response))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// An error that says whether trying again (or another model) can help.
///
/// Retry and fallback policies read this instead of matching error text.
public protocol ClassifiedError: Error {
    /// True for transient failures: timeouts, 429, 5xx, dropped connections.
    var isRetryable: Bool { get }
    /// How long the server asked us to wait before trying again, if it said.
    var retryAfter: Double? { get }
}

extension ClassifiedError {
    public var retryAfter: Double? { nil }
}
