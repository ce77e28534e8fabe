import Foundation
import Synchronization
import Troupe

/// Crash and resume: a child process runs the 300-step loop and dies (`_exit`)
/// inside step 150; a second process resumes the run from the store. Every step
/// that completes logs its number, so the steps run twice are the ones both
/// processes completed.
enum CrashBench {
    static let runID = "crash-bench"

    static func run(_ options: Options) async throws -> Report {
        let steps = options.int("steps", 300)
        let crashAt = options.int("at", 150)
        let durability = try DurableLoopBench.durabilityOption(options)
        let dir = options.string("dir", "results/tmp")
        let path = Measure.freshStore(in: dir, name: "troupe-crash-\(durability.rawValue).sqlite")
        let firstLog = path + ".first.log", secondLog = path + ".second.log"
        for log in [firstLog, secondLog] { try? FileManager.default.removeItem(atPath: log) }
        let common = ["--store", path, "--steps", String(steps), "--durability", durability.rawValue]

        let crashed = try spawn(["crash-child", "run"] + common,
                                environment: ["TROUPE_CRASH_AT_STEP": String(crashAt),
                                              "TROUPE_BENCH_STEP_LOG": firstLog])
        guard crashed.status == 137 else {
            throw BenchError("the first process should die in step \(crashAt), it exited \(crashed.status)")
        }
        let resumed = try spawn(["crash-child", "resume"] + common,
                                environment: ["TROUPE_BENCH_STEP_LOG": secondLog])
        guard resumed.status == 0 else { throw BenchError("the resuming process exited \(resumed.status)") }

        let first = readSteps(firstLog), second = readSteps(secondLog)
        var report = Report(workload: "crash-\(durability.rawValue)")
        report["steps"] = steps
        report["crash_at"] = crashAt
        report["completed_before_crash"] = first.count
        report["resumed_at"] = second.min() ?? 0
        report["steps_run_twice"] = Set(first).intersection(second).count
        report["steps_run_after_resume"] = second.count
        if let child = try JSONSerialization.jsonObject(with: Data(resumed.output.utf8)) as? [String: Any] {
            report["resume_first_step_ms"] = child["first_step_ms"]
            report["resume_total_ms"] = child["total_ms"]
            report["output_correct"] = child["output_correct"]
        }
        return report
    }

    /// The child: `crash-child run|resume --store PATH --steps N --durability D`.
    static func child(_ options: Options) async throws -> Report {
        let phase = options.positional.first ?? "run"
        guard let path = options.optional("store") else { throw BenchError("--store is required") }
        let steps = options.int("steps", 300)
        let durability = try DurableLoopBench.durabilityOption(options)
        let journal = try SQLiteJournal(path: path, options: StoreOptions(durability: durability))
        let firstStep = Mutex<UInt64?>(nil)
        let runner = WorkflowRunner(journal: journal, models: NoModelProvider()) { event in
            if case .stepFinished(_, _, served: false) = event {
                let now = Measure.now()
                firstStep.withLock { if $0 == nil { $0 = now } }
            }
        }
        let workflow = try LoopWorkflow.make()

        let start = Measure.now()
        let result = phase == "run"
            ? try await runner.run(workflow, input: String(steps), runID: runID)
            : try await runner.resume(workflow, runID: runID)
        let end = Measure.now()
        try await journal.close()

        var report = Report(workload: "crash-child-\(phase)")
        report["total_ms"] = Measure.round(Measure.seconds(start, end) * 1000)
        report["first_step_ms"] = firstStep.withLock { $0 }.map { Measure.round(Measure.seconds(start, $0) * 1000) }
        report["output_correct"] = result.output == "\(steps)/\(steps)"
        report["live_effects"] = result.liveEffects
        report["served_effects"] = result.servedEffects
        return report
    }

    static func readSteps(_ path: String) -> [Int] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int($0) }
    }

    /// Runs this executable again with `arguments`; returns its exit status and stdout.
    static func spawn(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try selfPath())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func selfPath() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
