import Testing
import TroupeCore
import TroupeStore

@Suite("Queries the CLI needs")
struct QueryTests {
    @Test("runs are listed newest first, with a limit")
    func listRuns() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("s.sqlite").path)
            try await journal.commit([
                .run(Sample.run("old", createdAt: 100)),
                .run(Sample.run("new", createdAt: 300)),
                .run(Sample.run("mid", createdAt: 200, status: .completed)),
            ])
            #expect(try await journal.runs().map(\.id) == ["new", "mid", "old"])
            #expect(try await journal.runs(limit: 2).map(\.id) == ["new", "mid"])
            let mid = try #require(try await journal.run(id: "mid"))
            #expect(mid.status == .completed)
            #expect(mid.usage.totalTokens == 46)
            #expect(mid.options == Sample.run("mid").options)
            try await journal.close()
        }
    }

    @Test("a run is found by its id or a unique prefix of it")
    func resolvePrefix() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("s.sqlite").path)
            try await journal.commit([
                .run(Sample.run("abc123")), .run(Sample.run("abd456")), .run(Sample.run("a*[x")),
                .run(Sample.run("abc")),
            ])
            #expect(try await journal.resolveRun("abd").id == "abd456")
            #expect(try await journal.resolveRun("abc").id == "abc")  // an exact id wins
            #expect(try await journal.resolveRun("abc1").id == "abc123")
            #expect(try await journal.resolveRun("a*[").id == "a*[x")  // GLOB characters are literal
            await #expect(throws: StoreError.ambiguousRunID(prefix: "ab", matches: ["abc", "abc123", "abd456"])) {
                try await journal.resolveRun("ab")
            }
            await #expect(throws: StoreError.runNotFound("zz")) { try await journal.resolveRun("zz") }
            await #expect(throws: StoreError.runNotFound("")) { try await journal.resolveRun("") }
            try await journal.close()
        }
    }

    @Test("steps, messages, spans and links come back in order and intact")
    func runContents() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("s.sqlite").path)
            let spans = [
                Sample.span("r1", id: "0000000000000002", parent: "0000000000000001", start: 20),
                Sample.span("r1", id: "0000000000000001", parent: nil, kind: .run, start: 10),
                Sample.span("r1", id: "0000000000000003", parent: "0000000000000001", kind: .modelCall,
                            start: 30, status: .error("HTTP 503")),
            ]
            var entries: [JournalEntry] = [.run(Sample.run("r1"))]
            entries += (0..<5).map { .message(Sample.message("r1", n: $0)) }
            entries += ["w", "c", "w2"].map { .step(Sample.step("r1", key: $0)) }
            entries += spans.map { .span($0, replace: true) }
            entries.append(.link(SpanLinkRecord(runID: "r1", spanID: "0000000000000003",
                                                linkedSpanID: "0000000000000002")))
            try await journal.commit(entries)
            try await journal.commit([.message(Sample.message("other", n: 9))])

            #expect(try await journal.messages(runID: "r1") == (0..<5).map { Sample.message("r1", n: $0) })
            #expect(try await journal.steps(runID: "r1").map(\.key) == ["w", "c", "w2"])
            #expect(try await journal.spans(runID: "r1") == [spans[1], spans[0], spans[2]])
            #expect(try await journal.links(runID: "r1").map(\.linkedSpanID) == ["0000000000000002"])
            try await journal.close()
        }
    }

    @Test("effects come back intact in the order they started, not in key order")
    func effectsInStartOrder() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("s.sqlite").path)
            // loop[10] sorts before loop[2] by key: the order must come from when they started.
            var effects = (1...12).map { Sample.effect("r1", step: "count/loop[\($0)]/a", seq: 1) }
            effects[4] = Sample.effect("r1", step: "count/loop[5]/a", seq: 1, status: .started)
            effects[7].error = "tool said: \"no\"\nsecond line"
            try await journal.commit([.run(Sample.run("r1")), .run(Sample.run("r2"))]
                                     + effects.map { .effect($0) }
                                     + [.effect(Sample.effect("r2", step: "count/loop[1]/a", seq: 1))])

            #expect(try await journal.effects(runID: "r1") == effects)
            let loaded = try #require(try await journal.load(runID: "r1"))
            #expect(loaded.effects == effects)
            #expect(loaded.effects[4].result == nil && loaded.effects[4].finishedAt == nil)
            try await journal.close()
        }
    }
}
