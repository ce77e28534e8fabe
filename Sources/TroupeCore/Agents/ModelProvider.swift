/// Turns model descriptions into models for a run.
///
/// The CLI's provider knows the local kernel, remote endpoints and the scripted
/// demo model; tests pass their own. A provider may return the same instance for
/// many agents (the local model shares one weight set).
public protocol ModelProvider: Sendable {
    func model(for ref: ModelRef) throws -> any ChatModel
}

/// A provider that maps every reference to one model: for tests and demos.
public struct SingleModelProvider: ModelProvider {
    public let model: any ChatModel
    public init(_ model: any ChatModel) { self.model = model }
    public func model(for ref: ModelRef) throws -> any ChatModel { ref.instance ?? model }
}

/// A provider for strict replay: any attempt to reach a model is a bug, because
/// every model call must be served from the journal.
public struct NoModelProvider: ModelProvider {
    public init() {}
    public func model(for ref: ModelRef) throws -> any ChatModel { UnreachableModel(id: ModelID(ref.spec)) }
}

/// A model that refuses every call; used when replay must not reach any model.
struct UnreachableModel: ChatModel {
    let id: ModelID
    func respond(to request: ChatRequest) async throws -> ChatResponse {
        throw ModelUnavailableError(model: id)
    }
}

/// A model was called where none may be (strict replay).
public struct ModelUnavailableError: Error, CustomStringConvertible {
    public let model: ModelID
    public var description: String {
        "model '\(model)' was called during a replay; replay serves every model call from the journal"
    }
}
