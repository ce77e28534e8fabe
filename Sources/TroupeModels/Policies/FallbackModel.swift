import TroupeCore

/// A chain of models tried in order: the next one answers when the previous failed
/// with a retryable error, a timeout or an open circuit.
///
/// ```swift
/// let model = FallbackModel([primary.retrying(.default), backup])
/// ```
///
/// Other errors (a bad key, an unknown model, a refused request) are thrown at once:
/// another model would not fix them. A stream falls back only while nothing has
/// reached the consumer. Each switch is a ``TroupeCore/SpanKind/fallback`` span. When
/// every model failed, ``PolicyError/allModelsFailed(_:)`` lists each one's error.
public struct FallbackModel: ChatModel {
    /// The chain, in order of preference.
    public let models: [any ChatModel]
    /// Which errors move on to the next model.
    public let shouldFallBack: @Sendable (any Error) -> Bool

    /// `models` in order of preference; the first one's id is the chain's id.
    public init(_ models: [any ChatModel],
                shouldFallBack: @escaping @Sendable (any Error) -> Bool = FallbackModel.defaultShouldFallBack) {
        self.models = models
        self.shouldFallBack = shouldFallBack
    }

    /// Retryable errors, timeouts and open circuits.
    public static let defaultShouldFallBack: @Sendable (any Error) -> Bool = { error in
        if error is CancellationError { return false }
        if error.isAnyTimeout { return true }
        if let classified = error as? any ClassifiedError { return classified.isRetryable }
        return false
    }

    public var id: ModelID { models.first?.id ?? ModelID("fallback/empty") }

    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        var failures: [PolicyError.Failure] = []
        for (index, model) in models.enumerated() {
            do {
                var response = try await model.respond(to: request)
                if response.model == nil { response.model = model.id }
                return response
            } catch {
                try handle(error, of: model, at: index, failures: &failures)
            }
        }
        throw PolicyError.allModelsFailed(failures)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ChatDelta.self)
        let task = Task { [self] in
            var failures: [PolicyError.Failure] = []
            for (index, model) in models.enumerated() {
                var delivered = false
                do {
                    for try await delta in model.stream(request) {
                        try Task.checkCancellation()
                        continuation.yield(delta)
                        delivered = true
                    }
                    continuation.finish()
                    return
                } catch {
                    if delivered {
                        continuation.finish(throwing: error)
                        return
                    }
                    do {
                        try handle(error, of: model, at: index, failures: &failures)
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
            }
            continuation.finish(throwing: PolicyError.allModelsFailed(failures))
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Records `error` and returns if the chain should go on; throws if it should stop.
    private func handle(_ error: any Error, of model: any ChatModel, at index: Int,
                        failures: inout [PolicyError.Failure]) throws {
        if error is CancellationError || Task.isCancelled { throw error }
        guard shouldFallBack(error) else { throw error }
        let retryable = (error as? any ClassifiedError)?.isRetryable ?? error.isAnyTimeout
        failures.append(.init(model: model.id, error: PolicyTrace.describe(error), isRetryable: retryable))
        guard index + 1 < models.count else { return }
        let next = models[index + 1].id
        let now = PolicyTrace.wallClock()
        PolicyTrace.record(PolicySpan(
            kind: .fallback, name: "fallback \(model.id) → \(next)", model: model.id, startTime: now, endTime: now,
            error: PolicyTrace.describe(error),
            attributes: ["troupe.fallback.from": .string(model.id.rawValue),
                         "troupe.fallback.to": .string(next.rawValue)]))
    }
}
