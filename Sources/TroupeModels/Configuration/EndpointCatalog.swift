import Foundation
import Synchronization
import TroupeCore

/// The remote endpoints a process knows, by name, and the models they serve: the one
/// entry point that turns `openai:NAME` or `ENDPOINT:NAME` into a ``TroupeCore/ChatModel``.
///
/// ```swift
/// let catalog = try EndpointCatalog.load()
/// let model = try catalog.model(for: "ollama:llama3.2")      // or "openai:gpt-4o-mini"
/// ```
///
/// Where endpoints come from, later sources overriding earlier ones by name:
/// 1. `openai`, built from `OPENAI_BASE_URL` (default `https://api.openai.com/v1`)
///    and `OPENAI_API_KEY`, as the OpenAI SDKs read them;
/// 2. the user's file, `$XDG_CONFIG_HOME/troupe/endpoints.json`
///    (default `~/.config/troupe/endpoints.json`);
/// 3. the project's `troupe.json` in the working directory, or the file named by
///    `TROUPE_CONFIG` instead.
///
/// Both files hold `{"endpoints": {"NAME": {"baseURL": …, "apiKeyEnv": …, …}}}` with
/// the fields of ``Endpoint``. Keys never appear in them: `apiKeyEnv` names the variable.
///
/// Models of one endpoint share that endpoint's concurrency limiter, rate limiter and
/// circuit breaker (when configured), however many times they are resolved.
public struct EndpointCatalog: Sendable {
    /// Endpoints by name.
    public let endpoints: [String: Endpoint]
    /// The files that were read, in order.
    public let sources: [String]
    private let environment: [String: String]
    private let shared: SharedLimits

    /// A catalog of exactly `endpoints` (plus `openai` from the environment unless given).
    public init(endpoints: [Endpoint], environment: [String: String] = ProcessInfo.processInfo.environment) {
        var byName = ["openai": Endpoint.openAI(environment: environment)]
        for endpoint in endpoints { byName[endpoint.name] = endpoint }
        self.init(byName: byName, sources: [], environment: environment)
    }

    private init(byName: [String: Endpoint], sources: [String], environment: [String: String]) {
        self.endpoints = byName
        self.sources = sources
        self.environment = environment
        self.shared = SharedLimits()
    }

    /// Reads the environment and the configuration files (see the type's documentation).
    /// Missing files are fine; a file that exists but cannot be parsed is an error.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> EndpointCatalog {
        var byName = ["openai": Endpoint.openAI(environment: environment)]
        var sources: [String] = []
        for path in configurationPaths(environment: environment, workingDirectory: workingDirectory) {
            guard FileManager.default.fileExists(atPath: path) else { continue }
            for endpoint in try readFile(path) { byName[endpoint.name] = endpoint }
            sources.append(path)
        }
        return EndpointCatalog(byName: byName, sources: sources, environment: environment)
    }

    /// The files ``load(environment:workingDirectory:)`` looks at, in order.
    public static func configurationPaths(environment: [String: String], workingDirectory: String) -> [String] {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let project = environment["TROUPE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? workingDirectory + "/troupe.json"
        return [configHome + "/troupe/endpoints.json", project]
    }

    /// The endpoints a configuration file defines.
    public static func readFile(_ path: String) throws -> [Endpoint] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.configurationFile(path: path, detail: "it cannot be read")
        }
        struct File: Decodable { var endpoints: [String: Endpoint]? }
        do {
            let file = try JSONDecoder().decode(File.self, from: data)
            return (file.endpoints ?? [:]).sorted { $0.key < $1.key }.map { name, endpoint in
                var endpoint = endpoint
                endpoint.name = name
                return endpoint
            }
        } catch let error as DecodingError {
            throw ModelError.configurationFile(path: path, detail: Self.explain(error))
        }
    }

    /// Whether `spec`'s provider (the part before `:`) is an endpoint of this catalog.
    public func canResolve(_ spec: String) -> Bool {
        endpoints[Self.split(spec).endpoint] != nil
    }

    /// The model for `openai:NAME`, `ENDPOINT:NAME`, or `ENDPOINT` (its default model),
    /// wrapped in the endpoint's concurrency limit, rate limit and circuit breaker.
    ///
    /// Throws ``ModelError/invalidConfiguration(endpoint:detail:)`` for an unknown
    /// endpoint or a missing model name.
    public func model(for spec: String) throws -> any ChatModel {
        let (name, modelName) = Self.split(spec)
        guard let endpoint = endpoints[name] else {
            let known = endpoints.keys.sorted().joined(separator: ", ")
            throw ModelError.invalidConfiguration(
                endpoint: name,
                detail: "no endpoint named '\(name)' (known: \(known)). Define it under \"endpoints\" in troupe.json or ~/.config/troupe/endpoints.json.")
        }
        var model: any ChatModel = try OpenAICompatibleModel(endpoint: endpoint, model: modelName,
                                                             environment: environment)
        let limits = shared.limits(for: endpoint)
        if let limiter = limits.concurrency { model = ConcurrencyLimitedModel(model, limiter: limiter) }
        if let limiter = limits.rate { model = RateLimitedModel(model, limiter: limiter) }
        if let breaker = limits.breaker { model = CircuitBreakingModel(model, breaker: breaker) }
        return model
    }

    /// The model for a ``TroupeCore/ModelRef``, or nil when its provider is not a remote
    /// endpoint (`local`, `scripted`, `default`…), which the caller resolves itself.
    public func model(for ref: ModelRef) throws -> (any ChatModel)? {
        if let instance = ref.instance { return instance }
        guard canResolve(ref.spec) else { return nil }
        return try model(for: ref.spec)
    }

    // MARK: - Private

    private static func split(_ spec: String) -> (endpoint: String, model: String?) {
        guard let colon = spec.firstIndex(of: ":") else { return (spec, nil) }
        let model = String(spec[spec.index(after: colon)...])
        return (String(spec[..<colon]), model.isEmpty ? nil : model)
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\" at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? "the top level" : path
    }
}

/// The per-endpoint limiter and breaker instances, created on first use and then
/// shared by every model of the endpoint.
private final class SharedLimits: Sendable {
    struct Limits: Sendable {
        var concurrency: ConcurrencyLimiter?
        var rate: RateLimiter?
        var breaker: CircuitBreaker?
    }

    private let byEndpoint = Mutex<[String: Limits]>([:])

    func limits(for endpoint: Endpoint) -> Limits {
        byEndpoint.withLock { table in
            if let existing = table[endpoint.name] { return existing }
            var limits = Limits()
            if let limit = endpoint.maxConcurrentRequests, limit > 0 {
                limits.concurrency = ConcurrencyLimiter(limit: limit)
            }
            if endpoint.requestsPerMinute != nil || endpoint.tokensPerMinute != nil {
                limits.rate = RateLimiter(RateLimit(requestsPerMinute: endpoint.requestsPerMinute,
                                                    tokensPerMinute: endpoint.tokensPerMinute))
            }
            if let policy = endpoint.circuitBreaker {
                limits.breaker = CircuitBreaker(name: endpoint.name, policy: policy)
            }
            table[endpoint.name] = limits
            return limits
        }
    }
}
