import Foundation
import Testing

/// A run killed with SIGKILL at a random moment resumes to the output of an
/// uninterrupted run, and no effect runs twice except the one in flight.
@Suite("kill -9 and resume", .serialized)
struct KillResumeTests {
    static let input = "Describe the moon"

    /// The output of an uninterrupted run.
    static func reference() async throws -> String {
        let result = try await TroupeBinary.withFreshStore()
            .json(["run", "review", "--model", "scripted", "--json", "--input", input])
        return try #require(result["output"] as? String)
    }

    @Test(arguments: 0..<20)
    func killedAtARandomPointResumesToTheSameOutput(trial: Int) async throws {
        var troupe = try TroupeBinary.withFreshStore()
        troupe.environment["TROUPE_SCRIPTED_DELAY_MS"] = "25"
        let runID = "kill-\(trial)"
        let (process, _, _) = try troupe.start(
            ["run", "review", "--model", "scripted", "--input", Self.input, "--run-id", runID])
        // Process start-up plus four model calls of 25 ms each and their streaming.
        try await Task.sleep(for: .microseconds(Int.random(in: 20_000...400_000)))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        troupe.environment["TROUPE_SCRIPTED_DELAY_MS"] = "0"
        var resumed = try await troupe.run(["resume", runID, "--json"])
        if resumed.status != 0, resumed.stderr.contains("no run") {
            // Killed before the run was recorded: nothing to resume, so run it anew.
            resumed = try await troupe.run(["run", "review", "--model", "scripted", "--input", Self.input,
                                      "--run-id", runID, "--json"])
        }
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any]
        #expect(object?["output"] as? String == (try await Self.reference()))

        let shown = try await troupe.json(["runs", "show", runID, "--json"])
        #expect(shown["status"] as? String == "completed")
        let effects = shown["effects"] as? [[String: Any]] ?? []
        #expect(effects.count == 4)
        let executions = effects.compactMap { $0["executions"] as? Int }
        // Only the call in flight at the kill may have run twice.
        #expect(executions.filter { $0 == 2 }.count <= 1)
        #expect(executions.allSatisfy { $0 == 1 || $0 == 2 })
    }

    @Test func aKilledCountLoopResumesWithoutRedoingAnyStep() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        // Long enough that the loop is still running when the kill lands: with the
        // effect log a debug build runs ~15,000 steps/s, and 3,000 steps were over
        // before the first `runs show` returned.
        let target = 30_000
        let (process, _, _) = try troupe.start(["run", "count", "--input", "\(target)", "--run-id", "loop"])
        // Wait until some steps are journaled, then kill mid-loop.
        let deadline = Date().addingTimeInterval(20)
        var steps = 0
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            let shown = try await troupe.run(["runs", "show", "loop", "--json"])
            if shown.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any] {
                steps = (object["effects"] as? [Any])?.count ?? 0
                if steps > 300 { break }
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(steps > 300)

        let resumed = try await troupe.json(["resume", "loop", "--json"])
        #expect(resumed["output"] as? String == "\(target)/\(target)")
        #expect((resumed["served_effects"] as? Int ?? 0) >= steps)
        let shown = try await troupe.json(["runs", "show", "loop", "--json"])
        let executions = (shown["effects"] as? [[String: Any]] ?? []).compactMap { $0["executions"] as? Int }
        #expect(executions.count == target)
        #expect(executions.allSatisfy { $0 == 1 })
    }
}
