import TroupeCore

extension SQLiteJournal {
    /// Everything recorded about the run `runID`, as a ``Cassette``.
    ///
    /// All tables are read in one read transaction, so the cassette is a
    /// consistent snapshot even while the run is still being written.
    ///
    /// - Throws: ``StoreError/runNotFound(_:)``.
    public func cassette(runID: String) async throws -> Cassette {
        let cassette = try await readEffects(runID: runID) { db -> Cassette? in
            guard let run = try Self.fetchRun(db, id: runID) else { return nil }
            return Cassette(
                run: run,
                effects: try Self.fetchEffects(db, runID: runID),
                steps: try Self.fetchAll(db, Self.stepColumns, from: "steps", runID: runID, decode: Self.decodeStep),
                messages: try Self.fetchAll(db, Self.messageColumns, from: "messages", runID: runID, decode: Self.decodeMessage),
                spans: try Self.fetchAll(db, Self.spanColumns, from: "spans", runID: runID, decode: Self.decodeSpan),
                links: try Self.fetchAll(db, Self.linkColumns, from: "span_links", runID: runID, decode: Self.decodeLink))
        } overlay: { cassette, logged in
            guard var value = cassette else { return }
            EffectLog.overlay(logged, on: &value.effects)
            cassette = value
        }
        guard let cassette else { throw StoreError.runNotFound(runID) }
        return cassette
    }

    /// Writes the cassette's run into this store under its own id, in one
    /// transaction, and returns once it is durable.
    ///
    /// Importing is idempotent: every record is an upsert by run and key, so
    /// importing the same cassette twice leaves one copy. Rows of that run already
    /// in the store and absent from the cassette are kept.
    public func importCassette(_ cassette: Cassette) async throws {
        try await commit(cassette.entries)
    }
}
