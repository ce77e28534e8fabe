import Foundation
import Synchronization
import TroupeCore
import TroupeKernel
import TroupeModels

/// Resolves model references the way the `troupe` command does, for programs of
/// your own: `default` and `local` are the local kernel (the model from
/// `$TROUPE_MODELS` or `./models`), `openai:NAME` and `ENDPOINT:NAME` come from the
/// endpoints configuration (`OPENAI_BASE_URL`, `OPENAI_API_KEY`, `troupe.json`).
///
/// ```swift
/// let runner = WorkflowRunner(journal: try SQLiteJournal(path: "traces/troupe.sqlite"),
///                             models: StandardModelProvider())
/// ```
///
/// Models are built once and shared: every agent on the local model uses one set
/// of weights, every model of an endpoint one connection pool.
public final class StandardModelProvider: ModelProvider {
    private let locator: ModelLocator
    private let cache = Mutex<[String: any ChatModel]>([:])
    private let endpoints = Mutex<EndpointCatalog?>(nil)

    public init(locator: ModelLocator = ModelLocator()) {
        self.locator = locator
    }

    public func model(for ref: ModelRef) throws -> any ChatModel {
        if let instance = ref.instance { return instance }
        let spec = ref.spec == "default" ? "local" : ref.spec
        if let cached = cache.withLock({ $0[spec] }) { return cached }
        let built = try build(ModelRef(spec: spec))
        return cache.withLock { cache in
            if let existing = cache[spec] { return existing }
            cache[spec] = built
            return built
        }
    }

    private func build(_ ref: ModelRef) throws -> any ChatModel {
        if ref.provider == "local" {
            let name = ref.name == LocalModelName.smolLM2.rawValue ? nil : ref.name
            return try LocalModel(url: try locator.url(for: name))
        }
        let catalog = try endpoints.withLock { catalog in
            if let catalog { return catalog }
            let loaded = try EndpointCatalog.load()
            catalog = loaded
            return loaded
        }
        return try catalog.model(for: ref.spec)
    }
}
