import Foundation
internal import GRDB
import TroupeCore

/// The durable ``Journal``: a Troupe store in one SQLite file (WAL), shared safely by
/// every task of a process and by several processes at once.
///
/// ```swift
/// let journal = try SQLiteJournal(path: StoreLocation.resolve(explicit: storeOption))
/// try await journal.commit([.run(run), .effect(started)])   // durable when it returns
/// await journal.append([.span(span, replace: true)])         // rides the next commit
/// let runs = try await journal.runs()                        // newest first
/// ```
///
/// **Opening.** A missing or empty file becomes a new store (schema v1 by
/// migrations). A file that is not a Troupe store — a text file, another
/// application's SQLite database — throws ``StoreError/notATroupeStore(path:reason:)``
/// and one written by a newer troupe throws
/// ``StoreError/newerSchema(path:unknownMigrations:)``; either way the file is only
/// read, never written. Opening blocks the calling thread for a few milliseconds:
/// do it once, before the hot path.
///
/// **Writing.** ``commit(_:)`` calls from many tasks are coalesced by one writer
/// into one transaction (group commit) and each returns once its entries are
/// durable — against a killed process with ``StoreOptions/Durability/normal``,
/// against power loss with ``StoreOptions/Durability/full``. Entries are upserts
/// keyed by run and key, so writing one again replaces it rather than duplicating
/// it. An uncontended commit with ``StoreOptions/Durability/normal`` runs on the
/// caller's thread (tens of microseconds of page-cache writes, never waiting for
/// a lock: if another process holds it, the commit moves to the writer thread);
/// every other write, and every wait, happens on GRDB's writer thread while
/// callers only suspend. WAL checkpoints run on a connection of their own.
///
/// **The effect log.** A commit of effects alone (what a step makes) goes to an
/// append-only file next to the store, the ``EffectLog``: with
/// ``StoreOptions/Durability/normal`` one write(2), which survives a killed
/// process as a WAL commit would; with ``StoreOptions/Durability/full`` a write
/// into a preallocated file and an `fdatasync` on the log's own thread, which
/// survives power loss as a FULL commit would, at about one data flush per step.
/// The effects reach SQLite in bulk with the appended entries. Reads
/// of effects lay the logged ones over SQLite's, so every commit that returned is
/// seen, by this process and by others. The log of a process that died is merged
/// by the next journal that opens the store.
///
/// **Several processes.** Writes take SQLite's write lock with `BEGIN IMMEDIATE`
/// and wait for it up to ``StoreOptions/busyTimeout``; past that they throw
/// ``StoreError/locked(path:waitedSeconds:)``. Readers never wait for writers (WAL).
///
/// **Errors.** Every method throws ``StoreError``.
public final class SQLiteJournal: Journal {
    /// The store file.
    public let path: String
    public let options: StoreOptions

    let pool: DatabasePool
    private let writer: GroupCommitQueue
    private let checkpointer: WALCheckpointer

    /// Opens the store at `path`, creating it (and its schema) if the file is
    /// missing or empty.
    ///
    /// - Throws: ``StoreError/notATroupeStore(path:reason:)``,
    ///   ``StoreError/newerSchema(path:unknownMigrations:)`` (the file is left
    ///   untouched), ``StoreError/cannotOpen(path:reason:)``,
    ///   ``StoreError/locked(path:waitedSeconds:)``.
    public init(path: String, options: StoreOptions = .init()) throws {
        self.path = path
        self.options = options
        let timeout = options.busyTimeoutSeconds
        _ = try StoreFileInspector.inspect(path: path, busyTimeout: timeout)
        let busyPolicy = BusyPolicy(timeoutSeconds: timeout)
        do {
            pool = try GroupCommitQueue.retryingBusy(path: path, timeout: timeout) {
                try Self.openPool(path: path, options: options, busyPolicy: busyPolicy)
            }
            try Self.migrate(pool, path: path, timeout: timeout)
            try Self.recoverEffectLogs(pool, path: path, timeout: timeout)
            let checkpointer = try WALCheckpointer(path: path)
            pool.writeWithoutTransaction { db in checkpointer.attach(to: db) }
            self.checkpointer = checkpointer
        } catch {
            throw StoreError.wrapping(error, path: path, busyTimeout: timeout)
        }
        writer = GroupCommitQueue(
            pool: pool, path: path, busyTimeout: timeout, busyPolicy: busyPolicy,
            checkpointer: checkpointer, allowsFastPath: options.durability == .normal,
            log: EffectLog(store: path, durable: options.durability == .full))
    }

    // MARK: Journal

    /// Writes `entries`, and everything appended before them, in one transaction
    /// shared with the commits of other tasks; returns once it is durable.
    public func commit(_ entries: [JournalEntry]) async throws {
        try await writer.commit(entries)
    }

