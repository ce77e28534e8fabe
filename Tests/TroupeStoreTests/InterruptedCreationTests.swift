import Foundation
import Testing
import TroupeCore
import TroupeStore

/// A process killed while creating a store leaves the file with a hot rollback
/// journal beside it; the next `troupe` must open it, not call it read-only.
@Suite("A store whose creator was killed")
struct InterruptedCreationTests {
    /// Builds, with Python's sqlite3, the files a kill in the middle of the first
    /// transaction leaves: the database and its hot `-journal`.
    static func interruptedStore(at path: String) throws {
        let script = """
            import shutil, sqlite3, sys
            scratch, target = sys.argv[1], sys.argv[2]
            con = sqlite3.connect(scratch, isolation_level=None)
            con.execute("PRAGMA cache_size=1")
            con.execute("BEGIN")
            con.execute("CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            con.execute("CREATE TABLE filler (x BLOB)")
            for _ in range(50):
                con.execute("INSERT INTO filler VALUES (zeroblob(4000))")
            shutil.copy(scratch, target)
            shutil.copy(scratch + "-journal", target + "-journal")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path + ".scratch", path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func itOpensAfterRollingBackTheInterruptedWrite() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-hot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        try Self.interruptedStore(at: path)
        #expect(FileManager.default.fileExists(atPath: path + "-journal"))

        let journal = try SQLiteJournal(path: path)
        let run = RunRecord(id: "after-crash", workflow: "w", input: "x", createdAt: 1)
        try await journal.commit([.run(run)])
        #expect(try await journal.load(runID: "after-crash")?.run.id == "after-crash")
        try await journal.close()
    }
}
