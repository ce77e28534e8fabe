import Foundation
internal import GRDB
import Synchronization
import TroupeCore

/// The store's one writer: it coalesces concurrent commits into one transaction.
///
/// Each ``commit(_:)`` adds a group of entries and suspends. While no write is in
/// progress the first group schedules a drain on GRDB's writer queue (a thread of
/// its own, never the cooperative pool); the drain takes every group queued so
/// far, writes them in one `BEGIN IMMEDIATE` transaction, resumes their waiters,
/// and repeats until the queue is empty. Commits that arrive during a write ride
/// the next one, so under load the cost of a transaction is shared by all the
/// commits that waited for it.
///
/// If a batched transaction fails for a reason other than a lock, each group is
/// retried in a transaction of its own, so one bad group fails only its caller.
final class GroupCommitQueue: Sendable {
    typealias Waiter = CheckedContinuation<Void, any Error>

    /// One caller's entries, with the entries appended before them.
    private struct Group: Sendable {
        var entries: [JournalEntry]
        /// Nil for a group of appended entries written because too many queued up.
        var waiter: Waiter?
    }

    private struct State {
        /// Entries appended since the last commit: they join the next group.
        var appended: [JournalEntry] = []
        var groups: [Group] = []
        var draining = false
    }

    /// Appended entries that start a write of their own once this many are queued.
    static let appendLimit = 512

    private let state = Mutex(State())
    private let pool: DatabasePool
    private let path: String
    private let busyTimeout: Double
    private let busyPolicy: BusyPolicy
    private let checkpointer: WALCheckpointer
    private let order = WriteOrder()
    /// Whether an uncontended commit may run on its caller's thread.
    private let allowsFastPath: Bool

    init(pool: DatabasePool, path: String, busyTimeout: Double, busyPolicy: BusyPolicy,
         checkpointer: WALCheckpointer, allowsFastPath: Bool) {
        self.pool = pool
        self.checkpointer = checkpointer
        self.path = path
        self.busyTimeout = busyTimeout
        self.busyPolicy = busyPolicy
        self.allowsFastPath = allowsFastPath
    }

    func commit(_ entries: [JournalEntry]) async throws {
        var requeued: [JournalEntry]?
        if allowsFastPath {
            switch commitOnCallerThread(entries) {
            case .done(let result): return try result.get()
            case .contended: break
            case .lockBusy(let group): requeued = group
            }
        }
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let startDrain = state.withLock { state -> Bool in
                if let requeued {
                    // The fast path still owns `draining`: hand it to the writer thread.
                    state.groups.insert(Group(entries: requeued, waiter: waiter), at: 0)
                    return true
                }
                var group = state.appended
                state.appended = []
                group.append(contentsOf: entries)
                state.groups.append(Group(entries: group, waiter: waiter))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDrain { scheduleDrain() }
        }
    }

    private enum FastPathOutcome {
        /// Written (or failed) on the caller's thread.
        case done(Result<Void, StoreError>)
        /// Another commit is being written: join the group commit.
        case contended
        /// Another process holds the lock: wait for it on the writer thread.
        case lockBusy([JournalEntry])
    }

