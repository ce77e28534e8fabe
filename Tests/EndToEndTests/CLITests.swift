import Foundation
import Testing

@Suite("The troupe command, end to end")
struct CLITests {
    @Test func listsTheBundledWorkflows() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["run", "--list"], store: false)
        #expect(output.status == 0)
        for name in ["review", "research", "triage"] { #expect(output.stdout.contains(name)) }
    }

    @Test func anUnknownWorkflowListsTheKnownOnesAndExits2() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["run", "reveiw", "--model", "scripted"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("no workflow named 'reveiw'; known workflows: count, research, review, support, triage"))
    }

    @Test func wrongArgumentsPrintUsageAndExit2() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["run", "review", "--frobnicate"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("Unknown option '--frobnicate'"))
        #expect(output.stderr.contains("Usage: troupe run"))
        #expect(try await troupe.run(["resume"]).status == 2)
    }

    @Test func runStreamsAgentsByNameAndRecordsEveryEffect() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["run", "review", "--model", "scripted", "--input", "a haiku", "--run-id", "r1"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("writer ▸ Draft 1 on \"a haiku\"."))
        #expect(output.stdout.contains("critic ▸ APPROVED."))

        let shown = try await troupe.json(["runs", "show", "r1", "--json"])
        #expect(shown["id"] as? String == "r1")
        #expect(shown["workflow"] as? String == "review")
        #expect(shown["status"] as? String == "completed")
        #expect((shown["output"] as? String)?.hasPrefix("Draft 2") == true)
        let effects = shown["effects"] as? [[String: Any]] ?? []
        #expect(effects.map { $0["key"] as? String } == [
            "review/writer#1", "review/loop[1]/critic#1", "review/loop[1]/writer#1", "review/loop[2]/critic#1",
        ])
        #expect(effects.allSatisfy { $0["kind"] as? String == "model" && $0["executions"] as? Int == 1 })

        let listed = try await troupe.run(["runs"])
        #expect(listed.stdout.contains("r1") && listed.stdout.contains("completed"))
    }

    @Test func researchAndTriageRunToCompletion() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let research = try await troupe.json(["run", "research", "--model", "scripted", "--json"])
        let senders = (research["messages"] as? [[String: Any]] ?? []).compactMap { $0["sender"] as? String }
        #expect(senders == ["user", "historian", "economist", "engineer", "summarizer"])

        let triage = try await troupe.json(["run", "triage", "--model", "scripted", "--json", "--input", "I was charged twice"])
        let turns = (triage["messages"] as? [[String: Any]] ?? []).compactMap { $0["sender"] as? String }
        // The selector model picks the dispatcher, who hands off to billing, who resolves it.
        #expect(turns == ["user", "dispatcher", "billing"])
        #expect((triage["output"] as? String)?.contains("RESOLVED") == true)
    }

    @Test func traceShowsTheTreeAndTheCausalChain() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        try await troupe.run(["run", "review", "--model", "scripted", "--input", "topic", "--run-id", "t1"])
        let tree = try await troupe.run(["trace", "t1"])
        #expect(tree.status == 0)
        #expect(tree.stdout.contains("run review"))
        #expect(tree.stdout.contains("invoke_agent critic"))
        #expect(tree.stdout.contains("chat scripted/demo"))
        #expect(tree.stdout.contains(" tok"))

        let why = try await troupe.run(["trace", "t1", "--why", "review/loop[2]/critic"])
        #expect(why.status == 0)
        let lines = why.stdout.split(separator: "\n")
        #expect(lines.first?.contains("invoke_agent critic (review/loop[2]/critic)") == true)
        #expect(lines.dropFirst().first?.contains("← invoke_agent writer (review/loop[1]/writer)") == true)
        #expect(why.stdout.contains("run input: \"topic\""))

        let missing = try await troupe.run(["trace", "t1", "--why", "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("no span 'nope'"))
    }

    @Test func anExportedCassetteReplaysIntoAnotherStoreWithoutAnyModel() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        try await troupe.run(["run", "review", "--model", "scripted", "--run-id", "c1"])
        let cassette = try await troupe.run(["runs", "export", "c1"])
        #expect(cassette.status == 0)
        let lines = cassette.stdout.split(separator: "\n")
        #expect(lines.first?.contains("\"type\":\"run\"") == true)
        let file = troupe.folder + "/c1.jsonl"
        try cassette.stdout.write(toFile: file, atomically: true, encoding: .utf8)

        let elsewhere = try TroupeBinary.withFreshStore()
        let replay = try await elsewhere.run(["replay", file, "--json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("\"live_effects\" : 0"))
        #expect(replay.stdout.contains("\"served_effects\" : 4"))
    }

    @Test func aTamperedRecordingDivergesNamingTheStepAndExitsNonZero() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        try await troupe.run(["run", "review", "--model", "scripted", "--run-id", "d1", "--input", "first topic"])
        var cassette = try await troupe.run(["runs", "export", "d1"]).stdout
        // The recording says the run started from another input: the writer's request changes.
        cassette = cassette.replacingOccurrences(of: "first topic", with: "other topic")
        let file = troupe.folder + "/d1.jsonl"
        try cassette.write(toFile: file, atomically: true, encoding: .utf8)
        let elsewhere = try TroupeBinary.withFreshStore()
        let replay = try await elsewhere.run(["replay", file])
        #expect(replay.status == 3)
        #expect(replay.stderr.contains("replay diverged at step 'review/writer'"))
        #expect(replay.stderr.contains("recorded:") && replay.stderr.contains("now:"))
    }

    @Test func aFileThatIsNotAStoreIsRefusedAndLeftAlone() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let bogus = troupe.folder + "/notes.txt"
        try "my notes\n".write(toFile: bogus, atomically: true, encoding: .utf8)
        let output = try await troupe.run(["runs", "--store", bogus], store: false)
        #expect(output.status == 1)
        #expect(output.stderr.contains(bogus))
        #expect(try String(contentsOfFile: bogus, encoding: .utf8) == "my notes\n")
    }
}

@Suite("Fork from the command line")
struct ForkCLITests {
    @Test func replayFromAStepForksANewLinkedRun() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        try await troupe.run(["run", "review", "--model", "scripted", "--run-id", "parent", "--input", "a poem"])
        let fork = try await troupe.json(["replay", "parent", "--from", "review/loop[1]/writer", "--json"])
        #expect(fork["served_effects"] as? Int == 2)
        #expect(fork["live_effects"] as? Int == 2)
        let child = try #require(fork["run_id"] as? String)
        let shown = try await troupe.json(["runs", "show", child, "--json"])
        #expect(shown["parent_run_id"] as? String == "parent")
        let unknown = try await troupe.run(["replay", "parent", "--from", "review/nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no step 'review/nope'"))
    }
}
