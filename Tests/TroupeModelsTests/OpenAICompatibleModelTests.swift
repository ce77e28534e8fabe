import Foundation
import Testing
import TroupeCore
@testable import TroupeModels

/// The client against a real HTTP server on loopback: happy paths and the wire format.
@Suite("OpenAICompatibleModel")
struct OpenAICompatibleModelTests {
    static let key = "sk-test-SECRET-4242"

    static func model(_ server: FaultServer, idleTimeout: Double? = nil) throws -> OpenAICompatibleModel {
        let endpoint = Endpoint(name: "fault", baseURL: server.baseURL, apiKeyEnv: "FAULT_KEY", model: "test-model",
                                idleTimeout: idleTimeout)
        return try OpenAICompatibleModel(endpoint: endpoint, environment: ["FAULT_KEY": key])
    }

    @Test func respondsWithJSON() async throws {
        let server = try await FaultServer.start(script: [.ok(text: "Paris is the capital.")])
        defer { Task { await server.stop() } }
        let model = try Self.model(server)
        let response = try await model.respond(to: ChatRequest(messages: [.user("Capital of France?")],
                                                               sampling: .init(temperature: 0, maxTokens: 48)))
        #expect(response.text == "Paris is the capital.")
        #expect(response.finishReason == .stop)
        #expect(response.usage == TokenUsage(inputTokens: 5, outputTokens: 3))
        #expect(response.model == "fault/test-model")
        let recorded = try #require(server.requests.first)
        #expect(recorded.headers["authorization"] == "Bearer \(Self.key)")
        let json = try #require(recorded.json)
        #expect(json["model"] as? String == "test-model")
        #expect(json["max_tokens"] as? Int == 48)
        #expect(json["stream"] == nil)
    }

    @Test func streamsTextSplitAcrossWrites() async throws {
        let pieces = ["In", " the", " heart", " of", " autumn", "."]
        let server = try await FaultServer.start(script: [.stream(pieces: pieces, split: 5)])
        defer { Task { await server.stop() } }
        var deltas: [ChatDelta] = []
        for try await delta in try Self.model(server).stream(ChatRequest(messages: [.user("Haiku")])) {
            deltas.append(delta)
        }
        let response = ChatResponse(accumulating: deltas)
        #expect(response.text == pieces.joined())
        #expect(response.finishReason == .stop)
        #expect(response.usage == TokenUsage(inputTokens: 5, outputTokens: pieces.count))
        let json = try #require(server.requests.first?.json)
        #expect(json["stream"] as? Bool == true)
        #expect((json["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
    }

    @Test func streamsToolCallFragments() async throws {
        let server = try await FaultServer.start(script: [
            .streamToolCall(name: "get_weather", fragments: [#"{"ci"#, #"ty": "Pa"#, #"ris"}"#]),
        ])
        defer { Task { await server.stop() } }
        let request = ChatRequest(messages: [.user("Weather in Paris?")],
                                  tools: [ToolSpec(name: "get_weather", description: "Weather for a city")],
                                  toolChoice: .tool("get_weather"))
        var accumulator = ChatDeltaAccumulator()
        for try await delta in try Self.model(server).stream(request) { accumulator.add(delta) }
        let response = accumulator.response()
        #expect(response.toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city": "Paris"}"#)])
        #expect(response.finishReason == .toolCalls)
        let json = try #require(server.requests.first?.json)
        let choice = try #require(json["tool_choice"] as? [String: Any])
        #expect((choice["function"] as? [String: Any])?["name"] as? String == "get_weather")
    }

    @Test func reusesTheConnection() async throws {
        let server = try await FaultServer.start()
        defer { Task { await server.stop() } }
        let model = try Self.model(server)
        for _ in 0..<5 {
            _ = try await model.respond(to: ChatRequest(messages: [.user("Hi")]))
        }
        #expect(server.requests.count == 5)
        #expect(Set(server.requests.map(\.peerPort)).count == 1, "all five requests share one connection")
    }

    @Test func cancellationAbortsAHangingTransfer() async throws {
        let server = try await FaultServer.start(script: [.hang])
        defer { Task { await server.stop() } }
        let model = try Self.model(server)
        let started = ContinuousClock.now
        let task = Task { try await model.respond(to: ChatRequest(messages: [.user("Hi")])) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < FaultScenarioTests.cutBound)
    }

    @Test func droppingAStreamCancelsItsTransfer() async throws {
        // Five minutes of drip: only a cancelled transfer ends it within the bound.
        let server = try await FaultServer.start(script: [.slowDrip(pieces: Array(repeating: "x", count: 6_000),
                                                                    interval: 0.05)])
        defer { Task { await server.stop() } }
        let model = try Self.model(server)
        for try await delta in model.stream(ChatRequest(messages: [.user("Hi")])) where !delta.text.isEmpty {
            #expect(server.bodiesInProgress == 1)
            break  // the consumer goes away after the first piece
        }
        let dropped = ContinuousClock.now
        while server.bodiesInProgress > 0, ContinuousClock.now - dropped < FaultScenarioTests.cutBound {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(server.bodiesInProgress == 0, "the server saw the client hang up")
        #expect(try await model.respond(to: ChatRequest(messages: [.user("again")])).text == "fine")
    }

    @Test func streamAcceptsAServerThatAnswersPlainJSON() async throws {
        let server = try await FaultServer.start(script: [.plainJSON(text: "whole answer")])
        defer { Task { await server.stop() } }
        var deltas: [ChatDelta] = []
        for try await delta in try Self.model(server).stream(ChatRequest(messages: [.user("Hi")])) { deltas.append(delta) }
        #expect(deltas.count == 1)
        #expect(ChatResponse(accumulating: deltas).text == "whole answer")
    }

    @Test func providerResolvesRemoteRefsAndDelegatesTheRest() throws {
        struct Local: ModelProvider {
            func model(for ref: ModelRef) throws -> any ChatModel { FlakyModel("local/smollm2-135m") }
        }
        let provider = RemoteModelProvider(
            catalog: EndpointCatalog(endpoints: [Endpoint(name: "lab", baseURL: "http://127.0.0.1:1/v1")], environment: [:]),
            otherwise: Local())
        #expect(try provider.model(for: .endpoint("lab", model: "m")).id == "lab/m")
        #expect(try provider.model(for: .openAI("gpt-4o-mini")).id == "openai/gpt-4o-mini")
        #expect(try provider.model(for: .local()).id == "local/smollm2-135m")
    }

    @Test func streamEndsAtDoneEvenIfTheBodyDoesNot() async throws {
        let server = try await FaultServer.start(script: [.doneThenHang(pieces: ["all", " here"])])
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        var text = ""
        for try await delta in try Self.model(server).stream(ChatRequest(messages: [.user("Hi")])) { text += delta.text }
        #expect(text == "all here")
        #expect(ContinuousClock.now - started < FaultScenarioTests.cutBound, "not held until the body ends")
    }
}
