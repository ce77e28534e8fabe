import Foundation
internal import GRDB
import TroupeCore

/// Applies journal entries to the database, one cached statement per kind of row.
///
/// Every entry is an upsert keyed by (run, key), so applying the same entry twice
/// leaves one row: a resumed run rewrites what it already wrote without
/// duplicating it, and importing a cassette twice changes nothing. A row's `ord`
/// is set when it is first inserted and never updated.
enum EntryWriter {
    /// Writes `entries` in order, numbering new rows from `order`.
    ///
    /// Values are bound straight to GRDB's cached statements through SQLite's C
    /// API: `StatementArguments` boxes every value in an existential and the
    /// statement cache hashes the SQL text at each lookup, which together cost
    /// more than SQLite's own work on a small row. Each statement is looked up
    /// once per call. With `stride`, yields the core every `stride` entries, so a
    /// long bulk write gives way to threads that woke up meanwhile.
    static func apply(_ entries: [JournalEntry], in db: Database, order: WriteOrder,
                      yieldingEvery stride: Int = 0) throws {
        var statements = Statements()
        for (index, entry) in entries.enumerated() {
            try apply(entry, in: db, ord: order.next(), statements: &statements)
            if stride > 0, index % stride == stride - 1 { sched_yield() }
        }
    }

    private static func apply(_ entry: JournalEntry, in db: Database, ord: Int64,
                              statements: inout Statements) throws {
        switch entry {
        case .run(let run):
            var row = try RowBinder(statements.get(\.run, upsertRun, db))
            row.bind(run.id); row.bind(run.workflow); row.bind(run.input); row.bind(run.status.rawValue)
            row.bind(run.output); row.bind(run.error); row.bind(run.parentRunID); row.bind(run.createdAt)
            row.bind(run.updatedAt); row.bind(run.usage.inputTokens); row.bind(run.usage.outputTokens)
            row.bind(CanonicalJSON.string(run.options))
            try row.run(db)
        case .effect(let effect):
            var row = try RowBinder(statements.get(\.effect, upsertEffect, db))
            row.bind(effect.runID); row.bind(effect.key); row.bind(effect.stepKey); row.bind(effect.seq)
            row.bind(effect.kind.rawValue); row.bind(effect.fingerprint); row.bind(effect.request)
            row.bind(effect.result); row.bind(effect.error); row.bind(effect.status.rawValue)
            row.bind(effect.executions); row.bind(effect.startedAt); row.bind(effect.finishedAt); row.bind(ord)
            try row.run(db)
        case .step(let step):
            var row = try RowBinder(statements.get(\.step, upsertStep, db))
            row.bind(step.runID); row.bind(step.key); row.bind(step.status.rawValue); row.bind(step.startedAt)
            row.bind(step.finishedAt); row.bind(step.output); row.bind(ord)
            try row.run(db)
        case .message(let message):
            var row = try RowBinder(statements.get(\.message, upsertMessage, db))
            row.bind(message.runID); row.bind(message.id); row.bind(message.stepKey); row.bind(message.sender)
            row.bind(message.role.rawValue); row.bind(message.content); row.bind(message.spanID)
            row.bind(message.createdAt); row.bind(ord)
            try row.run(db)
        case .span(let span, let replace):
            let (status, statusMessage): (String, String?) =
                switch span.status {
                case .ok: ("ok", nil)
                case .error(let message): ("error", message)
                }
            var row = try replace
                ? RowBinder(statements.get(\.upsertSpan, upsertSpan, db))
                : RowBinder(statements.get(\.insertSpan, insertSpan, db))
            row.bind(span.runID); row.bind(span.spanID); row.bind(span.parentID); row.bind(span.name)
            row.bind(span.kind.rawValue); row.bind(span.startTime); row.bind(span.endTime); row.bind(status)
            row.bind(statusMessage); row.bind(CanonicalJSON.string(span.attributes)); row.bind(ord)
            try row.run(db)
        case .link(let link):
            var row = try RowBinder(statements.get(\.link, insertLink, db))
            row.bind(link.runID); row.bind(link.spanID); row.bind(link.linkedSpanID); row.bind(link.kind)
            row.bind(ord)
            try row.run(db)
        }
    }

    /// The statements one ``apply(_:in:order:)`` call has looked up so far.
    private struct Statements {
        var run: Statement?
        var effect: Statement?
        var step: Statement?
        var message: Statement?
        var upsertSpan: Statement?
        var insertSpan: Statement?
        var link: Statement?

        mutating func get(_ slot: WritableKeyPath<Statements, Statement?>, _ sql: String,
                          _ db: Database) throws -> Statement {
            if let statement = self[keyPath: slot] { return statement }
            let statement = try db.cachedStatement(sql: sql)
            self[keyPath: slot] = statement
            return statement
        }
    }

    private static let upsertRun = """
        INSERT INTO runs (id, workflow, input, status, output, error, parent_run_id,
                          created_at, updated_at, input_tokens, output_tokens, options)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET
            workflow = excluded.workflow, input = excluded.input, status = excluded.status,
            output = excluded.output, error = excluded.error,
            parent_run_id = excluded.parent_run_id, created_at = excluded.created_at,
            updated_at = excluded.updated_at, input_tokens = excluded.input_tokens,
            output_tokens = excluded.output_tokens, options = excluded.options
        """

    private static let upsertEffect = """
        INSERT INTO effects (run_id, key, step_key, seq, kind, fingerprint, request, result,
                             error, status, executions, started_at, finished_at, ord)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, key) DO UPDATE SET
            step_key = excluded.step_key, seq = excluded.seq, kind = excluded.kind,
            fingerprint = excluded.fingerprint, request = excluded.request,
            result = excluded.result, error = excluded.error, status = excluded.status,
            executions = excluded.executions, started_at = excluded.started_at,
            finished_at = excluded.finished_at
        """

    private static let upsertStep = """
        INSERT INTO steps (run_id, key, status, started_at, finished_at, output, ord)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, key) DO UPDATE SET
            status = excluded.status, started_at = excluded.started_at,
            finished_at = excluded.finished_at, output = excluded.output
        """

    private static let upsertMessage = """
        INSERT INTO messages (run_id, id, step_key, sender, role, content, span_id, created_at, ord)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, id) DO UPDATE SET
            step_key = excluded.step_key, sender = excluded.sender, role = excluded.role,
            content = excluded.content, span_id = excluded.span_id,
            created_at = excluded.created_at
        """

    private static let spanColumns = """
        INSERT INTO spans (run_id, span_id, parent_id, name, kind, start_time, end_time,
                           status, status_message, attributes, ord)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static let upsertSpan = spanColumns + """

        ON CONFLICT (run_id, span_id) DO UPDATE SET
            parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind,
            start_time = excluded.start_time, end_time = excluded.end_time,
            status = excluded.status, status_message = excluded.status_message,
            attributes = excluded.attributes
        """

    private static let insertSpan = spanColumns + "\nON CONFLICT (run_id, span_id) DO NOTHING"

    private static let insertLink = """
        INSERT INTO span_links (run_id, span_id, linked_span_id, kind, ord) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING
        """
}
