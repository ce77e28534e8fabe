import Foundation
import Testing
import TroupeCore
@testable import TroupeModels

/// API keys never appear in errors, descriptions, mirrors or spans.
@Suite("Secrets")
struct SecretTests {
    let key = OpenAICompatibleModelTests.key
    let request = ChatRequest(messages: [.user("Hello")])

    func assertNoKey(_ text: String, _ comment: Comment? = nil) {
        #expect(!text.contains(key), comment)
        #expect(!text.contains("SECRET-4242"), comment)
    }

    @Test func keyNeverAppearsInErrors() async throws {
        let server = try await FaultServer.start(script: [
            .status(401, message: "Incorrect API key provided: \(key)"),
            .status(500, message: "boom for \(key)"),
            .status(400, message: "bad request with Bearer \(key)"),
            .malformedJSON, .wrongContentType, .truncatedStream(events: 1),
        ])
        defer { Task { await server.stop() } }
        let model = try OpenAICompatibleModel(
            endpoint: Endpoint(name: "fault", baseURL: server.baseURL, apiKeyEnv: "FAULT_KEY",
                               headers: ["X-Api-Key": "${FAULT_KEY}"], model: "m"),
            environment: ["FAULT_KEY": key])
        let spans = SpanCollector()
        var errors: [any Error] = []
        await PolicyTrace.$observer.withValue(spans) {
            for index in 0..<6 {
                do {
                    if index == 5 {
                        for try await _ in model.retrying(.never).stream(request) {}
                    } else {
                        _ = try await model.retrying(.never).respond(to: request)
                    }
                } catch {
                    errors.append(error)
                }
            }
        }
        #expect(errors.count == 6)
        for error in errors {
            assertNoKey(String(describing: error))
            assertNoKey(String(reflecting: error))
            assertNoKey(error.localizedDescription)
        }
        #expect(String(describing: errors[0]).contains("[REDACTED]"), "the server's echo of the key is scrubbed")
        for span in spans.all { assertNoKey("\(span)") }
        // The key did reach the server, in both configured places.
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(key)")
        #expect(server.requests.first?.headers["x-api-key"] == key)
    }

    @Test func keyNeverAppearsWhenTheModelIsPrinted() throws {
        let model = try OpenAICompatibleModel(endpoint: Endpoint(name: "e", baseURL: "http://127.0.0.1:9/v1",
                                                                 apiKeyEnv: "K", model: "m"),
                                              environment: ["K": key])
        var dumped = ""
        dump(model, to: &dumped)
        assertNoKey(dumped)
        assertNoKey(String(describing: model))
        assertNoKey(String(reflecting: model))
        let encoded = try JSONEncoder().encode(model.endpoint)
        assertNoKey(String(decoding: encoded, as: UTF8.self))
    }
}
