import TroupeCore

/// A model whose calls wait for budget in a shared ``RateLimiter`` before they go out.
public struct RateLimitedModel: ChatModel {
    /// The wrapped model.
    public let base: any ChatModel
    /// The budget shared with the endpoint's other models.
    public let limiter: RateLimiter
    private let clock: any PolicyClock

    /// Wraps `base`; waits for budget on `clock` (injectable for tests).
    public init(_ base: any ChatModel, limiter: RateLimiter, clock: any PolicyClock = SystemPolicyClock()) {
        self.base = base
        self.limiter = limiter
        self.clock = clock
    }

    public var id: ModelID { base.id }

    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        let estimate = try await waitForBudget(request)
        let response = try await base.respond(to: request)
        await limiter.settle(estimatedTokens: estimate, actualTokens: response.usage.totalTokens)
        return response
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ChatDelta.self)
        let task = Task { [self] in
            do {
                let estimate = try await waitForBudget(request)
                var used = estimate
                for try await delta in base.stream(request) {
                    if let usage = delta.usage { used = usage.totalTokens }
                    continuation.yield(delta)
                }
                await limiter.settle(estimatedTokens: estimate, actualTokens: used)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func waitForBudget(_ request: ChatRequest) async throws -> Int {
        let estimate = RateLimiter.estimate(request)
        let wait = await limiter.reserve(estimatedTokens: estimate)
        if wait > 0 {
            do {
                try await clock.sleep(for: wait)
            } catch {
                await limiter.refund(estimatedTokens: estimate)
                throw error
            }
        }
        return estimate
    }
}
