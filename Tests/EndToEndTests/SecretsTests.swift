import Foundation
import Testing

/// An API key handed to `troupe` through the environment reaches the server and
/// nothing else: not the store (WAL included), not the cassette, not the output,
/// not the error that tells the user the key was refused.
@Suite("Secrets, end to end")
struct SecretsTests {
    /// Distinctive enough that finding it anywhere can only mean a leak.
    let key = "sk-troupe-e2e-\(UUID().uuidString)"

    @Test func theKeyReachesTheServerAndNothingElse() async throws {
        var troupe = try TroupeBinary.withFreshStore()
        let server = try LoopbackServer(mode: .answer, key: key, folder: troupe.folder)
        defer { server.stop() }
        troupe.environment = environment(baseURL: server.baseURL, folder: troupe.folder)

        let run = try await troupe.run(["run", "review", "--model", "openai:test-model", "--run-id", "s1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("APPROVED"), "the answers came from the loopback server")
        #expect(server.requests.count >= 2)
        #expect(server.requests.allSatisfy { $0 == "authorized 200" }, "every request carried the key: \(server.requests)")

        let export = try await troupe.run(["runs", "export", "s1"])
        #expect(export.status == 0, "\(export.stderr)")
        try export.stdout.write(toFile: troupe.folder + "/s1.jsonl", atomically: true, encoding: .utf8)
        #expect(export.stdout.contains("test-model"), "the cassette records the remote calls")
        let trace = try await troupe.run(["trace", "s1"])

        for (name, text) in [("run stdout", run.stdout), ("run stderr", run.stderr), ("cassette", export.stdout),
                             ("export stderr", export.stderr), ("trace", trace.stdout + trace.stderr)] {
            #expect(!text.contains(key), "the key leaked into the \(name)")
        }
        try await expectNoKeyInFiles(of: troupe)
    }

    @Test func aRefusedKeyIsNamedByItsVariableNeverByItsValue() async throws {
        var troupe = try TroupeBinary.withFreshStore()
        let server = try LoopbackServer(mode: .refuse, key: key, folder: troupe.folder)
        defer { server.stop() }
        troupe.environment = environment(baseURL: server.baseURL, folder: troupe.folder)

        let run = try await troupe.run(["run", "review", "--model", "openai:test-model", "--run-id", "s2"])
        #expect(run.status != 0)
        #expect(server.requests == ["authorized 401"], "the right key was sent and refused, once")
        #expect(run.stderr.contains("OPENAI_API_KEY"), "\(run.stderr)")
        #expect(run.stderr.contains("401"))
        // The server echoes the key in its error body, as some do: it must be scrubbed.
        #expect(!run.stderr.contains(key) && !run.stdout.contains(key))

        let shown = try await troupe.run(["runs", "show", "s2", "--json"])
        #expect(!shown.stdout.contains(key) && !shown.stderr.contains(key))
        try await expectNoKeyInFiles(of: troupe)
    }

    // MARK: - Helpers

    private func environment(baseURL: String, folder: String) -> [String: String] {
        ["OPENAI_BASE_URL": baseURL, "OPENAI_API_KEY": key,
         // No user or project endpoint files: `openai` comes from the two variables above.
         "XDG_CONFIG_HOME": folder, "TROUPE_CONFIG": ""]
    }

    /// Searches every file the run left in its folder: the store, its `-wal` and
    /// `-shm` if present, the exported cassette.
    private func expectNoKeyInFiles(of troupe: TroupeBinary) async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: troupe.folder)
        let storeName = (troupe.store as NSString).lastPathComponent
        #expect(names.contains(storeName))
        var everything = Data()
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: troupe.folder + "/" + name))
            #expect(data.range(of: Data(key.utf8)) == nil, "the key leaked into \(name)")
            if name.hasPrefix(storeName) { everything.append(data) }
        }
        // The search can find what the store holds: the model's name is in it.
        #expect(everything.range(of: Data("test-model".utf8)) != nil)
    }
}
