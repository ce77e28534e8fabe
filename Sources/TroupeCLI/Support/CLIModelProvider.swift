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
/// model and one connection pool per endpoint.
final class CLIModelProvider: ModelProvider {
    let override: String?
    let fallbacks: [String]
    private let cache = Mutex<[String: any ChatModel]>([:])

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
        let primary = try resolve(spec)
        guard !fallbacks.isEmpty else { return primary }
        return FallbackModel([primary] + (try fallbacks.map(resolve)))
    }

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
                return try EndpointCatalog.load().model(for: spec)
            } catch {
                throw CLIFailure.failed("cannot use model '\(spec)': \(error)")
            }
        }
    }
}
