import ArgumentParser
import Troupe

/// `troupe resume RUN`: continues a run that was stopped or killed.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run that was stopped or killed, serving what it already did from the journal.")

    @Argument(help: "The run's id (or a unique prefix).")
    var run: String

    @Flag(help: "Print the result as one JSON object instead of streaming.")
    var json = false

    @OptionGroup var storeOption: StoreOption

    func run() async throws {
        let journal = try storeOption.open()
        let record: RunRecord
        do {
            record = try await journal.resolveRun(run)
        } catch {
            throw CLIFailure.failed(String(describing: error))
        }
        let workflow = try CatalogSource.load().workflow(named: record.workflow)
        let models = CLIModelProvider(options: record.options)
        try models.preflight()
        try await RunSession(journal: journal, models: models, json: json).perform(workflow) { runner in
            try await runner.resume(workflow, runID: record.id)
        }
    }
}
