import Foundation
import Troupe

/// A live run of the loop, then a strict replay of it from its recording
/// (`journal.load` + `WorkflowRunner.replay`): no step body runs, every result
/// comes from the journal.
enum ReplayBench {
    static func run(_ options: Options) async throws -> Report {
        let steps = options.int("steps", 1_000)
        let repeats = max(1, options.int("repeat", 1))   // > 1: median of that many loads and replays
        let durability = try DurableLoopBench.durabilityOption(options)
        let dir = options.string("dir", "results/tmp")
        let path = Measure.freshStore(in: dir, name: "troupe-replay-\(steps).sqlite")

        var loadSeconds = 0.0
        var replaySeconds = 0.0
        let live = try await DurableLoopBench.liveRun(steps: steps, durability: durability, path: path) { journal, runID in
            let workflow = try LoopWorkflow.make()
            let runner = WorkflowRunner(journal: journal, models: NoModelProvider())
            var loads: [Double] = []
            var loaded: RunJournal?
            for _ in 0..<max(1, options.int("load-repeat", repeats)) {
                let loadStart = Measure.now()
                loaded = try await journal.load(runID: runID)
                loads.append(Measure.seconds(loadStart, Measure.now()))
            }
            guard let recording = loaded else { throw BenchError("run \(runID) not found") }
            var times: [Double] = []
            var result: RunResult?
            for _ in 0..<repeats {
                let replayStart = Measure.now()
                result = try await runner.replay(workflow, recording: recording)
                times.append(Measure.seconds(replayStart, Measure.now()))
            }
            guard let result, result.output == "\(steps)/\(steps)", result.liveEffects == 0 else {
                throw BenchError("the replay did not reproduce the run without live effects")
            }
            loadSeconds = loads.sorted()[loads.count / 2]
            replaySeconds = times.sorted()[times.count / 2]
        }

        var report = Report(workload: "replay")
        report["steps"] = steps
        report["durability"] = durability.rawValue
        report["live_s"] = live.seconds
        report["load_s"] = loadSeconds
        report["replay_s"] = replaySeconds
        if repeats > 1 { report["repeats"] = repeats }
        report["speedup"] = Measure.round(live.seconds / replaySeconds, 1)
        report["speedup_with_load"] = Measure.round(live.seconds / (replaySeconds + loadSeconds), 1)
        return report
    }
}
