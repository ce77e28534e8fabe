import Foundation
import Testing
import TroupeCore
import TroupeStore

@Suite("WAL checkpoints: the WAL is copied back when the writer is quiet, and stays bounded")
struct CheckpointTests {
    @Test("a quiet store's WAL is copied into the database file and then reused from its start")
    func quietCheckpointRewinds() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            try await journal.commit([.run(Sample.run("r1"))])
            let emptySize = Self.size(path)

            // ~4 MiB of messages, then silence: the checkpoint copies them with the store open.
            try await Self.writeMessages(journal, run: "r1", from: 0, count: 64)
            let copied = try await waitUntil { Self.size(path) > emptySize + 3_000_000 }
            #expect(copied, "the database file still holds \(Self.size(path)) bytes; the WAL was not copied back")
            let walAfterFirst = Self.size(path + "-wal")
            #expect(walAfterFirst > 3_000_000)

            // The next writes start the WAL over rather than growing it.
            try await Self.writeMessages(journal, run: "r1", from: 64, count: 32)
            #expect(Self.size(path + "-wal") <= walAfterFirst)
            #expect(try await journal.messages(runID: "r1").count == 96)
            try await journal.close()
        }
    }

    @Test("a writer that never pauses still gets checkpoints: its WAL stays within ~32 MiB")
    func busyWriterWALIsBounded() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            try await journal.commit([.run(Sample.run("r1"))])
            // ~96 MiB through the WAL, three times the bound.
            try await Self.writeMessages(journal, run: "r1", from: 0, count: 1_536)
            let wal = Self.size(path + "-wal")
            #expect(wal < 48 * 1_048_576, "the WAL grew to \(wal) bytes")
            #expect(try await journal.messages(runID: "r1").count == 1_536)
            try await journal.close()
        }
    }

    /// Commits `count` messages of 64 KiB, one per commit, as fast as they go.
    private static func writeMessages(_ journal: SQLiteJournal, run: String, from first: Int, count: Int) async throws {
        let filler = String(repeating: "0123456789abcdef", count: 4_096)
        for n in first..<(first + count) {
            var message = Sample.message(run, n: n)
            message.content = "\(n): " + filler
            try await journal.commit([.message(message)])
        }
    }

    private static func size(_ file: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil) ?? 0
    }
}
