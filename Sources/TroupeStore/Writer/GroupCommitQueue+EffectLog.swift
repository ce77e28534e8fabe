import TroupeCore

extension GroupCommitQueue {
    /// Commits effects by appending them to a normal log: durable against a
    /// killed process once the write(2) returns. They join the tail, which the writer
    /// thread commits to SQLite once ``logTailLimit`` entries are queued.
    ///
    /// The write happens under the queue's lock, so the log's order is the tail's.
    func commitToLog(_ entries: [JournalEntry], effects: [EffectRecord], log: EffectLog) throws(StoreError) {
        var timer: Int?
        checkpointer.noteActivity()
        let startDrain = try state.withLock { state throws(StoreError) -> Bool in
            _ = try Self.appendToLog(&state, effects, log: log)
            timer = Self.addToTail(&state, entries)
            guard state.appended.count >= Self.logTailLimit else { return false }
            // A drain under way takes the queued tail in its next round.
            return Self.queueTail(&state)
        }
        if startDrain { scheduleDrain() }
        if let timer { startTailTimer(timer) }
    }

    /// Appends the record of `effects` to the current segment (a new one when there
    /// is none) and returns that segment. Call under the queue's lock, so the log's
    /// order is the tail's.
    static func appendToLog(_ state: inout State, _ effects: [EffectRecord],
                            log: EffectLog) throws(StoreError) -> EffectLogSegment {
        if state.segments.isEmpty { state.segments.append(try log.newSegment()) }
        let last = state.segments.count - 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(effects.count * 512)
        EffectLogCodec.encode(effects, salt: state.segments[last].salt, into: &bytes)
        try state.segments[last].append(bytes)
        return state.segments[last]
    }

    /// The effects of `entries` when that is all they hold, or nil.
    static func effectsOnly(_ entries: [JournalEntry]) -> [EffectRecord]? {
        guard !entries.isEmpty else { return nil }
        var effects: [EffectRecord] = []
        effects.reserveCapacity(entries.count)
        for entry in entries {
            guard case .effect(let effect) = entry else { return nil }
            effects.append(effect)
        }
        return effects
    }

    /// Takes segments whose effects are committed out of the log.
    func retire(_ segments: [EffectLogSegment]) {
        guard let log else { return }
        for segment in segments { log.retire(segment) }
    }

    /// After failed writes of `groups` (in the order they were queued): logged
    /// effects were promised durable, so when a failure may pass (another process
    /// held the lock too long) the group's entries go back to the front of the
    /// tail, with their segments, for the next write; otherwise its segments are
    /// left for the next journal that opens the store to merge.
    func settleFailed(_ groups: [(Group, StoreError)]) {
        var entries: [JournalEntry] = []
        var segments: [EffectLogSegment] = []
        for (group, error) in groups where !group.segments.isEmpty {
            if error.isRetryable {
                entries += group.entries
                segments += group.segments
            } else {
                for segment in group.segments { log?.abandon(segment) }
            }
        }
        guard !segments.isEmpty else { return }
        state.withLock { state in
            if state.appended.isEmpty { state.appendedSince = .now }
            state.appended.insert(contentsOf: entries, at: 0)
            state.segments.insert(contentsOf: segments, at: 0)
        }
    }

    /// Closes the log after a final flush: segments whose effects are all
    /// committed are removed, any others left for the next journal to merge.
    func closeLog() {
        // A drain may still be retiring segments, and a durable log's sync
        // thread flushing or retiring one.
        waitForDrains()
        syncWALAndRetire()
        log?.syncer?.waitUntilIdle()
        state.withLock { state in
            for segment in state.segments {
                if state.appended.isEmpty { segment.remove() } else { segment.abandon() }
            }
            // Merged, but the WAL could not be flushed: the next journal merges them again.
            for segment in state.unsynced { segment.abandon() }
            state.segments = []
            state.unsynced = []
        }
        log?.removeSpares()
    }
}
