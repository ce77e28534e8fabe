import Foundation
import Testing
import TroupeCore
@testable import TroupeModels

/// The wire format without a network: SSE framing, chunk and response decoding,
/// request encoding.
@Suite("Wire format")
struct WireTests {
    static let stream = """
        : ping

        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Crisp"},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" leaves — fall"},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

        data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}

        data: [DONE]


        """

    static func events(_ text: String, split: Int) -> [String] {
        var parser = SSEParser()
        var events: [String] = []
        let bytes = Array(text.utf8)
        var index = 0
        let onEvent: (String?, UnsafeRawBufferPointer) -> Bool = { _, data in
            events.append(String(decoding: data, as: UTF8.self))
            return true
        }
        while index < bytes.count {
            let end = min(index + split, bytes.count)
            _ = bytes[index..<end].withUnsafeBytes { parser.feed($0, onEvent: onEvent) }
            index = end
        }
        parser.finish(onEvent: onEvent)
        return events
    }

    @Test func sseEventsAreTheSameHoweverTheBytesAreSplit() {
        let whole = Self.events(Self.stream, split: .max)
        #expect(whole.count == 6)
        #expect(whole.last == "[DONE]")
        for split in 1...64 {
            #expect(Self.events(Self.stream, split: split) == whole, "split every \(split) bytes")
        }
    }

    @Test func sseHandlesCRLFAndCRAndMultiLineData() {
        let crlf = Self.stream.replacingOccurrences(of: "\n", with: "\r\n")
        let cr = Self.stream.replacingOccurrences(of: "\n", with: "\r")
        let expected = Self.events(Self.stream, split: .max)
        for split in [1, 2, 3, 7, 1000] {
            #expect(Self.events(crlf, split: split) == expected)
            #expect(Self.events(cr, split: split) == expected)
        }
        #expect(Self.events("data: a\ndata:b\n\n: comment\nevent: x\ndata: c", split: 3) == ["a\nb", "c"])
    }

    @Test func chunksDecodeToDeltas() {
        let deltas = Self.events(Self.stream, split: .max).dropLast().compactMap { payload -> ChatDelta? in
            let bytes = Array(payload.utf8)
            guard case .delta(let delta)? = bytes.withUnsafeBytes({ ChatCompletionsDecoder.chunk(from: $0) }) else {
                return nil
            }
            return delta
        }
        let response = ChatResponse(accumulating: deltas)
        #expect(response.text == "Crisp leaves — fall")
        #expect(response.finishReason == .length)
        #expect(response.usage == TokenUsage(inputTokens: 9, outputTokens: 3))
    }

    @Test func toolCallResponseDecodes() throws {
        let body = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"content":null,"role":"assistant","tool_calls":[{"id":"call_7","type":"function","function":{"name":"get_weather","arguments":"{ \"city\": \"Paris\" }"}}],"function_call":{"name":"get_weather","arguments":"{}"}},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":40,"completion_tokens":8,"total_tokens":48}}"#
        let response = try Array(body.utf8).withUnsafeBytes { try ChatCompletionsDecoder.response(from: $0, model: "m/x") }
        #expect(response.toolCalls == [ToolCall(id: "call_7", name: "get_weather", arguments: #"{ "city": "Paris" }"#)])
        #expect(response.text == "")
        #expect(response.finishReason == .toolCalls)
        #expect(response.usage.totalTokens == 48)
    }

    @Test func errorBodiesYieldTheirMessage() {
        for (body, message) in [(#"{"error":{"message":"No such model","type":"invalid"}}"#, "No such model"),
                                (#"{"error":"flat error"}"#, "flat error"),
                                (#"{"detail":"Not Found"}"#, "Not Found")] {
            #expect(Array(body.utf8).withUnsafeBytes { ChatCompletionsDecoder.errorMessage(fromBody: $0) } == message)
        }
    }

    @Test func requestEncodesToolsFormatAndHistory() throws {
        let request = ChatRequest(
            messages: [.system("Be brief."), .user("Weather?", name: "alice smith"),
                       ChatMessage(role: .assistant, content: "",
                                   toolCalls: [ToolCall(id: "c1", name: "get_weather", arguments: #"{"city":"Paris"}"#)]),
                       ChatMessage(role: .tool, content: "18°C", toolCallID: "c1")],
            tools: [ToolSpec(name: "get_weather", description: "Weather", parameters: ["type": "object", "required": ["city"]])],
            toolChoice: .required,
            responseFormat: .jsonSchema(name: "answer", schema: ["type": "object"]),
            sampling: Sampling(temperature: 0.7, topP: 0.9, topK: 40, maxTokens: 64, seed: 7, stop: ["\n\n"]))
        let encoder = ChatCompletionsEncoder(model: "gpt-x", extendedSampling: false, streamUsage: true)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(encoder.encode(request, stream: false)))
            as? [String: Any])
        #expect(json["model"] as? String == "gpt-x")
        #expect(json["tool_choice"] as? String == "required")
        #expect(json["temperature"] as? Double == 0.7)
        #expect(json["seed"] as? Int == 7)
        #expect(json["top_k"] == nil, "extensions are off for OpenAI")
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages[1]["name"] as? String == "alice_smith")
        #expect(messages[2]["content"] is NSNull)
        #expect(((messages[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any])?["arguments"]
                as? String == #"{"city":"Paris"}"#)
        #expect(messages[3]["tool_call_id"] as? String == "c1")
        let format = try #require(json["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        #expect((format["json_schema"] as? [String: Any])?["name"] as? String == "answer")

        let extended = ChatCompletionsEncoder(model: "m", extendedSampling: true, streamUsage: false)
        let local = try #require(try JSONSerialization.jsonObject(with: Data(extended.encode(request, stream: true)))
            as? [String: Any])
        #expect(local["top_k"] as? Int == 40)
        #expect(local["stream"] as? Bool == true)
        #expect(local["stream_options"] == nil)
    }

    @Test func jsonWriterEscapesControlCharacters() throws {
        var writer = JSONWriter()
        writer.value(["text": "quote \" backslash \\ newline \n tab \t bell \u{07} é"])
        let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: String]
        #expect(parsed?["text"] == "quote \" backslash \\ newline \n tab \t bell \u{07} é")
    }

    @Test func retryAfterReadsSecondsMillisecondsAndDates() {
        #expect(RequestContext.retryAfter(["retry-after": "12"]) == 12)
        #expect(RequestContext.retryAfter(["retry-after-ms": "1500", "retry-after": "9"]) == 1.5)
        let inTenSeconds = Date().addingTimeInterval(10)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let seconds = RequestContext.retryAfter(["retry-after": formatter.string(from: inTenSeconds)])
        #expect(seconds.map { $0 > 8 && $0 <= 10 } == true)
        #expect(RequestContext.retryAfter([:]) == nil)
    }
}
