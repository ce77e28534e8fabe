import Foundation
import Testing
import TroupeCore
import TroupeStore

/// A fresh folder for one test's store files, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("troupe-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// Checks `condition` every 20 ms for up to 10 s, for work a store does in the
/// background; true once it holds.
func waitUntil(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Records with plausible content, distinct per argument.
/// Closes `journal` and `reader`, checks that closing left no effect-log file in
/// `folder`, and returns the store opened afresh, for checks of what reached SQLite.
func closeExpectingNoLogFiles(_ journal: SQLiteJournal, _ reader: SQLiteJournal, path: String,
                              folder: URL) async throws -> SQLiteJournal {
    try await journal.close()
    try await reader.close()
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    #expect(names.filter { $0.contains("-effects") }.isEmpty)
    return try SQLiteJournal(path: path)
}

enum Sample {
    static func run(_ id: String, createdAt: Double = 1_700_000_000, status: RunStatus = .running) -> RunRecord {
        RunRecord(id: id, workflow: "review", input: "Write a haiku about \(id)", status: status,
                  createdAt: createdAt, usage: TokenUsage(inputTokens: 12, outputTokens: 34),
                  options: ["model": "scripted", "note": "quote \" and \\ and\nnewline"])
    }

    static func effect(_ runID: String, step: String = "review/writer", seq: Int,
                       status: EffectStatus = .completed) -> EffectRecord {
        EffectRecord(runID: runID, key: "\(step)#\(seq)", stepKey: step, seq: seq, kind: .model,
                     fingerprint: "fp\(seq)", request: #"{"messages":[{"role":"user","content":"hi"}]}"#,
                     result: status == .completed ? #"{"text":"hello \#(seq)"}"# : nil,
                     status: status, executions: 1, startedAt: 1_700_000_000 + Double(seq) * 0.25,
                     finishedAt: status == .completed ? 1_700_000_000.5 + Double(seq) : nil)
    }

    static func step(_ runID: String, key: String) -> StepRecord {
        StepRecord(runID: runID, key: key, status: .completed, startedAt: 1_700_000_001.125,
                   finishedAt: 1_700_000_002.5, output: "done: \(key)")
    }

    static func message(_ runID: String, n: Int) -> MessageRecord {
        MessageRecord(runID: runID, id: "review/writer#\(n)", stepKey: "review/writer",
                      sender: n.isMultiple(of: 2) ? "writer" : "critic", role: .assistant,
                      content: "message \(n) — ünïcödé ✓", spanID: "00000000000000\(10 + n)",
                      createdAt: 1_700_000_003 + Double(n))
    }

    static func span(_ runID: String, id: String, parent: String?, kind: SpanKind = .agentTurn,
                     start: Double = 1_700_000_000, status: SpanStatus = .ok) -> SpanRecord {
        SpanRecord(runID: runID, spanID: id, parentID: parent, name: "invoke_agent writer", kind: kind,
                   startTime: start, endTime: start + 1.5, status: status,
                   attributes: ["gen_ai.agent.name": "writer", "gen_ai.usage.input_tokens": 12,
                                "gen_ai.request.temperature": 0.7, "troupe.flags": [true, nil, "x"],
                                "troupe.nested": ["a": ["b": 1]]])
    }
}
