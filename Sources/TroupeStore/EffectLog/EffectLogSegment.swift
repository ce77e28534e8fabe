import Foundation

/// One file of a journal's effect log, open for writing and locked (`flock`) by
/// the journal that writes it for as long as it is open.
///
/// The lock is what tells a live segment from an orphan: the kernel drops it when
/// the writing process dies, so the next journal to open the store can take it
/// and merge the segment (``EffectLog/recoverOrphans(store:apply:)``). Once its
/// effects are committed to SQLite a segment is removed, or renamed to a spare
/// (``retire(as:)``) that a later segment reuses (``reuse(as:)``): creating a
/// file on ext4 costs about 0.2 ms, mostly in choosing an inode that was not
/// just freed, and a loop of fast steps needs a new segment every 100 steps.
///
/// **Durable segments** (``StoreOptions/Durability/full``) are written in place
/// and each write is followed by `fdatasync`. The file is filled with zeros to
/// ``durableSize`` once, when it is created, and never shrinks: overwriting
/// blocks that are already written leaves the file's size and extents alone, so
/// `fdatasync` flushes only the data (about 1.5× the rate of appending on ext4).
/// A retired segment is emptied by a header with a new salt, made durable before
/// the file is reused, so the records of its earlier use are never read back
/// (see ``EffectLogCodec``).
///
/// Not thread-safe: the ``GroupCommitQueue`` that owns a segment writes it under
/// its own lock, and for durable segments on the log's sync thread only.
struct EffectLogSegment: Sendable {
    let path: String
    let durable: Bool
    private let descriptor: Int32
    /// The salt of this use of the file: every record carries it.
    private(set) var salt: UInt64
    /// Where the next record goes.
    private(set) var end: Int

    /// How much a durable segment holds before it grows: the effects of one tail
    /// (``GroupCommitQueue/logTailLimit`` entries) fit many times over.
    static let durableSize = 512 * 1024

    /// Creates, locks and opens a new segment at `path`, with the log's header;
    /// a durable one is filled to ``durableSize`` and made durable, with its name.
    static func create(path: String, durable: Bool) throws(StoreError) -> EffectLogSegment {
        let flags = O_CREAT | O_EXCL | O_CLOEXEC | (durable ? O_RDWR : O_WRONLY | O_APPEND)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw Self.failure(path, "cannot create the effect log") }
        // Only the creator knows the name yet, but a journal opening the store at
        // this instant may already list it: whoever locks first owns it, and a
        // segment recovered (and removed) before the lock is taken here is useless.
        var info = stat()
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, fstat(descriptor, &info) == 0, info.st_nlink > 0 else {
            close(descriptor)
            throw StoreError.cannotOpen(path: path, reason: "another journal took the effect log being created")
        }
        var segment = EffectLogSegment(path: path, durable: durable, descriptor: descriptor)
        do {
            if durable {
                try segment.fillWithZeros()
                try segment.writeHeader()
                // The size, the extents and the name must all survive power loss
                // before a record in this file counts.
                try segment.sync(metadata: true)
                try Self.syncDirectory(of: path)
            } else {
                try segment.writeHeader()
            }
        } catch {
            segment.remove()
            throw error
        }
        return segment
    }

    private init(path: String, durable: Bool, descriptor: Int32) {
        self.path = path
        self.durable = durable
        self.descriptor = descriptor
        salt = EffectLogCodec.newSalt()
        end = 0
    }

    private func renamed(_ path: String) -> EffectLogSegment {
        var copy = EffectLogSegment(path: path, durable: durable, descriptor: descriptor)
        copy.salt = salt
        copy.end = end
        return copy
    }

    /// Renames the file to `sparePath`, out of the log (its effects are in SQLite),
    /// and empties it, ready for ``reuse(as:)``: a new header with a new salt,
    /// made durable for a durable segment. The file stays open and locked. Called
    /// off the callers' threads, so that emptying a file never delays a step.
    ///
    /// The rename comes first: a reader that read the old bytes sees the name
    /// gone and reads SQLite again, which has the effects by now.
    func retire(as sparePath: String) -> EffectLogSegment? {
        guard rename(path, sparePath) == 0 else {
            remove()
            return nil
        }
        var spare = renamed(sparePath)
        spare.salt = EffectLogCodec.newSalt()
        do {
            if durable {
                try spare.writeHeader()
                try spare.sync(metadata: false)
            } else {
                guard ftruncate(descriptor, 0) == 0 else { throw Self.failure(sparePath, "cannot empty the effect log") }
                try spare.writeHeader()
            }
        } catch {
            spare.remove()
            return nil
        }
        return spare
    }

    /// Renames a spare (emptied by ``retire(as:)``) into the log as a new segment;
    /// for a durable one, makes the new name durable.
    func reuse(as path: String) throws(StoreError) -> EffectLogSegment {
        guard rename(self.path, path) == 0 else {
            let error = Self.failure(path, "cannot reuse a spare effect log")
            remove()
            throw error
        }
        let segment = renamed(path)
        if durable {
            do {
                try Self.syncDirectory(of: path)
            } catch {
                segment.remove()
                throw error
            }
        }
        return segment
    }

    /// Writes `bytes` after the records so far. A normal segment appends with
    /// write(2): once it returns they survive the process. A durable one writes
    /// in place; they survive power loss once ``sync(metadata:)`` returns.
    mutating func append(_ bytes: [UInt8]) throws(StoreError) {
        try write(bytes, at: end)
        end += bytes.count
    }

    /// Flushes the file's data to the disk: `fdatasync`, or `fsync` when the
    /// file's metadata changed and must be durable too.
    func sync(metadata: Bool) throws(StoreError) {
        while (metadata ? fsync(descriptor) : fdatasync(descriptor)) != 0 {
            if errno != EINTR { throw Self.failure(path, "cannot flush the effect log to disk") }
        }
    }

    /// Removes the file, then closes it (and so unlocks it): its effects are in SQLite.
    func remove() {
        unlink(path)
        close(descriptor)
    }

    /// Closes the file and leaves it for the next journal that opens the store.
    func abandon() {
        close(descriptor)
    }

    // MARK: Writing

    private mutating func writeHeader() throws(StoreError) {
        let header = EffectLogCodec.header(salt: salt)
        try write(header, at: 0)
        end = header.count
    }

    /// Writes zeros over the whole of a new durable segment, so that later records
    /// overwrite written blocks (preallocated but unwritten extents would be
    /// converted on first write: a metadata change each `fdatasync` must flush).
    private func fillWithZeros() throws(StoreError) {
        let zeros = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = 0
        while offset < Self.durableSize {
            try write(zeros, at: offset)
            offset += zeros.count
        }
    }

    private func write(_ bytes: [UInt8], at position: Int) throws(StoreError) {
        let failed = bytes.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return false }
            var offset = 0
            while offset < raw.count {
                let written = durable
                    ? pwrite(descriptor, base + offset, raw.count - offset, off_t(position + offset))
                    : Glibc.write(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                offset += written
            }
            return false
        }
        if failed { throw Self.failure(path, "cannot write the effect log") }
    }

    /// Makes the entries of the folder holding `path` durable: a created or
    /// renamed file's name survives power loss only then.
    static func syncDirectory(of path: String) throws(StoreError) {
        try FileFlush.flush(URL(fileURLWithPath: path).deletingLastPathComponent().path, folder: true)
    }

    private static func failure(_ path: String, _ what: String) -> StoreError {
        .cannotOpen(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
