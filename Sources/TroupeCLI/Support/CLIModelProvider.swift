import Foundation
import Synchronization
import Troupe
import TroupeTesting

/// Resolves agents' model references for the CLI: `--model` overrides every agent,
/// `--fallback` models back it up in order, and `default` means the local kernel.
///
/// Specs: `local`, `local:NAME`, `scripted` (the deterministic demo script; delay
/// from `TROUPE_SCRIPTED_DELAY_MS`), `openai:NAME`, `ENDPOINT:NAME` (from the
/// endpoints configuration). Instances are cached, so every agent shares one local
/// model and one connection pool per endpoint. The endpoint catalog is loaded once,
/// on first use, so all models of an endpoint share its concurrency limiter and
/// circuit breaker. In a `--fallback` chain, remote models are retried (see
/// ``fallbackRetry``) before the chain moves on; local and scripted ones are not.
final class CLIModelProvider: ModelProvider {
    let override: String?
    let fallbacks: [String]
    private let cache = Mutex<[String: any ChatModel]>([:])
    private let catalog = Mutex<EndpointCatalog?>(nil)

    init(override: String?, fallbacks: [String]) {
        self.override = override
        self.fallbacks = fallbacks
    }

    /// The options a run keeps so `resume` resolves models the same way.
    var runOptions: [String: String] {
        var options: [String: String] = [:]
        if let override { options["model"] = override }
        if !fallbacks.isEmpty { options["fallback"] = fallbacks.joined(separator: ",") }
        return options
    }

    /// The provider a run was launched with.
    convenience init(options: [String: String]) {
        self.init(override: options["model"],
                  fallbacks: options["fallback"]?.split(separator: ",").map(String.init) ?? [])
    }

    func model(for ref: ModelRef) throws -> any ChatModel {
        if let instance = ref.instance { return instance }
        let spec = override ?? (ref.spec == "default" ? "local" : ref.spec)
        guard !fallbacks.isEmpty else { return try resolve(spec) }
        return FallbackModel(try ([spec] + fallbacks).map { spec in
            let model = try resolve(spec)
            return Self.isRemote(spec) ? model.retrying(Self.fallbackRetry) : model
        })
    }

    /// How a remote model in a fallback chain is retried: ``RetryPolicy/default``, except
    /// that an open circuit moves on to the next model at once rather than waiting it out.
    static let fallbackRetry: RetryPolicy = {
        var policy = RetryPolicy.default
        policy.isRetryable = { error in
            if case PolicyError.circuitOpen = error { return false }
            return RetryPolicy.defaultRetryable(error)
        }
        return policy
    }()

    /// Checks that every model the run may use can be built, before the run starts.
    func preflight() throws {
        _ = try model(for: .default)
    }

    private func resolve(_ spec: String) throws -> any ChatModel {
        if let cached = cache.withLock({ $0[spec] }) { return cached }
        let model = try build(spec)
        return cache.withLock { cache in
            if let existing = cache[spec] { return existing }
            cache[spec] = model
            return model
        }
    }

    private static func isRemote(_ spec: String) -> Bool {
        !["scripted", "local"].contains(ModelRef(spec: spec).provider)
    }

    /// The endpoints configuration, read on first use only: local-only runs never need it.
    private func endpointCatalog() throws -> EndpointCatalog {
        try catalog.withLock { catalog in
            if let catalog { return catalog }
            let loaded = try EndpointCatalog.load()
            catalog = loaded
            return loaded
        }
    }

    private func build(_ spec: String) throws -> any ChatModel {
        let ref = ModelRef(spec: spec)
        switch ref.provider {
        case "scripted":
            let delay = Int(ProcessInfo.processInfo.environment["TROUPE_SCRIPTED_DELAY_MS"] ?? "") ?? 0
            return DemoScript.model(delay: .milliseconds(delay))
        case "local":
            return try LocalModels.model(named: ref.name)
        default:
            do {
                return try endpointCatalog().model(for: spec)
            } catch {
                throw CLIFailure.failed("cannot use model '\(spec)': \(error)")
            }
        }
    }
}