    /// Queues `entries` for the next commit or ``flush()``. Never waits for the disk;
    /// when many entries pile up they are written on their own.
    public func append(_ entries: [JournalEntry]) async {
        writer.append(entries)
    }

    /// Writes everything appended so far; returns once it is durable.
    public func flush() async throws {
        try await writer.flush()
    }

    /// The run and its effects in the order they were first started, or nil.
    public func load(runID: String) async throws -> RunJournal? {
        try await readEffects(runID: runID) { db in
            guard let run = try Self.fetchRun(db, id: runID) else { return nil }
            // The primary key (run, key) keeps keys unique; the overlay replaces by key.
            return RunJournal(run: run, effects: try Self.fetchEffects(db, runID: runID), keysAreUnique: true)
        } overlay: { journal, logged in
            guard var value = journal else { return }
            EffectLog.overlay(logged, on: &value.effects)
            journal = value
        }
    }

    /// Flushes appended entries and closes the file. Calls made after this throw.
    public func close() async throws {
        try await flush()
        writer.closeLog()
        do {
            try await pool.writeWithoutTransaction { db in checkpointer.detach(from: db) }
            try checkpointer.close()
            try pool.close()
        } catch {
            throw StoreError.wrapping(error, path: path, busyTimeout: options.busyTimeoutSeconds)
        }
    }

    // MARK: Internals

    /// Runs `body` on a reader connection (never blocked by writers).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch StoreError.database(path: "", let message) {
            throw StoreError.database(path: path, message: message)
        } catch {
            throw StoreError.wrapping(error, path: path, busyTimeout: options.busyTimeoutSeconds)
        }
    }

    /// Runs `body` on a reader connection, then lays over the effects of `runID` it
    /// read those that journals have logged and not yet committed to SQLite.
    ///
    /// The segments are listed before the read: one that is gone by the time it
    /// is read was committed in the meantime, and the read starts over.
    func readEffects<T: Sendable>(runID: String, _ body: @escaping @Sendable (Database) throws -> T,
                                  overlay: (inout T, [EffectRecord]) -> Void) async throws -> T {
        var attempts = 0
        while true {
            let listed = EffectLog.segmentPaths(store: path)
            var value = try await read(body)
            if listed.isEmpty { return value }
            if let logged = EffectLog.loggedEffects(runID: runID, in: listed) {
                overlay(&value, logged)
                return value
            }
            attempts += 1
            if attempts >= 20 { return value }
        }
    }

    /// Merges the effect logs of journals whose process died (see ``EffectLog``).
    private static func recoverEffectLogs(_ pool: DatabasePool, path: String, timeout: Double) throws {
        try EffectLog.recoverOrphans(store: path) { effects in
            let order = WriteOrder()
            try GroupCommitQueue.retryingBusy(path: path, timeout: timeout) {
                try pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        try EntryWriter.apply(effects.map(JournalEntry.effect), in: db, order: order)
                        return .commit
                    }
                }
            }
        }
    }

    private static func openPool(path: String, options: StoreOptions, busyPolicy: BusyPolicy) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.label = "TroupeStore"
        // Readers keep GRDB's own busy timeout; only the writer uses the policy.
        configuration.busyMode = .callback { tries in busyPolicy.shouldRetry(tries: tries) }
        configuration.foreignKeysEnabled = false
        configuration.maximumReaderCount = 4
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            // GRDB sets synchronous=NORMAL when it enables WAL; FULL must come after.
            if options.durability == .full {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            // Checkpoints run on their own connection, when the writer is quiet
            // (WALCheckpointer); a WAL rewound by one is cut back to 16 MiB.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "PRAGMA journal_size_limit = 16777216")
            // The writer upserts rows all over tables keyed by text (span ids are
            // hashes): with SQLite's default 2 MiB cache, a long run's pages fall
            // out and each bulk write reads them back from the file.
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        return pool
    }

    /// Applies the migrations this store lacks.
    ///
    /// Several processes may create one store at the same moment: the loser of
    /// that race fails its migration on tables the winner created, so a failure
    /// is accepted when the schema turns out to be complete.
    private static func migrate(_ pool: DatabasePool, path: String, timeout: Double) throws {
        let migrator = StoreSchema.migrator
        let unknown = try pool.read { db in
            try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
        }
        guard unknown.isEmpty else {
            throw StoreError.newerSchema(path: path, unknownMigrations: unknown.sorted())
        }
        // A statement the migrator runs outside a transaction can also meet
        // SQLITE_BUSY without waiting (its snapshot went stale while another
        // process created the store): try again, within the busy timeout.
        try GroupCommitQueue.retryingBusy(path: path, timeout: timeout) {
            do {
                try migrator.migrate(pool)
            } catch {
                let complete = try? pool.read { db in try migrator.hasCompletedMigrations(db) }
                if complete != true { throw error }
            }
        }
    }
}
