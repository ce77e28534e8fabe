internal import GRDB
import TroupeCore

/// What the CLI shows: runs and everything recorded about one run.
///
/// Reads run on a reader connection and see every commit that returned before
/// them (effects still in an ``EffectLog`` included); entries only appended (not
/// yet committed or flushed) are not visible.
extension SQLiteJournal {
    /// Runs, newest first.
    ///
    /// ```swift
    /// for run in try await journal.runs(limit: 20) {
    ///     print(run.id, run.workflow, run.status, run.usage.totalTokens)
    /// }
    /// ```
    public func runs(limit: Int? = nil) async throws -> [RunRecord] {
        try await read { db in
            var sql = "SELECT \(Self.runColumns) FROM runs ORDER BY created_at DESC, rowid DESC"
            var arguments: StatementArguments = []
            if let limit {
                sql += " LIMIT ?"
                arguments = [limit]
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.decodeRun)
        }
    }

    /// The run with exactly this id, or nil.
    public func run(id: String) async throws -> RunRecord? {
        try await read { db in try Self.fetchRun(db, id: id) }
    }

    /// The run whose id is `idOrPrefix` or, failing that, the only run whose id
    /// starts with it — as users type the first characters of an id.
    ///
    /// - Throws: ``StoreError/runNotFound(_:)``, or
    ///   ``StoreError/ambiguousRunID(prefix:matches:)`` listing the candidates.
    public func resolveRun(_ idOrPrefix: String) async throws -> RunRecord {
        let matches = try await read { db -> [RunRecord] in
            if let run = try Self.fetchRun(db, id: idOrPrefix) { return [run] }
            guard !idOrPrefix.isEmpty else { return [] }
            return try Row.fetchAll(
                db, sql: "SELECT \(Self.runColumns) FROM runs WHERE id GLOB ? ORDER BY id LIMIT 20",
                arguments: [Self.globPrefix(idOrPrefix)]
            ).map(Self.decodeRun)
        }
        switch matches.count {
        case 0: throw StoreError.runNotFound(idOrPrefix)
        case 1: return matches[0]
        default: throw StoreError.ambiguousRunID(prefix: idOrPrefix, matches: matches.map(\.id))
        }
    }

    /// The run's effects in the order they were first started.
    public func effects(runID: String) async throws -> [EffectRecord] {
        try await readEffects(runID: runID) { db in
            try Self.fetchEffects(db, runID: runID)
        } overlay: { effects, logged in
            EffectLog.overlay(logged, on: &effects)
        }
    }

    /// The run's steps in the order they were first written.
    public func steps(runID: String) async throws -> [StepRecord] {
        try await read { db in
            try Self.fetchAll(db, Self.stepColumns, from: "steps", runID: runID, decode: Self.decodeStep)
        }
    }

    /// The run's messages in the order they were delivered.
    public func messages(runID: String) async throws -> [MessageRecord] {
        try await read { db in
            try Self.fetchAll(db, Self.messageColumns, from: "messages", runID: runID, decode: Self.decodeMessage)
        }
    }

    /// The run's spans, by start time.
    public func spans(runID: String) async throws -> [SpanRecord] {
        try await read { db in
            try Self.fetchAll(db, Self.spanColumns, from: "spans", runID: runID, decode: Self.decodeSpan)
        }
    }

    /// The run's causal links between spans.
    public func links(runID: String) async throws -> [SpanLinkRecord] {
        try await read { db in
            try Self.fetchAll(db, Self.linkColumns, from: "span_links", runID: runID, decode: Self.decodeLink)
        }
    }

    /// The effects of `runID` that SQLite holds, without the logged ones laid over
    /// them: what has been merged so far (for tests and diagnostics).
    func committedEffects(runID: String) async throws -> [EffectRecord] {
        try await read { db in try Self.fetchEffects(db, runID: runID) }
    }

    // MARK: Shared by queries, load and export

    static func fetchRun(_ db: Database, id: String) throws -> RunRecord? {
        try Row.fetchOne(
            db, sql: "SELECT \(runColumns) FROM runs WHERE id = ?", arguments: [id]
        ).map(decodeRun)
    }

    /// Through ``RowReader``: a replay or resume waits on this read. The rows come
    /// in the primary key's order and are put in `ord` order here: SQLite's
    /// sorter would copy each whole row into a temporary b-tree first.
    static func fetchEffects(_ db: Database, runID: String) throws -> [EffectRecord] {
        let statement = try db.cachedStatement(sql: "SELECT \(effectColumns), ord FROM effects WHERE run_id = ?")
        let rows = try RowReader.fetchAll(statement, db, argument: runID) {
            (ord: $0.int(12), effect: try decodeEffect($0, runID: runID))
        }
        return rows.indices.sorted { rows[$0].ord < rows[$1].ord }.map { rows[$0].effect }
    }

    /// The rows of one run in `table`: spans by start time, everything else in the
    /// order rows were first written (`ord`, which upserts keep).
    static func fetchAll<T>(_ db: Database, _ columns: String, from table: String, runID: String,
                            decode: (Row) throws -> T) throws -> [T] {
        let order = table == "spans" ? "start_time, ord" : "ord"
        let statement = try db.cachedStatement(
            sql: "SELECT \(columns) FROM \(table) WHERE run_id = ? ORDER BY \(order)")
        return try Row.fetchAll(statement, arguments: [runID]).map(decode)
    }

    /// A GLOB pattern matching ids that start with `prefix`, its own wildcards escaped.
    static func globPrefix(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            switch character {
            case "*", "?", "[": pattern += "[\(character)]"
            default: pattern.append(character)
            }
        }
        return pattern + "*"
    }
}
