import Foundation
internal import GRDB
import Synchronization
import TroupeCore

/// The store's one writer: it coalesces concurrent commits into one transaction.
///
/// Each ``commit(_:)`` adds a group of entries and suspends. While no write is in
/// progress the first group schedules a drain through GRDB's writer queue, run on
/// the store's ``DrainThread`` (never the cooperative pool, and below the priority
/// of the threads that run steps); the drain takes every group queued so
/// far, writes them in one `BEGIN IMMEDIATE` transaction, resumes their waiters,
/// and repeats until the queue is empty. Commits that arrive during a write ride
/// the next one, so under load the cost of a transaction is shared by all the
/// commits that waited for it.
///
/// If a batched transaction fails for a reason other than a lock, each group is
/// retried in a transaction of its own, so one bad group fails only its caller.
///
/// With an ``EffectLog``, a commit of effects alone is appended to the log (and,
/// with ``StoreOptions/Durability/full``, flushed to the disk) and returns
/// without touching SQLite; the
/// effects join the tail, and the tail is committed by the writer thread once
/// ``logTailLimit`` entries are queued (or after ``tailDelay``). Every other write
/// takes the whole tail first, so rows are written in the order they were
/// committed.
final class GroupCommitQueue: Sendable {
    typealias Waiter = CheckedContinuation<Void, any Error>

    /// One caller's entries, with the entries appended before them.
    struct Group: Sendable {
        var entries: [JournalEntry]
        /// Nil for a group of appended entries written because too many queued up.
        var waiter: Waiter?
        /// The log segments holding the logged effects among `entries`: removed
        /// once they are committed.
        var segments: [EffectLogSegment] = []
    }

    struct State {
        /// Entries appended and not yet handed to a write (the tail).
        var appended: [JournalEntry] = []
        /// The log segments of the logged effects in `appended`, oldest first; the
        /// last one takes new effects. Empty when there are none.
        var segments: [EffectLogSegment] = []
        /// When the oldest entry of the tail was appended.
        var appendedSince: ContinuousClock.Instant?
        /// Counts tails, so a timer set for one leaves the next alone.
        var tailGeneration = 0
        var groups: [Group] = []
        var draining = false
        /// Durable-log segments whose tail is in the WAL but not yet flushed to
        /// the disk (``deferRetirement(_:)``), oldest first.
        var unsynced: [EffectLogSegment] = []
        var walSyncTimerSet = false
    }

    /// A commit takes the tail of appended entries along once this many are
    /// queued, once the oldest waited ``tailDelay``, or when the commit carries a
    /// run record (a run's start and end, a pause); a flush always does. Until then
    /// an effect's commit writes only its own rows: spans, messages and step
    /// records then cost a share of one bulk write instead of a few pages of every
    /// commit. A crash loses at most that tail, which the `Journal` contract
    /// allows and a resume writes again. Kept small so no single bulk write stands
    /// out: at 1,024 one write cost as much as ~100 steps of a fast loop and the
    /// last-100/first-100 step times swung to 2–3× (median of 4 runs 1.9 against
    /// 0.7 at 128, `troupe-bench loop --steps 10000 --durability normal`).
    static let tailLimit = 128
    /// How long appended entries may wait; a timer writes a tail no commit took.
    static let tailDelay = Duration.milliseconds(200)
    /// Appended entries that start a write of their own once this many are queued.
    static let appendLimit = 4096
    /// With an effect log, the tail is committed by the writer thread once this
    /// many entries are queued: about 100 steps of a loop of function steps (an
    /// effect, a message, a step record, a span and a link each).
    static let logTailLimit = 512
    /// Durable-log segments that may wait for the WAL's flush; past this many the
    /// writer flushes it at once: 32 MiB of log files, as much as the WAL may hold.
    static let unsyncedLimit = 64
    /// A drain yields its core every this many rows (`sched_yield`): Linux's
    /// scheduler lets a running thread finish its slice, even at nice 10, and a
    /// merge of ~500 rows held the core the effect log's sync thread needed for
    /// 2-4 ms; yielding every 32 rows cut that to ~1.3 ms (1,000-step FULL loop).
    static let yieldStride = 32

