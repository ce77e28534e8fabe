import TroupeCore

/// A model whose calls take a slot of a shared ``ConcurrencyLimiter`` for their whole
/// duration (a stream holds its slot until it ends).
public struct ConcurrencyLimitedModel: ChatModel {
    /// The wrapped model.
    public let base: any ChatModel
    /// The slots shared with the endpoint's other models.
    public let limiter: ConcurrencyLimiter

    /// Wraps `base`; each call holds one of `limiter`'s slots.
    public init(_ base: any ChatModel, limiter: ConcurrencyLimiter) {
        self.base = base
        self.limiter = limiter
    }

    public var id: ModelID { base.id }

    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        try await limiter.acquire()
        do {
            let response = try await base.respond(to: request)
            await limiter.release()
            return response
        } catch {
            await limiter.release()
            throw error
        }
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ChatDelta.self)
        let task = Task { [base, limiter] in
            do {
                try await limiter.acquire()
            } catch {
                continuation.finish(throwing: error)
                return
            }
            do {
                for try await delta in base.stream(request) {
                    continuation.yield(delta)
                }
                await limiter.release()
                continuation.finish()
            } catch {
                await limiter.release()
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
