import TroupeCore

/// Reads Chat Completions responses, streamed chunks and error bodies with libjansson.
///
/// Lenient where servers differ (content as an array of parts, tool-call arguments as
/// an object, a missing `index` on tool-call deltas, the legacy `function_call`), strict
/// where a difference would lose data (a body that is not JSON, or has no choices).
enum ChatCompletionsDecoder {
    /// What one SSE `data:` payload meant.
    enum ChunkEvent {
        case delta(ChatDelta)
        /// An `{"error": …}` object sent inside the stream.
        case error(String)
    }

    /// Decodes a complete (non-streamed) response body.
    static func response(from body: UnsafeRawBufferPointer, model: ModelID?) throws -> ChatResponse {
        let decoded: Result<ChatResponse, DecodeFailure>
        do {
            decoded = try JanssonNode.parseOrExplain(body) { root -> Result<ChatResponse, DecodeFailure> in
                guard root.isObject else { return .failure(.malformed("the body is not a JSON object")) }
                if let message = errorMessage(in: root) { return .failure(.serverError(message)) }
                guard let choice = root["choices"]?[0] else {
                    return .failure(.malformed("the response has no choices"))
                }
                let message = choice["message"]
                var calls: [ToolCall] = []
                if let toolCalls = message?["tool_calls"], toolCalls.count > 0 {
                    for index in 0..<toolCalls.count {
                        guard let call = toolCalls[index] else { continue }
                        let function = call["function"]
                        calls.append(ToolCall(id: call["id"]?.string ?? "call_\(index)",
                                              name: function?["name"]?.string ?? "",
                                              arguments: arguments(function?["arguments"])))
                    }
                } else if let legacy = message?["function_call"], legacy.isObject {
                    calls.append(ToolCall(id: "call_0", name: legacy["name"]?.string ?? "",
                                          arguments: arguments(legacy["arguments"])))
                }
                let finish = finishReason(choice["finish_reason"]?.string)
                    ?? (calls.isEmpty ? .stop : .toolCalls)
                return .success(ChatResponse(text: text(message?["content"]), toolCalls: calls,
                                             finishReason: finish,
                                             usage: usage(root["usage"]) ?? TokenUsage(),
                                             model: model))
            }
        } catch let failure as JSONParseFailure {
            throw DecodeFailure.malformed("the body is not valid JSON (\(failure.reason))")
        }
        return try decoded.get()
    }

    /// Decodes one streamed `chat.completion.chunk` (the text after `data: `).
    static func chunk(from payload: UnsafeRawBufferPointer) -> ChunkEvent? {
        JanssonNode.parse(payload) { root -> ChunkEvent? in
            guard root.isObject else { return nil }
            if let message = errorMessage(in: root) { return .error(message) }
            var delta = ChatDelta()
            if let choice = root["choices"]?[0] {
                if let body = choice["delta"] {
                    delta.text = text(body["content"])
                    if let calls = body["tool_calls"], calls.count > 0 {
                        for position in 0..<calls.count {
                            guard let call = calls[position] else { continue }
                            let function = call["function"]
                            delta.toolCalls.append(ToolCallDelta(
                                index: call["index"]?.int ?? position,
                                id: call["id"]?.string,
                                name: function?["name"]?.string,
                                argumentsFragment: fragment(function?["arguments"])))
                        }
                    } else if let legacy = body["function_call"], legacy.isObject {
                        delta.toolCalls.append(ToolCallDelta(index: 0, id: nil, name: legacy["name"]?.string,
                                                             argumentsFragment: fragment(legacy["arguments"])))
                    }
                }
                delta.finishReason = finishReason(choice["finish_reason"]?.string)
            }
            delta.usage = usage(root["usage"])
            return .delta(delta)
        } ?? nil
    }

    /// The human-readable message of an error body (`{"error": {"message": …}}` and
    /// its common variants), or nil when the body says nothing useful.
    static func errorMessage(fromBody body: UnsafeRawBufferPointer) -> String? {
        JanssonNode.parse(body) { root in errorMessage(in: root) } ?? nil
    }

    // MARK: - Pieces

    private static func errorMessage(in root: JanssonNode) -> String? {
        guard root.isObject else { return nil }
        if let error = root["error"] {
            if let text = error.string { return text }
            if let text = error["message"]?.string { return text }
            if error.isObject { return error.serialized }
        }
        if root["choices"] == nil {
            if let detail = root["detail"]?.string { return detail }
            if let detail = root["detail"]?.serialized, root["detail"]?.isNull == false { return detail }
        }
        return nil
    }

    private static func text(_ node: JanssonNode?) -> String {
        guard let node else { return "" }
        if let text = node.string { return text }
        guard node.isArray else { return "" }
        var text = ""
        for index in 0..<node.count {
            if let part = node[index], let piece = part["text"]?.string { text += piece }
        }
        return text
    }

    private static func arguments(_ node: JanssonNode?) -> String {
        guard let node, !node.isNull else { return "{}" }
        return node.string ?? node.serialized ?? "{}"
    }

    private static func fragment(_ node: JanssonNode?) -> String {
        guard let node, !node.isNull else { return "" }
        return node.string ?? node.serialized ?? ""
    }

    private static func usage(_ node: JanssonNode?) -> TokenUsage? {
        guard let node, node.isObject else { return nil }
        let input = node["prompt_tokens"]?.int ?? node["input_tokens"]?.int ?? 0
        let output = node["completion_tokens"]?.int ?? node["output_tokens"]?.int ?? 0
        return TokenUsage(inputTokens: input, outputTokens: output)
    }

    static func finishReason(_ raw: String?) -> FinishReason? {
        switch raw {
        case nil: return nil
        case "stop", "eos", "end_turn", "stop_sequence": return .stop
        case "length", "max_tokens": return .length
        case "tool_calls", "function_call", "tool_use": return .toolCalls
        case "content_filter": return .contentFilter
        default: return .stop
        }
    }
}

/// Why a response body could not become a ``ChatResponse``.
enum DecodeFailure: Error {
    case malformed(String)
    case serverError(String)
}
