/// Everything a model needs for one completion: messages, tools, format, sampling.
///
/// A request is a value and is journaled as-is (canonical JSON), so two requests
/// that are equal produce the same effect fingerprint on replay.
public struct ChatRequest: Sendable, Hashable, Codable {
    public var messages: [ChatMessage]
    public var tools: [ToolSpec]
    public var toolChoice: ToolChoice
    public var responseFormat: ResponseFormat
    public var sampling: Sampling

    public init(messages: [ChatMessage], tools: [ToolSpec] = [], toolChoice: ToolChoice = .auto,
                responseFormat: ResponseFormat = .text, sampling: Sampling = .init()) {
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.sampling = sampling
    }
}

/// A tool as a model sees it: a name, what it does, and a JSON Schema of its arguments.
public struct ToolSpec: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    public var parameters: JSONValue

    public init(name: String, description: String, parameters: JSONValue = ["type": "object"]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// Whether the model may, must, or must not call tools, or must call one by name.
public enum ToolChoice: Sendable, Hashable, Codable {
    case auto, none, required
    case tool(String)
}

/// The shape the answer must take: free text, any JSON object, or JSON valid for a schema.
public enum ResponseFormat: Sendable, Hashable, Codable {
    case text
    case json
    case jsonSchema(name: String, schema: JSONValue)
}

/// How to pick tokens. `nil` fields mean "the model's default".
///
/// `temperature == 0` means greedy decoding. `seed` makes sampling repeatable on
/// models that honour it (the local kernel always does).
public struct Sampling: Sendable, Hashable, Codable {
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var minP: Double?
    public var repetitionPenalty: Double?
    public var maxTokens: Int?
    public var seed: UInt64?
    public var stop: [String]

    public init(temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil,
                minP: Double? = nil, repetitionPenalty: Double? = nil, maxTokens: Int? = nil,
                seed: UInt64? = nil, stop: [String] = []) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.maxTokens = maxTokens
        self.seed = seed
        self.stop = stop
    }

    /// Greedy decoding: always the most likely token.
    public static let greedy = Sampling(temperature: 0)
}