    let state = Mutex(State())
    private let pool: DatabasePool
    let path: String
    private let busyTimeout: Double
    private let busyPolicy: BusyPolicy
    let checkpointer: WALCheckpointer
    private let order = WriteOrder()
    /// Whether an uncontended commit may run on its caller's thread.
    private let allowsFastPath: Bool
    /// Where effect-only commits go first.
    let log: EffectLog?
    /// Where drains run, below the priority of the threads that run steps.
    let drainThread: DrainThread

    init(pool: DatabasePool, path: String, busyTimeout: Double, busyPolicy: BusyPolicy,
         checkpointer: WALCheckpointer, allowsFastPath: Bool, log: EffectLog?) {
        self.pool = pool
        self.checkpointer = checkpointer
        self.path = path
        self.busyTimeout = busyTimeout
        self.busyPolicy = busyPolicy
        self.allowsFastPath = allowsFastPath
        self.log = log
        drainThread = DrainThread(name: "troupe.store.writer")
    }

    deinit {
        drainThread.stop()
        // Unlocks segments not committed, or not flushed: the next journal merges them.
        state.withLock { state in for segment in state.segments + state.unsynced { segment.abandon() } }
    }

    func commit(_ entries: [JournalEntry]) async throws {
        if let log, let effects = Self.effectsOnly(entries) {
            if log.durable { return try await commitToDurableLog(entries, effects: effects, log: log) }
            return try commitToLog(entries, effects: effects, log: log)
        }
        try await commit(entries, withTail: entries.contains(where: \.isRun))
    }

    /// The tail of appended entries, when it is due (or `force`, or when it holds
    /// logged effects): it goes first in the group that takes it, with its segment.
    private static func takeTail(_ state: inout State, force: Bool) -> Group {
        guard !state.appended.isEmpty else { return Group(entries: []) }
        if !force, state.segments.isEmpty, state.appended.count < tailLimit,
           let since = state.appendedSince, since.duration(to: .now) < tailDelay {
            return Group(entries: [])
        }
        state.appendedSince = nil
        var tail = Group(entries: [], segments: state.segments)
        swap(&tail.entries, &state.appended)
        state.segments = []
        return tail
    }

