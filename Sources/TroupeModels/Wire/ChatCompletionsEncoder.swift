import TroupeCore

/// Turns a ``ChatRequest`` into the JSON body of `POST /chat/completions`.
///
/// Standard fields only, unless `extendedSampling` is on: then `top_k`, `min_p` and
/// `repeat_penalty` are sent too, which llama.cpp, vLLM, Ollama and LM Studio accept
/// and OpenAI itself rejects.
struct ChatCompletionsEncoder: Sendable {
    var model: String
    var extendedSampling: Bool
    /// Ask for a final usage chunk when streaming (`stream_options.include_usage`).
    var streamUsage: Bool
    /// `max_tokens` or `max_completion_tokens`.
    var maxTokensField = "max_tokens"

    func encode(_ request: ChatRequest, stream: Bool) -> [UInt8] {
        var json = JSONWriter(reservingCapacity: 256 + request.messages.count * 128)
        json.beginObject()
        json.key("model"); json.string(model)
        json.key("messages")
        json.beginArray()
        for message in request.messages { write(message, into: &json) }
        json.endArray()

        if !request.tools.isEmpty {
            json.key("tools")
            json.beginArray()
            for tool in request.tools {
                json.beginObject()
                json.key("type"); json.string("function")
                json.key("function")
                json.beginObject()
                json.key("name"); json.string(tool.name)
                json.key("description"); json.string(tool.description)
                json.key("parameters"); json.value(tool.parameters)
                json.endObject()
                json.endObject()
            }
            json.endArray()
            json.key("tool_choice")
            switch request.toolChoice {
            case .auto: json.string("auto")
            case .none: json.string("none")
            case .required: json.string("required")
            case .tool(let name):
                json.beginObject()
                json.key("type"); json.string("function")
                json.key("function")
                json.beginObject()
                json.key("name"); json.string(name)
                json.endObject()
                json.endObject()
            }
        }

        switch request.responseFormat {
        case .text: break
        case .json:
            json.key("response_format")
            json.beginObject()
            json.key("type"); json.string("json_object")
            json.endObject()
        case .jsonSchema(let name, let schema):
            json.key("response_format")
            json.beginObject()
            json.key("type"); json.string("json_schema")
            json.key("json_schema")
            json.beginObject()
            json.key("name"); json.string(name)
            json.key("schema"); json.value(schema)
            json.key("strict"); json.bool(true)
            json.endObject()
            json.endObject()
        }

        let sampling = request.sampling
        if let temperature = sampling.temperature { json.key("temperature"); json.double(temperature) }
        if let topP = sampling.topP { json.key("top_p"); json.double(topP) }
        if let maxTokens = sampling.maxTokens { json.key(maxTokensField); json.int(maxTokens) }
        if let seed = sampling.seed { json.key("seed"); json.uint(seed) }
        if !sampling.stop.isEmpty {
            json.key("stop")
            json.beginArray()
            for stop in sampling.stop { json.string(stop) }
            json.endArray()
        }
        if extendedSampling {
            if let topK = sampling.topK { json.key("top_k"); json.int(topK) }
            if let minP = sampling.minP { json.key("min_p"); json.double(minP) }
            if let penalty = sampling.repetitionPenalty { json.key("repeat_penalty"); json.double(penalty) }
        }

        if stream {
            json.key("stream"); json.bool(true)
            if streamUsage {
                json.key("stream_options")
                json.beginObject()
                json.key("include_usage"); json.bool(true)
                json.endObject()
            }
        }
        json.endObject()
        return json.bytes
    }

    private func write(_ message: ChatMessage, into json: inout JSONWriter) {
        json.beginObject()
        json.key("role"); json.string(message.role.rawValue)
        json.key("content")
        let calls = message.toolCalls ?? []
        if message.content.isEmpty, !calls.isEmpty {
            json.null()  // an assistant turn that only calls tools has no content
        } else {
            json.string(message.content)
        }
        if let name = message.name, message.role != .tool {
            json.key("name"); json.string(Self.sanitizedName(name))
        }
        if !calls.isEmpty {
            json.key("tool_calls")
            json.beginArray()
            for call in calls {
                json.beginObject()
                json.key("id"); json.string(call.id)
                json.key("type"); json.string("function")
                json.key("function")
                json.beginObject()
                json.key("name"); json.string(call.name)
                json.key("arguments"); json.string(call.arguments)
                json.endObject()
                json.endObject()
            }
            json.endArray()
        }
        if let callID = message.toolCallID {
            json.key("tool_call_id"); json.string(callID)
        }
        json.endObject()
    }

    /// OpenAI accepts `name` matching `^[a-zA-Z0-9_-]{1,64}$`; agent names may hold spaces.
    static func sanitizedName(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars.prefix(64) {
            let ok = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                                         || scalar == "_" || scalar == "-")
            result.unicodeScalars.append(ok ? scalar : "_")
        }
        return result.isEmpty ? "_" : result
    }
}
