import Foundation
internal import GRDB
import TroupeCore

/// Rows back into the journal's records. Columns are read by index, in the order
/// of the `columns` string next to each decoder.
extension SQLiteJournal {
    static let runColumns = """
        id, workflow, input, status, output, error, parent_run_id, created_at, updated_at,
        input_tokens, output_tokens, options
        """

    static func decodeRun(_ row: Row) throws -> RunRecord {
        RunRecord(
            id: row[0], workflow: row[1], input: row[2],
            status: try decodeEnum(RunStatus.self, row[3], column: "runs.status"),
            output: row[4], error: row[5], parentRunID: row[6], createdAt: row[7],
            updatedAt: row[8], usage: TokenUsage(inputTokens: row[9], outputTokens: row[10]),
            options: try decodeJSON([String: String].self, row[11], column: "runs.options"))
    }

    /// Without `run_id`: every row has the run id asked for, and reading it again
    /// would copy it once per effect.
    static let effectColumns = """
        key, step_key, seq, kind, fingerprint, request, result, error, status,
        executions, started_at, finished_at
        """

    static func decodeEffect(_ row: RowReader, runID: String) throws -> EffectRecord {
        EffectRecord(
            runID: runID, key: row.text(0), stepKey: row.text(1), seq: row.int(2),
            kind: try decodeEnum(EffectKind.self, row.text(3), column: "effects.kind"),
            fingerprint: row.text(4), request: row.text(5), result: row.optionalText(6), error: row.optionalText(7),
            status: try decodeEnum(EffectStatus.self, row.text(8), column: "effects.status"),
            executions: row.int(9), startedAt: row.double(10), finishedAt: row.optionalDouble(11))
    }

    static let stepColumns = "run_id, key, status, started_at, finished_at, output"

    static func decodeStep(_ row: Row) throws -> StepRecord {
        StepRecord(
            runID: row[0], key: row[1],
            status: try decodeEnum(EffectStatus.self, row[2], column: "steps.status"),
            startedAt: row[3], finishedAt: row[4], output: row[5])
    }

    static let messageColumns = "run_id, id, step_key, sender, role, content, span_id, created_at"

    static func decodeMessage(_ row: Row) throws -> MessageRecord {
        MessageRecord(
            runID: row[0], id: row[1], stepKey: row[2], sender: row[3],
            role: try decodeEnum(Role.self, row[4], column: "messages.role"),
            content: row[5], spanID: row[6], createdAt: row[7])
    }

    static let spanColumns = """
        run_id, span_id, parent_id, name, kind, start_time, end_time, status, status_message,
        attributes
        """

    static func decodeSpan(_ row: Row) throws -> SpanRecord {
        let statusName: String = row[7]
        let status: SpanStatus = statusName == "ok" ? .ok : .error(row[8] ?? "")
        return SpanRecord(
            runID: row[0], spanID: row[1], parentID: row[2], name: row[3],
            kind: try decodeEnum(SpanKind.self, row[4], column: "spans.kind"),
            startTime: row[5], endTime: row[6], status: status,
            attributes: try decodeJSON([String: JSONValue].self, row[9], column: "spans.attributes"))
    }

    static let linkColumns = "run_id, span_id, linked_span_id, kind"

    static func decodeLink(_ row: Row) -> SpanLinkRecord {
        SpanLinkRecord(runID: row[0], spanID: row[1], linkedSpanID: row[2], kind: row[3])
    }

    private static func decodeEnum<E: RawRepresentable>(_ type: E.Type, _ raw: String, column: String) throws -> E
    where E.RawValue == String {
        guard let value = E(rawValue: raw) else {
            throw StoreError.database(
                path: "", message: "unknown value \(raw) in \(column); the store may have been written by a newer troupe")
        }
        return value
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, column: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.database(path: "", message: "invalid JSON in \(column): \(error)")
        }
    }
}
