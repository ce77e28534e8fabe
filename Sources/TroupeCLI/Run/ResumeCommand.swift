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

    @Option(help: ArgumentHelp("Approve a tool call the run is waiting on (repeatable).", valueName: "call-id"))
    var approve: [String] = []

    @Option(help: ArgumentHelp("Reject a tool call the run is waiting on (repeatable); the model is told why.", valueName: "call-id"))
    var reject: [String] = []

    @Option(help: "Why the rejected calls were rejected.")
    var reason: String = "rejected by the operator"

    func validate() throws {
        if let both = Set(approve).intersection(reject).first {
            throw ValidationError("call \(both) is both approved and rejected; choose one")
        }
    }

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
        var approvals: [String: ApprovalDecision] = [:]
        for id in approve { approvals[id] = .approve }
        for id in reject { approvals[id] = .reject(reason: reason) }
        try await RunSession(journal: journal, models: models, json: json, approvals: approvals)
            .perform(workflow) { runner in
                try await runner.resume(workflow, runID: record.id)
            }
    }
}
