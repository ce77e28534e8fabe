internal import GRDB
import TroupeCore

/// Applies journal entries to the database, one cached statement per kind of row.
///
/// Every entry is an upsert keyed by (run, key), so applying the same entry twice
/// leaves one row: a resumed run rewrites what it already wrote without
/// duplicating it, and importing a cassette twice changes nothing. A row's `ord`
/// is set when it is first inserted and never updated.
enum EntryWriter {
    static func apply(_ entries: [JournalEntry], in db: Database, order: WriteOrder) throws {
        for entry in entries {
            try apply(entry, in: db, ord: order.next())
        }
    }

    static func apply(_ entry: JournalEntry, in db: Database, ord: Int64) throws {
        switch entry {
        case .run(let run):
            try db.cachedStatement(sql: upsertRun).execute(arguments: [
                run.id, run.workflow, run.input, run.status.rawValue, run.output, run.error,
                run.parentRunID, run.createdAt, run.updatedAt, run.usage.inputTokens,
                run.usage.outputTokens, CanonicalJSON.string(run.options),
            ])
        case .effect(let effect):
            try db.cachedStatement(sql: upsertEffect).execute(arguments: [
                effect.runID, effect.key, effect.stepKey, effect.seq, effect.kind.rawValue,
                effect.fingerprint, effect.request, effect.result, effect.error,
                effect.status.rawValue, effect.executions, effect.startedAt, effect.finishedAt, ord,
            ])
        case .step(let step):
            try db.cachedStatement(sql: upsertStep).execute(arguments: [
                step.runID, step.key, step.status.rawValue, step.startedAt, step.finishedAt,
                step.output, ord,
            ])
        case .message(let message):
            try db.cachedStatement(sql: upsertMessage).execute(arguments: [
                message.runID, message.id, message.stepKey, message.sender, message.role.rawValue,
                message.content, message.spanID, message.createdAt, ord,
            ])
        case .span(let span, let replace):
            let (status, statusMessage): (String, String?) =
                switch span.status {
                case .ok: ("ok", nil)
                case .error(let message): ("error", message)
                }
            try db.cachedStatement(sql: replace ? upsertSpan : insertSpan).execute(arguments: [
                span.runID, span.spanID, span.parentID, span.name, span.kind.rawValue,
                span.startTime, span.endTime, status, statusMessage,
                CanonicalJSON.string(span.attributes), ord,
            ])
        case .link(let link):
            try db.cachedStatement(sql: insertLink).execute(arguments: [
                link.runID, link.spanID, link.linkedSpanID, link.kind, ord,
            ])
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
