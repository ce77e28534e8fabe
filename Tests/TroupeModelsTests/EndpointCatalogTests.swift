import Foundation
import Testing
import TroupeCore
@testable import TroupeModels

@Suite("Endpoint catalog")
struct EndpointCatalogTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "troupe-catalog-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func openAIComesFromTheEnvironment() throws {
        let catalog = EndpointCatalog(endpoints: [], environment: ["OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
                                                                   "OPENAI_API_KEY": "sk-x"])
        let model = try #require(try catalog.model(for: "openai:gpt-4o-mini") as? OpenAICompatibleModel)
        #expect(model.id == "openai/gpt-4o-mini")
        #expect(model.endpoint.chatCompletionsURL == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(EndpointCatalog(endpoints: [], environment: [:]).endpoints["openai"]?.baseURL
                == "https://api.openai.com/v1")
    }

    @Test func loadsNamedEndpointsFromProjectAndUserFiles() throws {
        let directory = try temporaryDirectory()
        let user = directory + "/config/troupe"
        try FileManager.default.createDirectory(atPath: user, withIntermediateDirectories: true)
        try #"{"endpoints": {"ollama": {"baseURL": "http://127.0.0.1:11434/v1", "model": "llama3.2"},"#
            .appending(#" "groq": {"baseURL": "https://groq.example/v1", "apiKeyEnv": "GROQ_KEY"}}}"#)
            .write(toFile: user + "/endpoints.json", atomically: true, encoding: .utf8)
        try #"{"endpoints": {"ollama": {"baseURL": "http://127.0.0.1:9999/v1", "model": "qwen", "maxConcurrentRequests": 2,"#
            .appending(#" "headers": {"X-Team": "docs"}, "circuitBreaker": {"failureThreshold": 3}}}}"#)
            .write(toFile: directory + "/troupe.json", atomically: true, encoding: .utf8)

        let catalog = try EndpointCatalog.load(environment: ["XDG_CONFIG_HOME": directory + "/config", "HOME": directory],
                                               workingDirectory: directory)
        #expect(catalog.sources.count == 2)
        let ollama = try #require(catalog.endpoints["ollama"])
        #expect(ollama.baseURL == "http://127.0.0.1:9999/v1")  // the project file wins
        #expect(ollama.maxConcurrentRequests == 2)
        #expect(ollama.circuitBreaker == CircuitBreakerPolicy(failureThreshold: 3, openDuration: 30))
        #expect(catalog.endpoints["groq"]?.apiKeyEnv == "GROQ_KEY")

        let byDefault = try catalog.model(for: "ollama")
        #expect(byDefault.id == "ollama/qwen")
        #expect(byDefault is CircuitBreakingModel)
        #expect(try catalog.model(for: "ollama:llama3.2").id == "ollama/llama3.2")
        #expect(try catalog.model(for: ModelRef.endpoint("groq", model: "llama-3.1-8b"))?.id == "groq/llama-3.1-8b")
        #expect(try catalog.model(for: ModelRef.local()) == nil)
    }

    @Test func explainsUnknownEndpointsAndMissingModels() throws {
        let catalog = EndpointCatalog(endpoints: [Endpoint(name: "lab", baseURL: "http://127.0.0.1:1/v1")],
                                      environment: [:])
        #expect(throws: ModelError.self) { try catalog.model(for: "nowhere:x") }
        do {
            _ = try catalog.model(for: "nowhere:x")
        } catch {
            #expect("\(error)".contains("known: lab, openai"))
        }
        do {
            _ = try catalog.model(for: "lab")
        } catch {
            #expect("\(error)".contains("'lab:MODEL'"))
        }
    }

    @Test func reportsABrokenConfigurationFile() throws {
        let directory = try temporaryDirectory()
        try #"{"endpoints": {"x": {"model": "m"}}}"#.write(toFile: directory + "/troupe.json", atomically: true,
                                                           encoding: .utf8)
        do {
            _ = try EndpointCatalog.load(environment: ["HOME": directory], workingDirectory: directory)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("troupe.json"))
            #expect("\(error)".contains("baseURL"))
        }
    }

    @Test func modelsOfOneEndpointShareItsLimiter() async throws {
        let server = try await FaultServer.start(fallback: { _ in .slowDrip(pieces: ["x"], interval: 0.05) })
        defer { Task { await server.stop() } }
        let catalog = EndpointCatalog(endpoints: [Endpoint(name: "lab", baseURL: server.baseURL,
                                                           maxConcurrentRequests: 1)], environment: [:])
        let a = try catalog.model(for: "lab:a")
        let b = try catalog.model(for: "lab:b")
        let limiterA = try #require(a as? ConcurrencyLimitedModel).limiter
        let limiterB = try #require(b as? ConcurrencyLimitedModel).limiter
        #expect(limiterA === limiterB)
    }

    @Test func chatCompletionsURLKeepsTheQueryLast() {
        #expect(Endpoint(name: "a", baseURL: "http://h/v1/").chatCompletionsURL == "http://h/v1/chat/completions")
        #expect(Endpoint(name: "az", baseURL: "https://x.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21")
            .chatCompletionsURL == "https://x.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21")
    }

    @Test func openAIGetsItsOwnFieldNames() throws {
        let openAI = try #require(EndpointCatalog(endpoints: [], environment: [:]).endpoints["openai"])
        #expect(openAI.resolvedMaxTokensField == "max_completion_tokens")
        #expect(!openAI.resolvedExtendedSampling)
        let local = Endpoint(name: "l", baseURL: "http://127.0.0.1:8080/v1")
        #expect(local.resolvedMaxTokensField == "max_tokens")
        #expect(local.resolvedExtendedSampling)
    }

    @Test func expandsHeaderTemplates() {
        let (value, secrets) = Credentials.expand("Bearer ${TOKEN} for ${MISSING}x", environment: ["TOKEN": "abc123"])
        #expect(value == "Bearer abc123 for x")
        #expect(secrets == ["abc123"])
    }
}
