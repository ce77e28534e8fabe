extension GroupCommitQueue {
    // With a durable effect log (StoreOptions.Durability.full) every effect is on
    // the disk before its commit returns, so the bulk merge of a tail into SQLite
    // need not be: flushing the WAL there (`synchronous=FULL`) cost the commits
    // of that moment 2-4 ms, once per ~100 steps of a fast loop. A tail that no
    // caller waits for is therefore committed with `synchronous=NORMAL`, and its
    // log segments stay until the WAL is flushed: by the next commit a caller
    // waits for (FULL), by `syncWALAndRetire()` once the writer is quiet, or at
    // once past `unsyncedLimit` segments. A crash before that leaves the segments
    // to the next journal, which merges them again (the writes are upserts).

    /// After a merge committed with `synchronous=NORMAL`: keeps `segments` until
    /// the WAL is flushed. Called on the writer's thread.
    func deferRetirement(_ segments: [EffectLogSegment]) {
        guard !segments.isEmpty else { return }
        let (flushNow, startTimer) = state.withLock { state -> (Bool, Bool) in
            state.unsynced += segments
            if state.unsynced.count >= Self.unsyncedLimit { return (true, false) }
            guard !state.walSyncTimerSet else { return (false, false) }
            state.walSyncTimerSet = true
            return (false, true)
        }
        if flushNow { syncWALAndRetire() }
        if startTimer {
            checkpointer.whenQuiet { [weak self] in
                guard let self else { return }
                state.withLock { $0.walSyncTimerSet = false }
                drainThread.async { self.syncWALAndRetire() }
            }
        }
    }

    /// After a commit flushed to the disk (`synchronous=FULL`), which flushed the
    /// WAL with every merge before it: retires `segments` and those waiting.
    func retireFlushed(_ segments: [EffectLogSegment]) {
        retire(takeUnsynced() + segments)
    }

    /// Flushes the WAL and retires the segments that waited for it. On failure
    /// they keep waiting (and a journal that closes leaves them to the next).
    func syncWALAndRetire() {
        let waiting = takeUnsynced()
        guard !waiting.isEmpty else { return }
        do throws(StoreError) {
            try FileFlush.flush(path + "-wal")
            retire(waiting)
        } catch {
            state.withLock { $0.unsynced.insert(contentsOf: waiting, at: 0) }
        }
    }

    private func takeUnsynced() -> [EffectLogSegment] {
        state.withLock { state in
            defer { state.unsynced = [] }
            return state.unsynced
        }
    }
}
