import Foundation

/// One file of a journal's effect log, open for appending and locked (`flock`) by
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
/// Not thread-safe: the ``GroupCommitQueue`` that owns a segment writes it under
/// its own lock.
struct EffectLogSegment: Sendable {
    let path: String
    private let descriptor: Int32

    /// Creates, locks and opens a new segment at `path`, with the log's header.
    static func create(path: String) throws(StoreError) -> EffectLogSegment {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure(path, "cannot create the effect log") }
        // Only the creator knows the name yet, but a journal opening the store at
        // this instant may already list it: whoever locks first owns it, and a
        // segment recovered (and removed) before the lock is taken here is useless.
        var info = stat()
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, fstat(descriptor, &info) == 0, info.st_nlink > 0 else {
            close(descriptor)
            throw StoreError.cannotOpen(path: path, reason: "another journal took the effect log being created")
        }
        let segment = EffectLogSegment(path: path, descriptor: descriptor)
        do {
            try segment.append(EffectLogCodec.header)
        } catch {
            segment.remove()
            throw error
        }
        return segment
    }

    /// Renames the file to `sparePath`, out of the log (its effects are in SQLite),
    /// and empties it down to the header, ready for ``reuse(as:)``. The file stays
    /// open and locked. Called by the writer thread, so that emptying a file never
    /// delays a step.
    func retire(as sparePath: String) -> EffectLogSegment? {
        guard rename(path, sparePath) == 0 else {
            remove()
            return nil
        }
        let spare = EffectLogSegment(path: sparePath, descriptor: descriptor)
        guard ftruncate(descriptor, 0) == 0, (try? spare.append(EffectLogCodec.header)) != nil else {
            spare.remove()
            return nil
        }
        return spare
    }

    /// Renames a spare (emptied by ``retire(as:)``) into the log as a new segment.
    func reuse(as path: String) throws(StoreError) -> EffectLogSegment {
        guard rename(self.path, path) == 0 else {
            let error = Self.failure(path, "cannot reuse a spare effect log")
            remove()
            throw error
        }
        return EffectLogSegment(path: path, descriptor: descriptor)
    }

    /// Appends `bytes` with write(2): once it returns they survive the process.
    func append(_ bytes: [UInt8]) throws(StoreError) {
        let failed = bytes.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return false }
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, base + offset, raw.count - offset)
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

    /// Removes the file, then closes it (and so unlocks it): its effects are in SQLite.
    func remove() {
        unlink(path)
        close(descriptor)
    }

    /// Closes the file and leaves it for the next journal that opens the store.
    func abandon() {
        close(descriptor)
    }

    private static func failure(_ path: String, _ what: String) -> StoreError {
        .cannotOpen(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
