import Foundation
import TroupeCore

extension Cassette {
    /// The line tags of the JSON Lines format.
    enum LineType: String {
        case run, effect, step, message, span, link
    }

    /// The cassette as JSON Lines: one JSON object per line, each tagged by `"type"`.
    ///
    /// The first line is the run, with the format version:
    /// `{"type":"run","cassette":1,"createdAt":…,"id":"…",…}`; then one line per
    /// effect, step, message, span and link, in that order (`"type":"effect"`, …).
    /// After `"type"` (and `"cassette"`) the keys of each record are sorted, so the
    /// same run always exports to the same bytes and diffs well. Fields are the
    /// records' own (`RunRecord`, `EffectRecord`, …) in their `Codable` form.
    public func jsonLines() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = ""
        func line(_ type: LineType, _ value: some Encodable, extra: String = "") throws {
            let body = String(decoding: try encoder.encode(value), as: UTF8.self)
            out += "{\"type\":\"\(type.rawValue)\"\(extra)"
            out += body.count > 2 ? "," + body.dropFirst() : "}"
            out += "\n"
        }
        try line(.run, run, extra: ",\"cassette\":\(Self.formatVersion)")
        for effect in effects { try line(.effect, effect) }
        for step in steps { try line(.step, step) }
        for message in messages { try line(.message, message) }
        for span in spans { try line(.span, span) }
        for link in links { try line(.link, link) }
        return out
    }

    /// Reads a cassette written by ``jsonLines()``. Blank lines are ignored.
    ///
    /// - Throws: ``StoreError/invalidCassette(line:reason:)`` naming the first bad
    ///   line: not JSON, an unknown `"type"`, a record that does not decode, a
    ///   missing or second run line, a record of another run, or a format newer
    ///   than ``formatVersion``.
    public init(jsonLines text: String) throws {
        let decoder = JSONDecoder()
        var run: RunRecord?
        var cassette: Cassette?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let data = Data(line.utf8)
            func decode<T: Decodable>(_ type: T.Type) throws -> T {
                do {
                    return try decoder.decode(type, from: data)
                } catch {
                    throw StoreError.invalidCassette(line: lineNumber, reason: "not a valid \(T.self): \(error)")
                }
            }
            let header = try decode(LineHeader.self)
            guard let type = LineType(rawValue: header.type) else {
                throw StoreError.invalidCassette(line: lineNumber, reason: "unknown type \"\(header.type)\"")
            }
            if type == .run {
                guard run == nil else {
                    throw StoreError.invalidCassette(line: lineNumber, reason: "a second run line; a cassette holds one run")
                }
                let version = header.cassette ?? 0
                guard version <= Self.formatVersion else {
                    throw StoreError.invalidCassette(
                        line: lineNumber,
                        reason: "cassette format \(version) was written by a newer troupe; upgrade troupe to read it")
                }
                let record = try decode(RunRecord.self)
                run = record
                cassette = Cassette(run: record)
                continue
            }
            guard var current = cassette, let runID = run?.id else {
                throw StoreError.invalidCassette(line: lineNumber, reason: "a \(type.rawValue) before the run line")
            }
            let recordRunID: String
            switch type {
            case .run:
                continue
            case .effect:
                let record = try decode(EffectRecord.self)
                recordRunID = record.runID
                current.effects.append(record)
            case .step:
                let record = try decode(StepRecord.self)
                recordRunID = record.runID
                current.steps.append(record)
            case .message:
                let record = try decode(MessageRecord.self)
                recordRunID = record.runID
                current.messages.append(record)
            case .span:
                let record = try decode(SpanRecord.self)
                recordRunID = record.runID
                current.spans.append(record)
            case .link:
                let record = try decode(SpanLinkRecord.self)
                recordRunID = record.runID
                current.links.append(record)
            }
            guard recordRunID == runID else {
                throw StoreError.invalidCassette(
                    line: lineNumber, reason: "a \(type.rawValue) of run \(recordRunID) in the cassette of run \(runID)")
            }
            cassette = current
        }
        guard let cassette else {
            throw StoreError.invalidCassette(line: 1, reason: "no run line; this is not a troupe cassette")
        }
        self = cassette
    }

    /// The tag every line has.
    private struct LineHeader: Decodable {
        var type: String
        var cassette: Int?
    }
}
