import TroupeCore

/// A model whose calls go through a ``CircuitBreaker``: while the circuit is open,
/// calls fail at once with ``PolicyError/circuitOpen(breaker:retryIn:)`` (which
/// fallback chains move past) instead of waiting on a failing endpoint.
public struct CircuitBreakingModel: ChatModel {
    /// The wrapped model.
    public let base: any ChatModel
    /// The breaker shared with the endpoint's other models.
    public let breaker: CircuitBreaker

    /// Wraps `base` behind `breaker`.
    public init(_ base: any ChatModel, breaker: CircuitBreaker) {
        self.base = base
        self.breaker = breaker
    }

    public var id: ModelID { base.id }

    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        let probe = try await breaker.admit()
        do {
            let response = try await base.respond(to: request)
            await breaker.record(nil, probe: probe)
            return response
        } catch {
            await breaker.record(error, probe: probe)
            throw error
        }
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ChatDelta.self)
        let task = Task { [base, breaker] in
            let probe: Bool
            do {
                probe = try await breaker.admit()
            } catch {
                continuation.finish(throwing: error)
                return
            }
            do {
                for try await delta in base.stream(request) {
                    continuation.yield(delta)
                }
                // A cancelled consumer ends the loop quietly; that says nothing about the server.
                await breaker.record(Task.isCancelled ? CancellationError() : nil, probe: probe)
                continuation.finish()
            } catch {
                await breaker.record(error, probe: probe)
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
