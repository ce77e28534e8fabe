import Foundation
import TroupeCore

/// A store workout for the multi-process test: one process's share of many
/// processes writing one store at once (`troupe store-stress`, a hidden command).
///
/// ```swift
/// let report = try await StoreStress.run(path: path, writes: 500)
/// print(report.runID, report.writes)
/// ```
///
/// It opens (or creates) the store, writes a run of its own, commits `writes`
/// effects from `concurrency` tasks at once, then marks the run completed; every
/// commit waits for durability. Several processes started together therefore race
/// to create the store and then contend for its write lock, which must cost time,
/// never a "database is locked" failure.
public enum StoreStress {
    /// What one process wrote.
    public struct Report: Sendable, Hashable, Codable {
        public var runID: String
        public var writes: Int
        public var seconds: Double
    }

    /// The workflow name of stress runs, so tests can find them.
    public static let workflow = "store-stress"

    public static func run(path: String, writes: Int, concurrency: Int = 4) async throws -> Report {
        let start = ContinuousClock.now
        let journal = try SQLiteJournal(path: path)
        let pid = ProcessInfo.processInfo.processIdentifier
        let runID = "stress-\(pid)-\(UUID().uuidString.prefix(8).lowercased())"
        let now = Date().timeIntervalSince1970
        var run = RunRecord(id: runID, workflow: workflow, input: "\(writes) writes", createdAt: now)
        try await journal.commit([.run(run)])

        let lanes = max(1, min(concurrency, writes))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    for seq in stride(from: lane, to: writes, by: lanes) {
                        let stepKey = StepPath.numbered(lane, of: "stress/lane")
                        let time = Date().timeIntervalSince1970
                        let effect = EffectRecord(
                            runID: runID, key: StepPath.effect(seq, of: stepKey), stepKey: stepKey, seq: seq,
                            kind: .compute, fingerprint: "\(seq)", request: "{\"seq\":\(seq)}",
                            result: "{\"pid\":\(pid)}", status: .completed, executions: 1,
                            startedAt: time, finishedAt: time)
                        try await journal.commit([.effect(effect)])
                    }
                }
            }
            try await group.waitForAll()
        }

        run.status = .completed
        run.output = "\(writes)"
        run.updatedAt = Date().timeIntervalSince1970
        try await journal.commit([.run(run)])
        try await journal.close()
        let elapsed = start.duration(to: .now)
        return Report(
            runID: runID, writes: writes,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
