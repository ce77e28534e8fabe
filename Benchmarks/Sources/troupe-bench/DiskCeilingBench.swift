import Foundation
import GRDB

/// What the disk allows: the smallest durable SQLite commit, in the same mode as a
/// FULL store (WAL, `synchronous=FULL`), repeated on a fresh file in the directory
/// the stores use; and, for reference, a bare 4 KiB write + fdatasync loop.
///
/// An empty transaction (BEGIN; COMMIT) writes nothing and syncs nothing in
/// SQLite, so the probe commits one tiny row: the least a durable step can cost.
enum DiskCeilingBench {
    static func run(_ options: Options) throws -> Report {
        let commits = options.int("commits", 300)
        let dir = options.string("dir", "results/tmp")
        let path = Measure.freshStore(in: dir, name: "ceiling.sqlite")

        var configuration = Configuration()
        configuration.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE t (x INTEGER)")
        }
        let start = Measure.now()
        try queue.writeWithoutTransaction { db in
            let insert = try db.makeStatement(sql: "INSERT INTO t VALUES (?)")
            for index in 0..<commits {
                try db.inTransaction(.immediate) {
                    try insert.execute(arguments: [index])
                    return .commit
                }
            }
        }
        let sqliteSeconds = Measure.seconds(start, Measure.now())
        try queue.close()

        let syncSeconds = try fdatasyncLoop(path: path + ".fsync", count: commits)

        var report = Report(workload: "ceiling")
        report["commits"] = commits
        report["full_commits_per_s"] = Measure.round(Double(commits) / sqliteSeconds, 1)
        report["fdatasync_per_s"] = Measure.round(Double(commits) / syncSeconds, 1)
        return report
    }

    static func fdatasyncLoop(path: String, count: Int) throws -> Double {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot open \(path)") }
        defer { close(fd); unlink(path) }
        let page = [UInt8](repeating: 7, count: 4096)
        let start = Measure.now()
        for index in 0..<count {
            _ = page.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(index % 16) * 4096) }
            guard fdatasync(fd) == 0 else { throw BenchError("fdatasync failed") }
        }
        return Measure.seconds(start, Measure.now())
    }
}
