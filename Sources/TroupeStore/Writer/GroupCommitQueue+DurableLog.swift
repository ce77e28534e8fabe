import TroupeCore

extension GroupCommitQueue {
    /// Commits effects through a durable log (``StoreOptions/Durability/full``):
    /// returns once their record is written and `fdatasync`ed, which survives
    /// power loss. The effects join the tail like a normal log's, and the writer
    /// thread commits it to SQLite (with `synchronous=FULL`) once
    /// ``logTailLimit`` entries are queued.
    ///
    /// The caller only suspends: the write and the flush happen on the log's
    /// ``EffectLogSyncer`` thread, with those of every commit queued meanwhile.
    func commitToDurableLog(_ entries: [JournalEntry], effects: [EffectRecord], log: EffectLog) async throws {
        guard let syncer = log.syncer else { return try commitToLog(entries, effects: effects, log: log) }
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            syncer.submit(.init(entries: entries, effects: effects, waiter: waiter)) { batch in
                self.writeDurably(batch, log: log)
            }
        }
    }

    /// On the sync thread: writes each commit's record to the current segment,
    /// under the queue's lock so that the log's order is the tail's, then flushes
    /// every segment written once, and resumes the callers.
    ///
    /// A segment taken with the tail meanwhile is retired only once this flush is
    /// done (``EffectLogSyncer/afterWrites(_:)``), so its file is still open here.
    private func writeDurably(_ batch: [EffectLogSyncer.Write], log: EffectLog) {
        var written: [EffectLogSyncer.Write] = []
        var failed: [(EffectLogSyncer.Write, StoreError)] = []
        var flushed: [EffectLogSegment] = []
        var timer: Int?
        checkpointer.noteActivity()
        let startDrain = state.withLock { state -> Bool in
            for write in batch {
                do throws(StoreError) {
                    let segment = try Self.appendToLog(&state, write.effects, log: log)
                    if flushed.last?.path != segment.path { flushed.append(segment) }
                    if let generation = Self.addToTail(&state, write.entries) { timer = generation }
                    written.append(write)
                } catch {
                    failed.append((write, error))
                }
            }
            guard state.appended.count >= Self.logTailLimit else { return false }
            return Self.queueTail(&state)
        }
        do throws(StoreError) {
            for segment in flushed { try segment.sync(metadata: false) }
            for write in written { write.waiter.resume() }
        } catch {
            // The records may or may not be on the disk: the callers learn that
            // their commit failed; the effects still reach SQLite with the tail.
            for write in written { write.waiter.resume(throwing: error) }
        }
        for (write, error) in failed { write.waiter.resume(throwing: error) }
        if startDrain { scheduleDrain() }
        if let timer { startTailTimer(timer) }
    }
}
