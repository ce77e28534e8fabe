import TroupeCore

/// A ``TroupeCore/ModelProvider`` that resolves remote references (`openai:NAME`,
/// `ENDPOINT:NAME`) through an ``EndpointCatalog`` and hands every other reference
/// (`local`, `scripted`, `default`…) to `otherwise`.
///
/// ```swift
/// let provider = RemoteModelProvider(catalog: try .load(), otherwise: localProvider)
/// let model = try provider.model(for: .openAI("gpt-4o-mini"))
/// ```
public struct RemoteModelProvider: ModelProvider {
    /// Resolves `openai:…` and `ENDPOINT:…`.
    public let catalog: EndpointCatalog
    /// Resolves everything else (the local kernel, scripted models).
    public let otherwise: any ModelProvider

    public init(catalog: EndpointCatalog, otherwise: any ModelProvider) {
        self.catalog = catalog
        self.otherwise = otherwise
    }

    public func model(for ref: ModelRef) throws -> any ChatModel {
        try catalog.model(for: ref) ?? otherwise.model(for: ref)
    }
}
