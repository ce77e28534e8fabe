import Foundation
import Synchronization
import TroupeCore

/// The thread that makes a durable effect log's writes durable: it writes the
/// records of every commit queued so far, `fdatasync`s once for all of them, and
/// resumes their callers.
///
/// `fdatasync` blocks for a disk flush (about 0.1 ms on an SSD, far more on a
/// disk), so it never runs on the cooperative pool; callers only suspend. Commits
/// that arrive during a flush ride the next one, so concurrent commits share its
/// cost. Closing a segment is queued here too, after the writes already queued,
/// so a file is never closed under a write or flush of it. Slower work on the
/// log's files (emptying a retired segment, making the next one's name durable:
/// a flush each) goes to a second, housekeeping queue once the writes queued
/// before it are done (``afterWrites(_:)``), so that the commits waiting for the
/// next flush never wait for it.
final class EffectLogSyncer: Sendable {
    /// One commit's effects, encoded, and the caller waiting for them.
    struct Write: Sendable {
        var entries: [JournalEntry]
        var effects: [EffectRecord]
        var waiter: CheckedContinuation<Void, any Error>
    }

    private struct Pending {
        var writes: [Write] = []
        var scheduled = false
    }

    private let queue = DispatchQueue(label: "troupe.effect-log.sync")
    private let housekeeping = DispatchQueue(label: "troupe.effect-log.housekeeping")
    private let pending = Mutex(Pending())

    /// Queues `write`; `drain` is called on the sync thread with every write
    /// queued so far, in the order they were queued.
    func submit(_ write: Write, drain: @escaping @Sendable ([Write]) -> Void) {
        let schedule = pending.withLock { pending -> Bool in
            pending.writes.append(write)
            guard !pending.scheduled else { return false }
            pending.scheduled = true
            return true
        }
        guard schedule else { return }
        queue.async {
            while true {
                let batch = self.pending.withLock { pending -> [Write] in
                    if pending.writes.isEmpty {
                        pending.scheduled = false
                        return []
                    }
                    defer { pending.writes = [] }
                    return pending.writes
                }
                if batch.isEmpty { return }
                drain(batch)
            }
        }
    }

    /// Runs `work` on the sync thread after what is queued.
    func async(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Runs `work` on the housekeeping queue once the writes and flushes queued
    /// so far are done, without holding up the ones queued after it.
    func afterWrites(_ work: @escaping @Sendable () -> Void) {
        queue.async { self.housekeeping.async(execute: work) }
    }

    /// Blocks until what is queued, housekeeping included, has run; for closing,
    /// off the cooperative pool's hot path.
    func waitUntilIdle() {
        queue.sync {}
        housekeeping.sync {}
    }
}
