import Dispatch
internal import GRDB
internal import GRDBSQLite
import Synchronization

/// Copies the WAL back into the database file on a connection and thread of its
/// own, when the writer is quiet, so commits never wait for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL
/// pages and fsyncs twice, even with `synchronous=NORMAL`. The writer connection
/// turns it off (`wal_autocheckpoint = 0`) and reports the size of the WAL after
/// each commit to this checkpointer instead (``attach(to:)``, SQLite's WAL hook).
///
/// **When.** A checkpoint writes the WAL's pages into the database file and
/// flushes it: megabytes of writes that share the disk with the commits of the
/// moment. With ``StoreOptions/Durability/full`` each of those commits waits for
/// a flush of its own, and one that lands during a checkpoint waits 5–9 ms where
/// it would wait 0.1 ms. So once ``dueFrames`` pages wait to be copied, the
/// checkpointer waits for the writer to fall quiet — no commit for
/// ``quietPeriod``, which a workflow waiting for a model call gives it at once —
/// and a writer that never pauses gets a checkpoint anyway once ``busyFrames``
/// pages wait, which bounds the WAL.
///
/// **How.** A passive checkpoint never waits for writers or readers; what it could
/// not copy, the next one does, and the last connection to close the store
/// copies what is left. SQLite rewinds the WAL only when a write transaction
/// *starts* after a checkpoint that copied every page, with nothing appended in
/// between: after a quiet checkpoint the next write does it. After one taken
/// under load, and past ``restartThreshold`` pages, the checkpointer sets
/// ``restartDue`` and the writer runs a `RESTART` checkpoint between two
/// transactions (``GroupCommitQueue``): most pages are already copied, so it
/// costs a few milliseconds, and the WAL stays bounded.
final class WALCheckpointer: Sendable {
    /// WAL pages (4 KiB each) written since the last checkpoint past which one is
    /// due: 2 MiB, SQLite's own automatic checkpoint is at 4 MiB.
    static let dueFrames = 512
    /// How long the writer must be silent for a due checkpoint to run.
    static let quietPeriod = DispatchTimeInterval.milliseconds(25)
    /// WAL pages waiting past which a checkpoint runs with commits under way: 32 MiB.
    static let busyFrames = 8_192
    /// WAL pages past which a checkpoint that could not rewind the WAL asks the
    /// writer for a `RESTART`: 8 MiB.
    static let restartThreshold = 2_048

    private struct State {
        /// WAL pages written since a checkpoint last copied them.
        var waiting = 0
        /// The WAL's size in pages at the last commit seen.
        var frames = 0
        var timerSet = false
        var running = false
        var restartDue = false
    }

    private let queue: DatabaseQueue
    private let state = Mutex(State())
    /// Commits to SQLite or to the effect log so far: the writer is quiet while it
    /// does not move.
    private let activity = Atomic<Int>(0)

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "TroupeStore.checkpointer"
        configuration.busyMode = .immediateError  // passive checkpoints never wait
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Has the writer connection `db` report the WAL's size after each of its
    /// commits. Also turns off SQLite's automatic checkpoint on that connection.
    ///
    /// The connection holds this checkpointer unretained: every commit on it comes
    /// from the journal or its writer queue, which hold the checkpointer; call
    /// ``detach(from:)`` before closing.
    func attach(to db: Database) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().walDidGrow(to: Int(frames))
            return SQLITE_OK
        }, context)
    }

    /// Stops the reports of ``attach(to:)``.
    func detach(from db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, nil, nil)
    }

    /// Counts a commit; the journal's writer calls it for each commit to the effect
    /// log, which SQLite never sees.
    func noteActivity() {
        activity.add(1, ordering: .relaxed)
    }

    /// Calls `work` once no commit came for ``quietPeriod``: checks after that long,
    /// and again for as long as commits keep coming.
    func whenQuiet(_ work: @escaping @Sendable () -> Void) {
        waitForQuiet(since: activity.load(ordering: .relaxed), work)
    }

    private func waitForQuiet(since seen: Int, _ work: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.quietPeriod) { [weak self] in
            guard let self else { return }
            let now = activity.load(ordering: .relaxed)
            if now == seen { work() } else { waitForQuiet(since: now, work) }
        }
    }

    /// After a commit on the writer connection: the WAL now holds `frames` pages.
    /// Called inside SQLite, on the writer's thread: it only counts and schedules.
    private func walDidGrow(to frames: Int) {
        noteActivity()
        let due = state.withLock { state -> Due? in
            // Smaller than before: the WAL was rewound and these pages are new.
            state.waiting += frames >= state.frames ? frames - state.frames : frames
            state.frames = frames
            // While a rewind is due the writer runs it; a passive checkpoint now
            // would only make it fail (one checkpoint at a time).
            guard !state.running, !state.restartDue, state.waiting >= Self.dueFrames else { return nil }
            if state.waiting >= Self.busyFrames {
                state.running = true
                return .now
            }
            guard !state.timerSet else { return nil }
            state.timerSet = true
            return .whenQuiet
        }
        switch due {
        case .now?: checkpoint()
        case .whenQuiet?: whenQuiet { self.quietCheckpoint() }
        case nil: break
        }
    }

    /// When a due checkpoint runs.
    private enum Due {
        /// At once: ``busyFrames`` pages wait.
        case now
        /// Once the writer is quiet (``quietCheckpoint()``).
        case whenQuiet
    }

    /// A due checkpoint, now that the writer is quiet.
    private func quietCheckpoint() {
        let start = state.withLock { state -> Bool in
            state.timerSet = false
            guard !state.running, !state.restartDue, state.waiting >= Self.dueFrames else { return false }
            state.running = true
            return true
        }
        if start { checkpoint() }
    }

    private func checkpoint() {
        queue.asyncWriteWithoutTransaction { db in
            // Failures (another process checkpointing, a lock) are harmless: the
            // next checkpoint, or the last connection to close, copies the pages.
            let row = try? Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            self.didCheckpoint(copiedThrough: row.flatMap { $0[2] as Int? } ?? -1)
        }
    }

    /// After a passive checkpoint that copied the WAL's first `copied` pages
    /// (negative when it failed).
    private func didCheckpoint(copiedThrough copied: Int) {
        state.withLock { state in
            state.running = false
            // A failed checkpoint is retried after another `dueFrames` pages, not
            // at every commit.
            state.waiting = copied < 0 ? 0 : max(0, state.frames - copied)
            // Pages appended since the checkpoint looked keep the WAL from
            // rewinding by itself.
            if copied >= 0, state.frames >= Self.restartThreshold, state.waiting > 0 {
                state.restartDue = true
            }
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
        if done {
            state.withLock { state in
                state.restartDue = false
                state.waiting = 0
                state.frames = 0
            }
        }
    }

    func close() throws {
        try queue.close()
    }
}
