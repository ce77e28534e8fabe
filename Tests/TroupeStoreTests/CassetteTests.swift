import Foundation
import Testing
import TroupeCore
import TroupeStore

@Suite("Cassettes")
struct CassetteTests {
    private func recordedRun(in journal: SQLiteJournal) async throws {
        var entries: [JournalEntry] = [.run(Sample.run("r1", status: .completed))]
        entries += (0..<4).map { .effect(Sample.effect("r1", seq: $0)) }
        entries.append(.effect(Sample.effect("r1", step: "review/critic", seq: 0, status: .started)))
        entries.append(.step(Sample.step("r1", key: "review/writer")))
        entries += (0..<3).map { .message(Sample.message("r1", n: $0)) }
        let root = Sample.span("r1", id: "00000000000000a1", parent: nil, kind: .run)
        let turn = Sample.span("r1", id: "00000000000000a2", parent: "00000000000000a1",
                               start: 1_700_000_001, status: .error("boom"))
        entries.append(.span(root, replace: true))
        entries.append(.span(turn, replace: true))
        entries.append(.link(SpanLinkRecord(runID: "r1", spanID: turn.spanID, linkedSpanID: root.spanID)))
        try await journal.commit(entries)
        try await journal.commit([.effect(Sample.effect("unrelated", seq: 0))])
    }

    @Test("export, import into another store, export again: the same bytes")
    func roundTrip() async throws {
        try await withTemporaryDirectory { folder in
            let source = try SQLiteJournal(path: folder.appendingPathComponent("a.sqlite").path)
            try await recordedRun(in: source)
            let cassette = try await source.cassette(runID: "r1")
            #expect(cassette.effects.count == 5)
            let text = try cassette.jsonLines()

            let lines = text.split(separator: "\n")
            #expect(lines.count == 13)  // run, 5 effects, 1 step, 3 messages, 2 spans, 1 link
            #expect(lines[0].hasPrefix(#"{"type":"run","cassette":1,"createdAt":"#))
            #expect(lines[1].hasPrefix(#"{"type":"effect","executions":1,"#))
            #expect(lines.last?.hasPrefix(#"{"type":"link","#) == true)

            let parsed = try Cassette(jsonLines: text)
            #expect(parsed == cassette)

            let target = try SQLiteJournal(path: folder.appendingPathComponent("b.sqlite").path)
            try await target.importCassette(parsed)
            try await target.importCassette(parsed)  // idempotent
            let imported = try await target.cassette(runID: "r1")
            #expect(imported == cassette)
            #expect(try imported.jsonLines() == text)
            #expect(try await target.runs().map(\.id) == ["r1"])
            #expect(try await target.load(runID: "r1")?.effects == cassette.effects)
            try await source.close()
            try await target.close()
        }
    }

    @Test("exporting a run that does not exist names it")
    func exportMissing() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("a.sqlite").path)
            await #expect(throws: StoreError.runNotFound("nope")) { try await journal.cassette(runID: "nope") }
            try await journal.close()
        }
    }

    @Test("a bad cassette is refused with the line at fault", arguments: [
        ("not json", 1, "not a valid"),
        (#"{"type":"effect","runID":"r"}"#, 1, "before the run line"),
        (#"{"type":"tape"}"#, 1, "unknown type"),
        (#"{"type":"run","cassette":99}"#, 1, "newer troupe"),
        ("", 1, "no run line"),
    ])
    func invalidCassettes(text: String, line: Int, reason: String) throws {
        #expect {
            _ = try Cassette(jsonLines: text)
        } throws: { error in
            guard case StoreError.invalidCassette(let badLine, let message) = error else { return false }
            return badLine == line && message.contains(reason)
        }
    }

    @Test("a record of another run inside a cassette is refused")
    func foreignRecord() throws {
        let good = try Cassette(run: Sample.run("r1"), effects: [Sample.effect("r1", seq: 0)]).jsonLines()
        let other = try Cassette(run: Sample.run("r2"), effects: [Sample.effect("r2", seq: 0)]).jsonLines()
        let mixed = good + other.split(separator: "\n")[1] + "\n"
        #expect {
            _ = try Cassette(jsonLines: mixed)
        } throws: { error in
            guard case StoreError.invalidCassette(3, let message) = error else { return false }
            return message.contains("run r2")
        }
    }
}
