import Foundation
import Troupe

/// A live run of the loop, then strict replays of it from its recording
/// (`journal.load` + `WorkflowRunner.replay`): no step body runs, every result
/// comes from the journal.
///
/// Reports three ratios to the live run: against the median of `--repeat`
/// replays of the loaded recording (`speedup`), against the first of them, the
/// process's first replay (`speedup_first`), and against the first load plus
/// the first replay, everything `troupe replay` does once it has opened the
/// store (`speedup_with_load`). The replay reopens the store the live run closed.
enum ReplayBench {
    static func run(_ options: Options) async throws -> Report {
        let steps = options.int("steps", 1_000)
        let repeats = max(1, options.int("repeat", 20))
        let durability = try DurableLoopBench.durabilityOption(options)
        let dir = options.string("dir", "results/tmp")
        let path = Measure.freshStore(in: dir, name: "troupe-replay-\(steps).sqlite")

        var loads: [Double] = []
        var times: [Double] = []
        // The live run closes its store; the replay opens it again, as `troupe replay`
        // does in a new process. Opening is not timed, as the live run's is not.
        let live = try await DurableLoopBench.liveRun(steps: steps, durability: durability, path: path)
        let journal = try SQLiteJournal(path: path, options: StoreOptions(durability: durability))
        let workflow = try LoopWorkflow.make()
        let runner = WorkflowRunner(journal: journal, models: NoModelProvider())
        var loaded: RunJournal?
        for _ in 0..<max(1, options.int("load-repeat", 1)) {
            loaded = nil  // the previous load is freed outside the timing
            let loadStart = Measure.now()
            loaded = try await journal.load(runID: live.runID)
            loads.append(Measure.seconds(loadStart, Measure.now()))
        }
        guard let recording = loaded else { throw BenchError("run \(live.runID) not found") }
        var result: RunResult?
        for _ in 0..<repeats {
            let replayStart = Measure.now()
            result = try await runner.replay(workflow, recording: recording)
            times.append(Measure.seconds(replayStart, Measure.now()))
        }
        guard let result, result.output == "\(steps)/\(steps)", result.liveEffects == 0 else {
            throw BenchError("the replay did not reproduce the run without live effects")
        }
        try await journal.close()

        var report = Report(workload: "replay")
        report["steps"] = steps
        report["durability"] = durability.rawValue
        report["live_s"] = live.seconds
        let replaySeconds = times.sorted()[times.count / 2]
        report["load_s"] = loads[0]
        if loads.count > 1 { report["load_median_s"] = loads.sorted()[loads.count / 2] }
        report["first_replay_s"] = times[0]
        report["replay_s"] = replaySeconds
        report["repeats"] = repeats
        report["speedup"] = Measure.round(live.seconds / replaySeconds, 1)
        report["speedup_first"] = Measure.round(live.seconds / times[0], 1)
        report["speedup_with_load"] = Measure.round(live.seconds / (times[0] + loads[0]), 1)
        return report
    }
}
