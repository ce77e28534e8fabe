import Foundation
import Synchronization
import TroupeCore

/// The append-only log in front of a store's `effects` table.
///
/// A committed effect must survive a killed process before the workflow sees it.
/// A SQLite transaction gives that at the price of about eight system calls (WAL
/// locks in the shared-memory file, a frame header and a page); one write(2) of
/// the encoded effect to a file gives the same guarantee. So an effect-only
/// commit is appended to the journal's current log segment and returns, and the
/// effect joins the tail of appended entries that the writer thread commits to
/// SQLite in bulk (``GroupCommitQueue``); once that transaction is in the WAL the
/// segment is removed.
///
/// **Full durability.** With ``StoreOptions/Durability/full`` the log is
/// *durable*: a commit's record is written in place into a preallocated segment
/// and `fdatasync`ed, by the ``EffectLogSyncer`` thread, before the commit
/// returns. That is one data flush per commit (or per batch of concurrent
/// commits) where a SQLite transaction with `synchronous=FULL` costs a flush of
/// the WAL with its metadata. New and reused files and their names are made
/// durable before a record in them counts, and the tail reaches SQLite, still
/// with `synchronous=FULL`, before a segment is emptied or removed.
///
/// **Files.** Segments sit next to the store, named
/// `STORE-effects-INSTANCE-NUMBER`, one series per open journal. Each is locked
/// with `flock` while its journal has it open.
///
/// **Crashes.** A killed process leaves its segments unlocked: the next journal
/// that opens the store merges them into SQLite (in the order they were written)
/// and removes them, before anything reads the store.
///
/// **Readers.** Until its tail is committed, an effect is only in the log: the
/// store's reads of effects (``SQLiteJournal/load(runID:)``,
/// ``SQLiteJournal/effects(runID:)``, cassettes) lay the live segments of every
/// journal, of this process or another, over what SQLite returns.
final class EffectLog: Sendable {
    let store: String
    /// Whether commits wait for `fdatasync` (full durability).
    let durable: Bool
    /// The thread of a durable log's writes and flushes; nil for a normal log.
    let syncer: EffectLogSyncer?
    /// This journal's series: random, so journals of one process never collide.
    private let instance: String
    private let nextNumber = Atomic<Int>(0)
    /// Retired segments kept to be reused, so the log rarely creates a file.
    private let spares = Mutex<[EffectLogSegment]>([])
    /// A durable log's next segment, already named and durable, made on the
    /// housekeeping queue when a segment retires so that the commit that needs it
    /// does not wait for a directory flush.
    private let prepared = Mutex<EffectLogSegment?>(nil)
    /// The path of the last segment handed out: segments are used in the order of
    /// their names, so a prepared one named before it is not used.
    private let lastIssued = Mutex("")
    static let spareLimit = 4

    init(store: String, durable: Bool = false) {
        self.store = store
        self.durable = durable
        syncer = durable ? EffectLogSyncer() : nil
        instance = Self.padded(String(UInt64.random(in: .min ... .max), radix: 16), to: 16)
    }

    deinit {
        for spare in spares.withLock({ $0 }) { spare.remove() }
        prepared.withLock { $0 }?.remove()
    }

    /// This journal's next segment: the prepared one, a spare renamed into the
    /// log, or a new file. A durable log calls it on its sync thread only, so its
    /// segments are numbered in the order they are used.
    func newSegment() throws(StoreError) -> EffectLogSegment {
        let segment: EffectLogSegment
        if let prepared = takePrepared() { segment = prepared } else { segment = try makeSegment() }
        lastIssued.withLock { $0 = segment.path }
        return segment
    }

    /// The prepared segment, unless the writer needed one while it was being
    /// prepared and made its own, named later: then it goes back to the spares.
    private func takePrepared() -> EffectLogSegment? {
        guard let segment = prepared.withLock({ prepared in defer { prepared = nil }; return prepared }) else {
            return nil
        }
        if segment.path > lastIssued.withLock({ $0 }) { return segment }
        retire(segment)
        return nil
    }

    /// A spare renamed into the log, or a new file, named after every segment so far.
    private func makeSegment() throws(StoreError) -> EffectLogSegment {
        let path = nextPath(Self.prefix(of: store))
        if let spare = spares.withLock({ $0.popLast() }) {
            return try spare.reuse(as: path)
        }
        return try createSegment(path)
    }

    /// Takes a segment whose effects are all committed out of the log: kept as a
    /// spare, or removed when there are enough. A durable log does it on its
    /// housekeeping queue, after the writes queued so far, and prepares its next
    /// segment there: each is a flush that a commit would otherwise wait behind.
    func retire(_ segment: EffectLogSegment) {
        guard let syncer else { return retireNow(segment) }
        syncer.afterWrites {
            self.retireNow(segment)
            self.prepareNextSegment()
        }
    }

    /// Closes a segment and leaves it for the next journal to merge (its effects
    /// did not reach SQLite); a durable log closes it on its sync thread.
    func abandon(_ segment: EffectLogSegment) {
        guard let syncer else { return segment.abandon() }
        syncer.async { segment.abandon() }
    }

