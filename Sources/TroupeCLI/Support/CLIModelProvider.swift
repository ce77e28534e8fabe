import Foundation
import Synchronization
import Troupe
import TroupeTesting

/// Resolves agents' model references for the CLI: `--model` overrides every agent,
/// `--fallback` models back it up in order, and `default` means the local kernel.
///
/// Specs: `local`, `local:NAME`, `scripted` (the deterministic demo script; delay
/// from `TROUPE_SCRIPTED_DELAY_MS`), `openai:NAME`, `ENDPOINT:NAME` (from the
/// endpoints configuration). Local and remote models come from a
/// ``StandardModelProvider``: every agent shares one local model, and all models of
/// an endpoint share its connection pool, concurrency limiter and circuit breaker. In a `--fallback` chain, remote models are retried (see
/// ``fallbackRetry``) before the chain moves on; local and scripted ones are not.
final class CLIModelProvider: ModelProvider {
    let override: String?
    let fallbacks: [String]
    /// Local and remote models, built once and shared.
    private let standard = StandardModelProvider(locator: LocalModels.locator())
    private let scripted = Mutex<ScriptedModel?>(nil)

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
        let ref = ModelRef(spec: spec)
        if ref.provider == "scripted" {
            return scripted.withLock { model in
                if let model { return model }
                let delay = Int(ProcessInfo.processInfo.environment["TROUPE_SCRIPTED_DELAY_MS"] ?? "") ?? 0
                let built = DemoScript.model(delay: .milliseconds(delay))
                model = built
                return built
            }
        }
        do {
            return try standard.model(for: ref)
        } catch {
            let what = ref.provider == "local" ? "the local model" : "model '\(spec)'"
            throw CLIFailure.failed("cannot use \(what): \(error)")
        }
    }

    private static func isRemote(_ spec: String) -> Bool {
        !["scripted", "local"].contains(ModelRef(spec: spec).provider)
    }
}