    /// With `synchronous=NORMAL` a commit is a few writes to the page cache, a
    /// few tens of microseconds: cheaper to do on the caller's thread than two
    /// thread hops to the writer and back. Only when nothing else is being
    /// written, and never waiting for a lock, so the cooperative thread is never
    /// held long.
    private func commitOnCallerThread(_ entries: [JournalEntry]) -> FastPathOutcome {
        // A due WAL rewind runs on the writer thread, never here.
        if checkpointer.restartDue { return .contended }
        let claimed = state.withLock { state -> [JournalEntry]? in
            guard !state.draining, state.groups.isEmpty else { return nil }
            state.draining = true
            var group = state.appended
            state.appended = []
            group.append(contentsOf: entries)
            return group
        }
        guard let group = claimed else { return .contended }
        var outcome: Result<Void, StoreError>?
        pool.writeWithoutTransaction { db in
            busyPolicy.failingFast {
                do {
                    try db.inTransaction(.immediate) {
                        try EntryWriter.apply(group, in: db, order: order)
                        return .commit
                    }
                    outcome = .success(())
                } catch where StoreError.isBusy(error) {
                    outcome = nil
                } catch {
                    outcome = .failure(StoreError.wrapping(error, path: path, busyTimeout: busyTimeout))
                }
            }
        }
        guard let outcome else { return .lockBusy(group) }
        checkpointer.didCommit()
        let more = state.withLock { state -> Bool in
            if state.groups.isEmpty {
                state.draining = false
                return false
            }
            return true
        }
        if more { scheduleDrain() }
        return .done(outcome)
    }

    func append(_ entries: [JournalEntry]) {
        let startDrain = state.withLock { state -> Bool in
            state.appended.append(contentsOf: entries)
            guard state.appended.count >= Self.appendLimit, !state.draining else { return false }
            state.groups.append(Group(entries: state.appended, waiter: nil))
            state.appended = []
            state.draining = true
            return true
        }
        if startDrain { scheduleDrain() }
    }

    func flush() async throws {
        let idle = state.withLock { state in
            state.appended.isEmpty && state.groups.isEmpty && !state.draining
        }
        if idle { return }
        try await commit([])
    }

    private func scheduleDrain() {
        pool.asyncWriteWithoutTransaction { db in
            self.drain(db)
        }
    }

    private func drain(_ db: Database) {
        while true {
            let batch = state.withLock { state -> [Group] in
                if state.groups.isEmpty {
                    state.draining = false
                    return []
                }
                var batch: [Group] = []
                swap(&batch, &state.groups)
                return batch
            }
            if batch.isEmpty { return }
            checkpointer.restartIfDue(db) { body in busyPolicy.failingFast(body) }
            write(batch, db)
        }
    }

    private func write(_ batch: [Group], _ db: Database) {
        do {
            try transaction(db) {
                for group in batch {
                    try EntryWriter.apply(group.entries, in: db, order: order)
                }
            }
            checkpointer.didCommit()
            for group in batch { group.waiter?.resume() }
        } catch {
            let storeError = StoreError.wrapping(error, path: path, busyTimeout: busyTimeout)
            if batch.count == 1 || storeError.isRetryable {
                for group in batch { group.waiter?.resume(throwing: storeError) }
                return
            }
            for group in batch {
                do {
                    try transaction(db) { try EntryWriter.apply(group.entries, in: db, order: order) }
                    group.waiter?.resume()
                } catch {
                    group.waiter?.resume(throwing: StoreError.wrapping(error, path: path, busyTimeout: busyTimeout))
                }
            }
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction.
    ///
    /// SQLite's busy timeout already waits for another process's lock; the few
    /// SQLITE_BUSY cases it does not wait for (WAL recovery, a snapshot that moved)
    /// are retried here, within the same bound.
    private func transaction(_ db: Database, _ body: () throws -> Void) throws {
        try Self.retryingBusy(path: path, timeout: busyTimeout) {
            try db.inTransaction(.immediate) {
                try body()
                return .commit
            }
        }
    }

    /// Calls `body` until it does not fail with SQLITE_BUSY, for at most `timeout`
    /// seconds; blocks the calling thread between tries, so call it on a database
    /// thread only.
    static func retryingBusy<T>(path: String, timeout: Double, _ body: () throws -> T) throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        var pause = 0.001
        while true {
            do {
                return try body()
            } catch where StoreError.isBusy(error) {
                let elapsed = start.duration(to: clock.now)
                let waited = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                if waited >= timeout {
                    throw StoreError.locked(path: path, waitedSeconds: waited)
                }
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 0.05)
            }
        }
    }
}
