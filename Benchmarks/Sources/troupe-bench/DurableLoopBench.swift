import Foundation
import Troupe

/// The durable loop through WorkflowRunner and SQLiteJournal on a fresh file:
/// every step's result is committed before the next step runs.
enum DurableLoopBench {
    static func run(_ options: Options) async throws -> Report {
        let steps = options.int("steps", 1_000)
        let durability = try durabilityOption(options)
        let dir = options.string("dir", "results/tmp")
        let path = Measure.freshStore(in: dir, name: "troupe-loop-\(durability.rawValue)-\(steps).sqlite")

        let live = try await liveRun(steps: steps, durability: durability, path: path)
        var report = Report(workload: "loop-\(durability.rawValue)")
        report["steps"] = steps
        report["seconds"] = live.seconds
        report["steps_per_s"] = Measure.round(Double(steps) / live.seconds, 1)
        report["first100_s"] = live.first100
        report["last100_s"] = live.last100
        report["last_over_first"] = Measure.round(live.last100 / live.first100)
        report["bytes_per_step"] = Measure.round(Double(live.bytes) / Double(steps), 1)
        report["wal_mib"] = Measure.round(Double(live.walBytes) / 1_048_576, 1)
        report["peak_rss_mib"] = Measure.round(Measure.peakRSSMiB(), 1)
        return report
    }

    struct LiveRun {
        var runID: String
        var seconds: Double
        var first100: Double
        var last100: Double
        var bytes: Int
        /// The WAL file at the end of the run, before the store closes: how far it grew.
        var walBytes: Int
    }

    /// Runs the loop live on a fresh store at `path`, then closes the store.
    static func liveRun(steps: Int, durability: StoreOptions.Durability, path: String) async throws -> LiveRun {
        let journal = try SQLiteJournal(path: path, options: StoreOptions(durability: durability))
        let clock = StepClock(capacity: steps)
        let runner = WorkflowRunner(journal: journal, models: NoModelProvider(), observer: clock.observer)
        let workflow = try LoopWorkflow.make()

        let start = Measure.now()
        let result = try await runner.run(workflow, input: String(steps))
        let seconds = Measure.seconds(start, Measure.now())
        guard result.status == .completed, result.output == "\(steps)/\(steps)" else {
            throw BenchError("the loop ended \(result.status) with '\(result.output)'")
        }
        guard let timing = clock.lastOverFirst(start: start) else { throw BenchError("too few steps timed") }
        let walBytes = Measure.size(of: path + "-wal")
        try await journal.close()
        return LiveRun(runID: result.runID, seconds: seconds, first100: timing.first, last100: timing.last,
                       bytes: try Measure.storeBytes(path), walBytes: walBytes)
    }

    static func durabilityOption(_ options: Options) throws -> StoreOptions.Durability {
        let text = options.string("durability", "normal")
        guard let durability = StoreOptions.Durability(rawValue: text) else {
            throw BenchError("--durability is full or normal, not \(text)")
        }
        return durability
    }
}
