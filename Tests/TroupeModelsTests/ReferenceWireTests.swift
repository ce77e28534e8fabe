import Foundation
import Testing
import TroupeCore
@testable import TroupeModels

/// The client against a real server's recorded requests and answers
/// (shared/reference/openai-wire, beside the repository; skipped when absent).
@Suite("Reference wire samples", .enabled(if: ReferenceSamples.directory != nil))
struct ReferenceWireTests {
    static func sample(_ name: String) throws -> String {
        let url = try #require(ReferenceSamples.directory).appendingPathComponent(name)
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: ["resp-chat", "resp-chat-greedy-nopenalty", "resp-tools-auto", "resp-tools-forced"])
    func completionsDecode(name: String) async throws {
        let body = try Self.sample(name + ".json")
        let expected = try Self.json(body)
        let server = try await FaultServer.start(script: [.raw(contentType: "application/json", body: body)])
        defer { Task { await server.stop() } }
        let model = try OpenAICompatibleModel(baseURL: server.baseURL, model: "smollm2", apiKey: nil)
        let response = try await model.respond(to: ChatRequest(messages: [.user("Hi")]))
        let choice = try #require((expected["choices"] as? [[String: Any]])?.first)
        let message = try #require(choice["message"] as? [String: Any])
        #expect(response.text == (message["content"] as? String ?? ""))
        #expect(response.finishReason.rawValue == choice["finish_reason"] as? String)
        let usage = try #require(expected["usage"] as? [String: Any])
        #expect(response.usage.totalTokens == usage["total_tokens"] as? Int)
        let calls = message["tool_calls"] as? [[String: Any]] ?? []
        #expect(response.toolCalls.map(\.name) == calls.compactMap { ($0["function"] as? [String: Any])?["name"] as? String })
    }

    @Test func recordedStreamDecodes() async throws {
        let body = try Self.sample("resp-stream.sse.txt")
        let server = try await FaultServer.start(script: [.raw(contentType: "text/event-stream; charset=utf-8", body: body)])
        defer { Task { await server.stop() } }
        let model = try OpenAICompatibleModel(baseURL: server.baseURL, model: "smollm2", apiKey: nil)
        var accumulator = ChatDeltaAccumulator()
        for try await delta in model.stream(ChatRequest(messages: [.user("Haiku")])) { accumulator.add(delta) }
        let response = accumulator.response()
        var expected = ""
        for line in body.split(separator: "\n") where line.hasPrefix("data: {") {
            let chunk = try Self.json(String(line.dropFirst(6)))
            let delta = (chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]
            expected += delta?["content"] as? String ?? ""
        }
        #expect(!expected.isEmpty)
        #expect(response.text == expected)
        #expect(response.finishReason == .stop)
    }

    @Test func requestsMatchTheRecordedOnes() throws {
        let encoder = ChatCompletionsEncoder(model: "smollm2", extendedSampling: true, streamUsage: false)
        let weather = ToolSpec(name: "get_weather", description: "Get the current weather for a city", parameters: [
            "type": "object",
            "properties": ["city": ["type": "string"], "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]]],
            "required": ["city"],
        ])
        let cases: [(String, ChatRequest, Bool)] = [
            ("req-chat.json", ChatRequest(messages: [.user("What is the capital of France?")],
                                          sampling: .init(temperature: 0, maxTokens: 48)), false),
            ("req-chat-greedy-nopenalty.json", ChatRequest(messages: [.user("What is the capital of France?")],
                                                           sampling: .init(temperature: 0, repetitionPenalty: 1, maxTokens: 48)), false),
            ("req-stream.json", ChatRequest(messages: [.user("Write a haiku about autumn leaves.")],
                                            sampling: .init(temperature: 0, maxTokens: 32)), true),
            ("req-tools-auto.json", ChatRequest(messages: [.user("What's the weather like in Paris right now?")],
                                                tools: [weather], sampling: .init(temperature: 0, maxTokens: 64)), false),
            ("req-tools-forced.json", ChatRequest(messages: [.user("What's the weather like in Paris right now?")],
                                                  tools: [weather], toolChoice: .tool("get_weather"),
                                                  sampling: .init(temperature: 0, maxTokens: 64)), false),
        ]
        for (name, request, stream) in cases {
            let recorded = try Self.json(Self.sample(name))
            let ours = try #require(try JSONSerialization.jsonObject(with: Data(encoder.encode(request, stream: stream)))
                as? NSDictionary)
            #expect(ours == recorded as NSDictionary, "\(name)")
        }
    }
}

/// Where the recorded samples are: `shared/` sits beside the repository.
enum ReferenceSamples {
    static let directory: URL? = {
        let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = repository.deletingLastPathComponent().appendingPathComponent("shared/reference/openai-wire")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }()
}
