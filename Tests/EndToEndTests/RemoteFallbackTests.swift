import Foundation
import Testing

/// `--fallback` with remote models: a remote model is retried before the chain moves
/// on, and the models of one endpoint share its circuit breaker.
@Suite("Remote models in a fallback chain, end to end")
struct RemoteFallbackTests {
    @Test func aRemoteModelIsRetriedBeforeFallingBack() async throws {
        var troupe = try TroupeBinary.withFreshStore()
        let server = try LoopbackServer(mode: .flaky, folder: troupe.folder)
        defer { server.stop() }
        troupe.environment = Self.environment(folder: troupe.folder, openAI: server.baseURL)

        let run = try await troupe.run(["run", "review", "--model", "openai:test-model", "--fallback", "scripted",
                                  "--input", "a haiku"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(server.requests.prefix(2) == ["authorized 503", "authorized 200"])
        // The scripted model would have written "Draft 1 on …": the retry answered instead.
        #expect(run.stdout.contains("writer ▸ APPROVED."), "\(run.stdout)")
        #expect(!run.stdout.contains("Draft"))
    }

    @Test func modelsOfOneEndpointShareItsCircuitBreaker() async throws {
        var troupe = try TroupeBinary.withFreshStore()
        let server = try LoopbackServer(mode: .unavailable, folder: troupe.folder)
        defer { server.stop() }
        troupe.environment = Self.environment(folder: troupe.folder)
        let config = #"{"endpoints": {"lab": {"baseURL": "\#(server.baseURL)", "circuitBreaker": {"failureThreshold": 1, "openDuration": 600}}}}"#
        try config.write(toFile: troupe.folder + "/troupe.json", atomically: true, encoding: .utf8)

        let run = try await troupe.run(["run", "review", "--model", "lab:a", "--fallback", "lab:b", "--fallback", "scripted",
                                  "--input", "a haiku"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("writer ▸ Draft 1 on \"a haiku\"."), "the scripted model answered")
        // lab:a's first failure opened the endpoint's circuit, which lab:b found open:
        // one request in all, where a breaker per model would have let lab:b try too.
        #expect(server.requests == ["authorized 503"])
    }

    /// No user or project endpoint files but those a test writes; `openai` points at
    /// `openAI` when given.
    static func environment(folder: String, openAI: String? = nil) -> [String: String] {
        var environment = ["XDG_CONFIG_HOME": folder, "TROUPE_CONFIG": ""]
        if let openAI {
            environment["OPENAI_BASE_URL"] = openAI
            environment["OPENAI_API_KEY"] = "sk-fallback-test"
        }
        return environment
    }
}
