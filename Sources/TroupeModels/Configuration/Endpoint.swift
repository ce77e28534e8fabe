/// A remote OpenAI-compatible server: where it is, how to authenticate, and the
/// limits to respect. A value, safe to journal and print: it names the environment
/// variable that holds the key, never the key itself.
///
/// ```swift
/// let ollama = Endpoint(name: "ollama", baseURL: "http://127.0.0.1:11434/v1", model: "llama3.2")
/// let model = try OpenAICompatibleModel(endpoint: ollama)
/// ```
///
/// In a configuration file (see ``EndpointCatalog``) the same fields are JSON:
/// `{"baseURL": "…", "apiKeyEnv": "GROQ_API_KEY", "model": "…", "maxConcurrentRequests": 4}`.
public struct Endpoint: Sendable, Hashable, Codable {
    /// The name used in model references, `NAME:model` (`openai`, `ollama`, …).
    public var name: String
    /// The API root, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended.
    public var baseURL: String
    /// The environment variable that holds the API key (sent as `Authorization: Bearer`).
    /// Nil for servers that need no key.
    public var apiKeyEnv: String?
    /// Extra headers. A value may reference environment variables as `${NAME}` (for
    /// Azure's `api-key`, say); expanded values are treated as secrets.
    public var headers: [String: String]
    /// The model used when a reference names only the endpoint.
    public var model: String?
    /// At most this many requests in flight to this endpoint (all models together).
    public var maxConcurrentRequests: Int?
    /// Request budget per minute for this endpoint.
    public var requestsPerMinute: Int?
    /// Token budget (input + output) per minute for this endpoint.
    public var tokensPerMinute: Int?
    /// Seconds for a whole request, streaming included; default 600.
    public var timeout: Double?
    /// Seconds to connect; default 10.
    public var connectTimeout: Double?
    /// Seconds without receiving a byte before giving up; default 120.
    public var idleTimeout: Double?
    /// Ask for token usage at the end of a stream (`stream_options`); default true.
    public var streamUsage: Bool?
    /// Send `top_k`, `min_p` and `repeat_penalty`; default true except for api.openai.com.
    public var extendedSampling: Bool?
    /// Open a circuit for this endpoint after repeated failures; nil for none.
    public var circuitBreaker: CircuitBreakerPolicy?
    /// The request field for the completion budget: `max_tokens`, or
    /// `max_completion_tokens` (OpenAI's newer name, required by its reasoning models).
    /// Default: `max_completion_tokens` for api.openai.com, `max_tokens` elsewhere.
    public var maxTokensField: String?

    /// An endpoint; every limit left nil means "none" and every option its default.
    public init(name: String, baseURL: String, apiKeyEnv: String? = nil, headers: [String: String] = [:],
                model: String? = nil, maxConcurrentRequests: Int? = nil, requestsPerMinute: Int? = nil,
                tokensPerMinute: Int? = nil, timeout: Double? = nil, connectTimeout: Double? = nil,
                idleTimeout: Double? = nil, streamUsage: Bool? = nil, extendedSampling: Bool? = nil,
                circuitBreaker: CircuitBreakerPolicy? = nil, maxTokensField: String? = nil) {
        self.name = name
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.headers = headers
        self.model = model
        self.maxConcurrentRequests = maxConcurrentRequests
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.streamUsage = streamUsage
        self.extendedSampling = extendedSampling
        self.circuitBreaker = circuitBreaker
        self.maxTokensField = maxTokensField
    }

    /// OpenAI itself, or whatever `OPENAI_BASE_URL` points to, with the key from
    /// `OPENAI_API_KEY`, as the official SDKs read them.
    public static func openAI(environment: [String: String]) -> Endpoint {
        let base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultOpenAIBaseURL
        return Endpoint(name: "openai", baseURL: base, apiKeyEnv: "OPENAI_API_KEY")
    }

    /// The public OpenAI API root.
    public static let defaultOpenAIBaseURL = "https://api.openai.com/v1"

    /// The URL requests are posted to. A query in the base URL (Azure's `?api-version=…`)
    /// stays at the end.
    public var chatCompletionsURL: String {
        var base = baseURL
        var query = ""
        if let mark = base.firstIndex(of: "?") {
            query = String(base[mark...])
            base = String(base[..<mark])
        }
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions" + query
    }

    var resolvedExtendedSampling: Bool {
        extendedSampling ?? !baseURL.contains("api.openai.com")
    }

    var resolvedMaxTokensField: String {
        maxTokensField ?? (baseURL.contains("api.openai.com") ? "max_completion_tokens" : "max_tokens")
    }

    // Every field but `name` and `baseURL` may be left out of a configuration file.
    private enum CodingKeys: String, CodingKey {
        case name, baseURL, apiKeyEnv, headers, model, maxConcurrentRequests, requestsPerMinute,
             tokensPerMinute, timeout, connectTimeout, idleTimeout, streamUsage, extendedSampling, circuitBreaker,
             maxTokensField
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        baseURL = try container.decode(String.self, forKey: .baseURL)
        apiKeyEnv = try container.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        model = try container.decodeIfPresent(String.self, forKey: .model)
        maxConcurrentRequests = try container.decodeIfPresent(Int.self, forKey: .maxConcurrentRequests)
        requestsPerMinute = try container.decodeIfPresent(Int.self, forKey: .requestsPerMinute)
        tokensPerMinute = try container.decodeIfPresent(Int.self, forKey: .tokensPerMinute)
        timeout = try container.decodeIfPresent(Double.self, forKey: .timeout)
        connectTimeout = try container.decodeIfPresent(Double.self, forKey: .connectTimeout)
        idleTimeout = try container.decodeIfPresent(Double.self, forKey: .idleTimeout)
        streamUsage = try container.decodeIfPresent(Bool.self, forKey: .streamUsage)
        extendedSampling = try container.decodeIfPresent(Bool.self, forKey: .extendedSampling)
        circuitBreaker = try container.decodeIfPresent(CircuitBreakerPolicy.self, forKey: .circuitBreaker)
        maxTokensField = try container.decodeIfPresent(String.self, forKey: .maxTokensField)
    }
}