    private func retireNow(_ segment: EffectLogSegment) {
        let keep = spares.withLock { $0.count < Self.spareLimit }
        guard keep else { return segment.remove() }
        guard let spare = segment.retire(as: nextPath(Self.sparePrefix(of: store))) else { return }
        spares.withLock { $0.append(spare) }
    }

    /// On the housekeeping queue, the only place that sets `prepared`.
    private func prepareNextSegment() {
        guard prepared.withLock({ $0 == nil }), let segment = try? makeSegment() else { return }
        prepared.withLock { $0 = segment }
    }

    /// Removes the spares and the prepared segment once what the sync thread and
    /// the housekeeping queue have queued is done; the log is closing.
    func removeSpares() {
        syncer?.waitUntilIdle()
        for spare in spares.withLock({ spares in defer { spares = [] }; return spares }) { spare.remove() }
        prepared.withLock { prepared in defer { prepared = nil }; return prepared }?.remove()
    }

    private func createSegment(_ first: String) throws(StoreError) -> EffectLogSegment {
        var path = first
        var attempts = 0
        while true {
            do {
                return try EffectLogSegment.create(path: path, durable: durable)
            } catch {
                // Lost a race with a journal recovering the name: take the next one.
                attempts += 1
                if attempts >= 3 || FileManager.default.fileExists(atPath: path) == false { throw error }
                path = nextPath(Self.prefix(of: store))
            }
        }
    }

    /// `prefix`, this journal's series and its next number.
    private func nextPath(_ prefix: String) -> String {
        prefix + instance + "-" + Self.padded(String(nextNumber.add(1, ordering: .relaxed).newValue), to: 10)
    }

    // MARK: Segments of a store

    /// What every segment of `store` is named after.
    static func prefix(of store: String) -> String { store + "-effects-" }

    /// What spares are named after: not a segment's name, so no reader reads one.
    static func sparePrefix(of store: String) -> String { store + "-effects.spare-" }

    /// The segments next to `store`, each journal's in the order they were written.
    static func segmentPaths(store: String) -> [String] {
        files(prefix: prefix(of: store))
    }

    /// The files whose path starts with `prefix`, sorted by name.
    private static func files(prefix: String) -> [String] {
        let url = URL(fileURLWithPath: prefix)
        let folder = url.deletingLastPathComponent().path
        let namePrefix = url.lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasPrefix(namePrefix) }.sorted().map { folder + "/" + $0 }
    }

    /// Merges the segments of journals that died: each unlocked segment is locked,
    /// its effects handed to `apply` (one call for all, in the order they were
    /// written), and removed once `apply` returns. Locked segments belong to live
    /// journals and are left alone.
    static func recoverOrphans(store: String, apply: ([EffectRecord]) throws -> Void) throws {
        var claimed: [(path: String, descriptor: Int32)] = []
        defer { for segment in claimed { close(segment.descriptor) } }
        var effects: [EffectRecord] = []
        for path in segmentPaths(store: store) {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            var info = stat()
            // Unlocked and still linked: an orphan (another journal may have merged
            // and removed it between the listing and the lock).
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, fstat(descriptor, &info) == 0, info.st_nlink > 0 else {
                close(descriptor)
                continue
            }
            claimed.append((path, descriptor))
            effects += readAll(descriptor).flatMap(EffectLogCodec.decode) ?? []
        }
        if !effects.isEmpty { try apply(effects) }
        for segment in claimed { unlink(segment.path) }
        // Spares of journals that died hold only committed effects.
        for path in files(prefix: sparePrefix(of: store)) {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            close(descriptor)
        }
    }

    /// The logged effects of `runID` in the segments at `paths`, in the order they
    /// were written; nil when one of them left the log in the meantime (merged
    /// into SQLite after the caller listed it: read SQLite again).
    static func loggedEffects(runID: String, in paths: [String]) -> [EffectRecord]? {
        var effects: [EffectRecord] = []
        for path in paths {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            let bytes = readAll(descriptor)
            // Still under its name after the read: the bytes were read before the
            // segment was retired (and a spare is emptied only after that).
            var opened = stat()
            var named = stat()
            guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino else {
                return nil
            }
            let logged = bytes.flatMap(EffectLogCodec.decode) ?? []
            effects += logged.lazy.filter { $0.runID == runID }
        }
        return effects
    }

    /// `effects` with `logged` laid over them: a logged effect replaces the one
    /// with its key, or comes after the others when it is new.
    static func overlay(_ logged: [EffectRecord], on effects: inout [EffectRecord]) {
        guard !logged.isEmpty else { return }
        var index = Dictionary(effects.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        for effect in logged {
            if let at = index[effect.key] {
                effects[at] = effect
            } else {
                index[effect.key] = effects.count
                effects.append(effect)
            }
        }
    }

    // MARK: Helpers

    /// Zero-padded, so names sort in the order they were made.
    private static func padded(_ digits: String, to width: Int) -> String {
        String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func readAll(_ descriptor: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }
}
