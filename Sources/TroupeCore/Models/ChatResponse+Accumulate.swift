extension ChatResponse {
    /// Folds streamed deltas into a complete response: text concatenated, tool-call
    /// fragments joined by index, the last finish reason and usage kept.
    public init(accumulating deltas: [ChatDelta], latency: Double = 0, model: ModelID? = nil) {
        var accumulator = ChatDeltaAccumulator()
        for delta in deltas { accumulator.add(delta) }
        self = accumulator.response(latency: latency, model: model)
    }
}

extension ChatDelta {
    /// The whole of `response` as one delta (its text left out when `withText` is
    /// false): what a model that cannot stream, or a stream's last piece, yields.
    public init(whole response: ChatResponse, withText: Bool = true) {
        self.init(
            text: withText ? response.text : "",
            toolCalls: response.toolCalls.enumerated().map {
                ToolCallDelta(index: $0.offset, id: $0.element.id, name: $0.element.name,
                              argumentsFragment: $0.element.arguments)
            },
            finishReason: response.finishReason, usage: response.usage)
    }
}

/// Builds a ``ChatResponse`` from a stream of ``ChatDelta`` as they arrive.
public struct ChatDeltaAccumulator: Sendable {
    private var text = ""
    private var calls: [Int: ToolCall] = [:]
    private var finishReason: FinishReason?
    private var usage: TokenUsage?

    public init() {}

    public mutating func add(_ delta: ChatDelta) {
        text += delta.text
        for fragment in delta.toolCalls {
            var call = calls[fragment.index] ?? ToolCall(id: "", name: "", arguments: "")
            if let id = fragment.id, !id.isEmpty { call.id = id }
            if let name = fragment.name, !name.isEmpty { call.name += name }
            call.arguments += fragment.argumentsFragment
            calls[fragment.index] = call
        }
        if let reason = delta.finishReason { finishReason = reason }
        if let usage = delta.usage { self.usage = usage }
    }

    /// The text received so far.
    public var partialText: String { text }

    public func response(latency: Double = 0, model: ModelID? = nil) -> ChatResponse {
        let toolCalls = calls.keys.sorted().compactMap { calls[$0] }
        return ChatResponse(
            text: text, toolCalls: toolCalls,
            finishReason: finishReason ?? (toolCalls.isEmpty ? .stop : .toolCalls),
            usage: usage ?? TokenUsage(), latency: latency, model: model)
    }
}
