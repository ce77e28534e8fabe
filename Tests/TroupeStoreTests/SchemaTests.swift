import Foundation
import GRDB
import Testing
import TroupeCore
import TroupeStore

@Suite("Opening a store")
struct SchemaTests {
    @Test("a new store gets every table by migration, and reopening changes nothing")
    func createsSchemaAndReopens() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            try await journal.commit([.run(Sample.run("r1")), .effect(Sample.effect("r1", seq: 0))])
            try await journal.close()

            let schema = try schemaSnapshot(path)
            #expect(Set(schema.tables).isSuperset(of: ["runs", "steps", "effects", "messages", "spans", "span_links"]))
            #expect(schema.migrations == ["v1-journal", "v2-memory"])
            #expect(schema.applicationID == 0x5452_5550)
            #expect(schema.journalMode == "wal")

            let reopened = try SQLiteJournal(path: path)
            let effects = try await reopened.effects(runID: "r1")
            #expect(effects == [Sample.effect("r1", seq: 0)])
            try await reopened.close()
            let after = try schemaSnapshot(path)
            #expect(after.sql == schema.sql)
            #expect(after.migrations == schema.migrations)
        }
    }

    @Test("another application's SQLite database is refused and left byte for byte unchanged")
    func rejectsForeignDatabase() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("notes.sqlite").path
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
                try db.execute(sql: "INSERT INTO notes (body) VALUES ('keep me')")
            }
            try queue.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))

            #expect {
                _ = try SQLiteJournal(path: path)
            } throws: { error in
                guard case StoreError.notATroupeStore(let errorPath, _) = error else { return false }
                return errorPath == path && "\(error)".contains("not a Troupe store")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test("a text file is refused and left byte for byte unchanged", arguments: [
        "hello\n",
        String(repeating: "a line of notes that is long enough to fill the SQLite header\n", count: 4),
    ])
    func rejectsTextFile(contents: String) async throws {
        try await withTemporaryDirectory { folder in
            let url = folder.appendingPathComponent("notes.txt")
            try contents.write(to: url, atomically: true, encoding: .utf8)

            #expect {
                _ = try SQLiteJournal(path: url.path)
            } throws: { error in
                guard case StoreError.notATroupeStore(_, let reason) = error else { return false }
                return reason.contains("not an SQLite database")
            }
            #expect(try String(contentsOf: url, encoding: .utf8) == contents)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(leftovers == ["notes.txt"])
        }
    }

    @Test("a store written by a newer troupe is refused and left unchanged")
    func rejectsNewerSchema() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            try await journal.commit([.run(Sample.run("r1"))])
            try await journal.close()
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
            }
            try queue.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))

            #expect {
                _ = try SQLiteJournal(path: path)
            } throws: { error in
                guard case StoreError.newerSchema(_, let unknown) = error else { return false }
                return unknown == ["v9-from-the-future"] && "\(error)".contains("newer troupe; upgrade")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test("an empty file, an empty SQLite database and a store being created become stores")
    func adoptsEmptyFiles() async throws {
        try await withTemporaryDirectory { folder in
            let empty = folder.appendingPathComponent("empty.sqlite").path
            #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
            let fromEmpty = try SQLiteJournal(path: empty)
            try await fromEmpty.commit([.run(Sample.run("a"))])
            try await fromEmpty.close()

            let blank = folder.appendingPathComponent("blank.sqlite").path
            let queue = try DatabaseQueue(path: blank)
            try await queue.write { db in try db.execute(sql: "PRAGMA user_version = 0") }
            try queue.close()
            let fromBlank = try SQLiteJournal(path: blank)
            #expect(try await fromBlank.runs().isEmpty)
            try await fromBlank.close()

            // What another process creating the store leaves visible midway.
            let midway = folder.appendingPathComponent("midway.sqlite").path
            let midwayQueue = try DatabaseQueue(path: midway)
            try await midwayQueue.write { db in
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            }
            try midwayQueue.close()
            let fromMidway = try SQLiteJournal(path: midway)
            #expect(try await fromMidway.runs().isEmpty)
            try await fromMidway.close()
        }
    }

    @Test("a store in a missing folder gives an error that names the folder")
    func missingFolder() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("nowhere/troupe.sqlite").path
            #expect {
                _ = try SQLiteJournal(path: path)
            } throws: { error in
                guard case StoreError.cannotOpen(_, let reason) = error else { return false }
                return reason.contains("nowhere")
            }
        }
    }

    @Test("a write lock held past the busy timeout fails with a clear error naming the file")
    func lockTimeout() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path, options: .init(busyTimeout: .milliseconds(200)))
            try await journal.commit([.run(Sample.run("r1"))])

            var configuration = Configuration()
            configuration.allowsUnsafeTransactions = true
            let holder = try DatabaseQueue(path: path, configuration: configuration)
            try holder.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            // A run record goes through SQLite (an effect alone would go to the
            // effect log, which never waits for the lock).
            await #expect {
                try await journal.commit([.run(Sample.run("r1")), .effect(Sample.effect("r1", seq: 1))])
            } throws: { error in
                guard case StoreError.locked(let errorPath, let waited) = error else { return false }
                return errorPath == path && waited >= 0.2 && "\(error)".contains("locked by another process")
            }
            try holder.inDatabase { db in try db.execute(sql: "ROLLBACK") }
            try holder.close()

            try await journal.commit([.run(Sample.run("r1")), .effect(Sample.effect("r1", seq: 2))])
            #expect(try await journal.effects(runID: "r1").map(\.seq) == [2])
            try await journal.close()
        }
    }

    private struct SchemaSnapshot {
        var tables: [String]
        var sql: [String]
        var migrations: [String]
        var applicationID: Int
        var journalMode: String
    }

    private func schemaSnapshot(_ path: String) throws -> SchemaSnapshot {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            SchemaSnapshot(
                tables: try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                sql: try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"),
                migrations: try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"),
                applicationID: try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "")
        }
    }
}
