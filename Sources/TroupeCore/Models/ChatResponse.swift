/// A model's complete answer: text, tool calls, why it stopped, and what it cost.
public struct ChatResponse: Sendable, Hashable, Codable {
    public var text: String
    public var toolCalls: [ToolCall]
    public var finishReason: FinishReason
    public var usage: TokenUsage
    /// Wall time of the call in seconds, as measured by whoever made it.
    public var latency: Double
    /// The model that actually answered (after fallbacks), e.g. `local/smollm2-135m`.
    public var model: ModelID?

    public init(text: String, toolCalls: [ToolCall] = [], finishReason: FinishReason = .stop,
                usage: TokenUsage = .init(), latency: Double = 0, model: ModelID? = nil) {
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.latency = latency
        self.model = model
    }
}

/// Why generation stopped, in the Chat Completions vocabulary.
public enum FinishReason: String, Sendable, Hashable, Codable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"
    case cancelled
}

/// Tokens read and written by one call (or summed over many).
public struct TokenUsage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        .init(inputTokens: lhs.inputTokens + rhs.inputTokens,
              outputTokens: lhs.outputTokens + rhs.outputTokens)
    }
    public static func += (lhs: inout TokenUsage, rhs: TokenUsage) { lhs = lhs + rhs }
}

/// One piece of a streamed answer. Text arrives in `text`; a tool call may arrive
/// in fragments that share an `index`; the last delta carries `finishReason` and `usage`.
public struct ChatDelta: Sendable, Hashable, Codable {
    public var text: String
    public var toolCalls: [ToolCallDelta]
    public var finishReason: FinishReason?
    public var usage: TokenUsage?

    public init(text: String = "", toolCalls: [ToolCallDelta] = [],
                finishReason: FinishReason? = nil, usage: TokenUsage? = nil) {
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
    }
}

/// A fragment of a streamed tool call; fragments with the same `index` concatenate.
public struct ToolCallDelta: Sendable, Hashable, Codable {
    public var index: Int
    public var id: String?
    public var name: String?
    public var argumentsFragment: String

    public init(index: Int, id: String? = nil, name: String? = nil, argumentsFragment: String = "") {
        self.index = index
        self.id = id
        self.name = name
        self.argumentsFragment = argumentsFragment
    }
}
