internal import GRDB
import Synchronization

/// Copies the WAL back into the database file on a connection and thread of its
/// own, so commits never wait for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL
/// pages and, even with `synchronous=NORMAL`, fsyncs twice: a few milliseconds
/// added to one unlucky commit every few hundred. The writer connection turns
/// that off (`wal_autocheckpoint = 0`) and asks this checkpointer for a passive
/// checkpoint every ``interval`` rows written instead (rows, not transactions:
/// with the ``EffectLog`` a transaction holds about 100 steps' rows). A passive checkpoint never
/// waits for writers or readers; whatever it could not copy, the next one does,
/// and the last connection to close the store checkpoints what is left.
///
/// A passive checkpoint can copy the whole WAL, yet SQLite rewinds the WAL only
/// when a write transaction *starts* after such a checkpoint, with nothing
/// appended in between — which never happens while writers commit without pause
/// (the WAL grew past 100 MB in a 20,000-step loop), and a blocking checkpoint
/// from this connection starves behind a writer that takes the lock back at
/// once. Past ``restartThreshold`` frames the checkpointer therefore sets
/// ``restartDue``, and the writer itself runs a `RESTART` checkpoint between two
/// transactions (``GroupCommitQueue``): the passive checkpoint already copied
/// most pages, so it costs a few milliseconds, and the WAL stays bounded.
final class WALCheckpointer: Sendable {
    /// Rows written between two checkpoint requests: a few hundred steps of a
    /// loop, a megabyte or two of WAL.
    static let interval = 2_000
    /// WAL frames (pages) past which a blocking checkpoint rewinds the WAL: 8 MiB
    /// with 4 KiB pages.
    static let restartThreshold = 2048

    private let queue: DatabaseQueue
    /// Rows since the last request, whether a checkpoint is running, and whether
    /// the writer should rewind the WAL.
    private let state = Mutex((rows: 0, running: false, restartDue: false))

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "TroupeStore.checkpointer"
        configuration.busyMode = .immediateError  // passive checkpoints never wait
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Counts `rows` committed rows and starts a checkpoint when due.
    func didCommit(rows: Int) {
        let start = state.withLock { state -> Bool in
            state.rows += max(rows, 1)
            // While a rewind is due the writer runs it; a passive checkpoint now
            // would only make it fail (one checkpoint at a time).
            guard state.rows >= Self.interval, !state.running, !state.restartDue else { return false }
            state.rows = 0
            state.running = true
            return true
        }
        guard start else { return }
        queue.asyncWriteWithoutTransaction { db in
            // Failures (another process checkpointing, a lock) are harmless: the
            // next request, or the last connection to close, copies the pages.
            let row = try? Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            let frames = row.flatMap { $0[1] as Int? } ?? 0
            if frames >= Self.restartThreshold {
                self.state.withLock { $0.restartDue = true }
            }
            self.state.withLock { $0.running = false }
        }
    }

    /// Whether the writer should run a `RESTART` checkpoint before its next write.
    var restartDue: Bool { state.withLock { $0.restartDue } }

    /// Runs a `RESTART` checkpoint on the writer connection `db`, between two
    /// transactions, if one is due; never waits for another process (`failFast`
    /// wraps the call in the writer's no-wait busy mode).
    func restartIfDue(_ db: Database, failFast: (() -> Void) -> Void) {
        guard restartDue else { return }
        var done = false
        failFast {
            // Busy (another process reading, writing or checkpointing): the flag
            // stays set and the next batch tries again.
            let row = try? Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(RESTART)")
            done = (row?[0] as Int?) == 0
        }
        if done { state.withLock { $0.restartDue = false } }
    }

    func close() throws {
        try queue.close()
    }
}
