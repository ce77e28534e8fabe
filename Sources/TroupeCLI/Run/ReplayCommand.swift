import ArgumentParser
import Foundation
import Troupe

/// `troupe replay RUN|FILE`: re-runs a recorded run strictly from its journal.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a recorded run from its journal, calling no model or tool.",
        discussion: """
            RUN is a run id (or unique prefix) in the store, or a cassette file written by
            'troupe runs export'; a cassette is imported into the store first.
            Exits 3 when the workflow no longer matches its recording (a divergence).
            With --from STEP it forks instead: a new run, linked to RUN, replays the
            effects before STEP and runs the rest live (with --model, on another model).
            """)

    @Argument(help: "A run id, or a cassette file (.jsonl).")
    var source: String

    @Flag(help: "Print the result as one JSON object instead of streaming.")
    var json = false

    @Option(help: ArgumentHelp("Fork at this step key: replay what came before it, run the rest live as a new run.", valueName: "step"))
    var from: String?

    @Option(help: ArgumentHelp("With --from: the model for the live part (default: the recorded run's).", valueName: "model"))
    var model: String?

    func validate() throws {
        if model != nil && from == nil {
            throw ValidationError("--model only applies to a fork: add --from STEP")
        }
    }

    @OptionGroup var storeOption: StoreOption

    func run() async throws {
        let journal = try storeOption.open()
        var runID = try await importIfCassette(into: journal)
        if runID == nil { runID = try await resolve(in: journal) }
        guard let runID else { return }
        guard let recording = try await journal.load(runID: runID) else {
            throw CLIFailure.failed("no run \(runID) in this store")
        }
        let workflow = try CatalogSource.load().workflow(named: recording.run.workflow)
        if let from {
            var options = recording.run.options
            if let model { options = ["model": model] }
            let models = CLIModelProvider(options: options)
            try models.preflight()
            let forkOptions = options
            try await RunSession(journal: journal, models: models, json: json).perform(workflow) { runner in
                try await runner.fork(workflow, recording: recording, from: from, options: forkOptions)
            }
            return
        }
        try await RunSession(journal: journal, models: NoModelProvider(), json: json).perform(workflow) { runner in
            let result = try await runner.replay(workflow, recording: recording)
            if let recorded = recording.run.output, recorded != result.output {
                throw CLIFailure(message: "error: the replay's output differs from the recorded output\n  recorded: \(recorded)\n  replayed: \(result.output)", code: 3)
            }
            return result
        }
    }

    private func resolve(in journal: SQLiteJournal) async throws -> String {
        do {
            return try await journal.resolveRun(source).id
        } catch {
            throw CLIFailure.failed("\(error)")
        }
    }

    /// Imports `source` when it is a cassette file; returns its run id.
    private func importIfCassette(into journal: SQLiteJournal) async throws -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue else {
            if source.hasSuffix(".jsonl") { throw CLIFailure.failed("no cassette file at \(source)") }
            return nil
        }
        do {
            let text = try String(contentsOfFile: source, encoding: .utf8)
            let cassette = try Cassette(jsonLines: text)
            try await journal.importCassette(cassette)
            return cassette.run.id
        } catch {
            throw CLIFailure.failed("cannot read the cassette \(source): \(error)")
        }
    }
}
