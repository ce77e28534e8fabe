internal import GRDB
import Synchronization

/// Copies the WAL back into the database file on a connection and thread of its
/// own, so commits never wait for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL
/// pages and, even with `synchronous=NORMAL`, fsyncs twice: a few milliseconds
/// added to one unlucky commit every few hundred. The writer connection turns
/// that off (`wal_autocheckpoint = 0`) and asks this checkpointer for a passive
/// checkpoint every ``interval`` transactions instead. A passive checkpoint never
/// waits for writers or readers; whatever it could not copy, the next one does,
/// and the last connection to close the store checkpoints what is left.
///
/// When several processes write without pause, passive checkpoints never reach
/// the end of a WAL that keeps growing, and SQLite can only rewind a WAL that was
/// copied to its end. Past ``truncateThreshold`` frames the checkpointer
/// therefore takes the write lock for one `TRUNCATE` checkpoint (writers wait for
/// it, a few milliseconds, as for any other writer) so the WAL stays bounded.
final class WALCheckpointer: Sendable {
    /// Transactions between two checkpoint requests.
    static let interval = 200
    /// WAL frames (pages) past which a blocking checkpoint rewinds the WAL: 16 MiB
    /// with 4 KiB pages.
    static let truncateThreshold = 4096

    private let queue: DatabaseQueue
    /// Transactions since the last request, and whether a checkpoint is running.
    private let state = Mutex((transactions: 0, running: false))

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "TroupeStore.checkpointer"
        // Only the TRUNCATE checkpoint waits (passive ones never call the handler).
        configuration.busyMode = .timeout(2)
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Counts `count` committed transactions and starts a checkpoint when due.
    func didCommit(_ count: Int = 1) {
        let start = state.withLock { state -> Bool in
            state.transactions += count
            guard state.transactions >= Self.interval, !state.running else { return false }
            state.transactions = 0
            state.running = true
            return true
        }
        guard start else { return }
        queue.asyncWriteWithoutTransaction { db in
            // Failures (another process checkpointing, a lock) are harmless: the
            // next request, or the last connection to close, copies the pages.
            if let row = try? Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)"),
               let frames = row[1] as Int?, frames >= Self.truncateThreshold
            {
                _ = try? db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            self.state.withLock { $0.running = false }
        }
    }

    func close() throws {
        try queue.close()
    }
}