    private func commit(_ entries: [JournalEntry], withTail force: Bool) async throws {
        var requeued: Group?
        if allowsFastPath {
            switch commitOnCallerThread(entries, withTail: force) {
            case .done(let result): return try result.get()
            case .contended: break
            case .lockBusy(let group): requeued = group
            }
        }
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let startDrain = state.withLock { state -> Bool in
                if var requeued {
                    // The fast path still owns `draining`: hand it to the writer thread.
                    requeued.waiter = waiter
                    state.groups.insert(requeued, at: 0)
                    return true
                }
                var group = Self.takeTail(&state, force: force)
                group.entries.append(contentsOf: entries)
                group.waiter = waiter
                state.groups.append(group)
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
        case lockBusy(Group)
    }

    /// With `synchronous=NORMAL` a commit is a few writes to the page cache, a
    /// few tens of microseconds: cheaper to do on the caller's thread than two
    /// thread hops to the writer and back. Only when nothing else is being
    /// written, and never waiting for a lock, so the cooperative thread is never
    /// held long.
    private func commitOnCallerThread(_ entries: [JournalEntry], withTail force: Bool) -> FastPathOutcome {
        // A due WAL rewind runs on the writer thread, never here.
        if checkpointer.restartDue { return .contended }
        let claimed = state.withLock { state -> Group? in
            guard !state.draining, state.groups.isEmpty else { return nil }
            state.draining = true
            var group = Self.takeTail(&state, force: force)
            group.entries.append(contentsOf: entries)
            return group
        }
        guard let group = claimed else { return .contended }
        var outcome: Result<Void, StoreError>?
        pool.writeWithoutTransaction { db in
            busyPolicy.failingFast {
                do {
                    try db.inTransaction(.immediate) {
                        try EntryWriter.apply(group.entries, in: db, order: order)
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
        if case .failure(let error) = outcome { settleFailed([(group, error)]) } else { retire(group.segments) }
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
        var timer: Int?
        let startDrain = state.withLock { state -> Bool in
            timer = Self.addToTail(&state, entries)
            guard state.appended.count >= Self.appendLimit, !state.draining else { return false }
            return Self.queueTail(&state)
        }
        if startDrain { scheduleDrain() }
        if let timer { startTailTimer(timer) }
    }

    /// Adds `entries` to the tail; returns the generation a timer must be started
    /// for when they are its first.
    static func addToTail(_ state: inout State, _ entries: [JournalEntry]) -> Int? {
        var timer: Int?
        if state.appended.isEmpty, !entries.isEmpty {
            state.appendedSince = .now
            state.tailGeneration += 1
            timer = state.tailGeneration
        }
        state.appended.append(contentsOf: entries)
        return timer
    }

    /// Writes the tail of `generation` after ``tailDelay`` if no commit took it.
    func startTailTimer(_ generation: Int) {
        let (seconds, attoseconds) = Self.tailDelay.components
        let delay = Double(seconds) + Double(attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            self?.writeTail(ifGeneration: generation)
        }
    }

    /// Queues the tail as a group of its own; true when the caller must start a drain.
    static func queueTail(_ state: inout State) -> Bool {
        state.groups.append(Group(entries: state.appended, waiter: nil, segments: state.segments))
        state.appended = []
        state.segments = []
        state.appendedSince = nil
        guard !state.draining else { return false }
        state.draining = true
        return true
    }

    /// Writes a tail that no commit took within ``tailDelay``.
    private func writeTail(ifGeneration generation: Int) {
        let startDrain = state.withLock { state -> Bool in
            guard state.tailGeneration == generation, !state.appended.isEmpty else { return false }
            return Self.queueTail(&state)
        }
        if startDrain { scheduleDrain() }
    }

    func flush() async throws {
        let idle = state.withLock { state in
            state.appended.isEmpty && state.groups.isEmpty && !state.draining
        }
        if idle { return }
        try await commit([], withTail: true)
    }

    /// Blocks until the drains scheduled so far have run; for closing.
    func waitForDrains() {
        drainThread.waitUntilIdle()
    }

    func scheduleDrain() {
        drainThread.async { [self] in
            pool.writeWithoutTransaction { db in drain(db) }
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
        // A durable log's tail that no caller waits for need not reach the disk
        // now: its effects stay in the log until the WAL is flushed.
        let relaxed = log?.durable == true && batch.allSatisfy { $0.waiter == nil }
        do {
            try transaction(db, relaxed: relaxed) {
                for group in batch {
                    try EntryWriter.apply(group.entries, in: db, order: order, yieldingEvery: Self.yieldStride)
                }
            }
            let segments = batch.flatMap(\.segments)
            if relaxed { deferRetirement(segments) } else { retireFlushed(segments) }
            for group in batch { group.waiter?.resume() }
        } catch {
            let storeError = StoreError.wrapping(error, path: path, busyTimeout: busyTimeout)
            if batch.count == 1 || storeError.isRetryable {
                settleFailed(batch.map { ($0, storeError) })
                for group in batch { group.waiter?.resume(throwing: storeError) }
                return
            }
            var failed: [(Group, StoreError)] = []
            for group in batch {
                do {
                    try transaction(db) { try EntryWriter.apply(group.entries, in: db, order: order) }
                    retireFlushed(group.segments)
                    group.waiter?.resume()
                } catch {
                    let storeError = StoreError.wrapping(error, path: path, busyTimeout: busyTimeout)
                    failed.append((group, storeError))
                    group.waiter?.resume(throwing: storeError)
                }
            }
            settleFailed(failed)
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction; `relaxed`, with
    /// `synchronous=NORMAL` on a full-durability store (the commit is not flushed).
    ///
    /// SQLite's busy timeout already waits for another process's lock; the few
    /// SQLITE_BUSY cases it does not wait for (WAL recovery, a snapshot that moved)
    /// are retried here, within the same bound.
    private func transaction(_ db: Database, relaxed: Bool = false, _ body: () throws -> Void) throws {
        if relaxed {
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        defer {
            // Every other write on this connection (memory, forks) stays FULL. The
            // pragma fails only inside a transaction, and this one has ended.
            if relaxed { try? db.execute(sql: "PRAGMA synchronous = FULL") }
        }
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

extension JournalEntry {
    /// A run record: its commit writes the tail of appended entries too.
    fileprivate var isRun: Bool {
        if case .run = self { return true }
        return false
    }
}
