import ArgumentParser
import Foundation
import Troupe

/// `troupe run WORKFLOW`: starts a run and streams what the agents say.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow, streaming what its agents say.",
        discussion: "Examples:\n  troupe run review --input \"Write a haiku about actors\"\n  troupe run --list")

    @Argument(help: "The workflow to run (see --list).")
    var workflow: String?

    @Option(name: [.short, .long], help: "The run's input: the first message of the conversation.")
    var input: String = "Explain in two sentences why actors make concurrency safer."

    @Flag(help: "List the workflows and exit.")
    var list = false

    @Flag(help: "Print the result as one JSON object instead of streaming.")
    var json = false

    @Option(help: ArgumentHelp("The model for every agent: local, scripted, openai:NAME or ENDPOINT:NAME.", valueName: "model"))
    var model: String?

    @Option(help: ArgumentHelp("A model to fall back to when the previous one fails (repeatable).", valueName: "model"))
    var fallback: [String] = []

    @Option(help: ArgumentHelp("The id to give the run (default: random).", valueName: "id"))
    var runID: String?

    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        if !list && workflow == nil {
            throw ValidationError("name the workflow to run, or pass --list to see them")
        }
    }

    func run() async throws {
        let catalog = try CatalogSource.load()
        if list {
            for name in catalog.names {
                let description = (try? catalog.workflow(named: name).description) ?? ""
                Terminal.line("\(name.padding(toLength: 10, withPad: " ", startingAt: 0))  \(description)")
            }
            return
        }
        guard let name = workflow else { return }
        let definition: Workflow
        do {
            definition = try catalog.workflow(named: name)
        } catch {
            throw CLIFailure.usage(String(describing: error))
        }
        let journal = try storeOption.open()
        let models = CLIModelProvider(override: model, fallbacks: fallback)
        try models.preflight()
        let session = RunSession(journal: journal, models: models, json: json)
        try await session.perform(definition) { runner in
            try await runner.run(definition, input: input, runID: runID, options: models.runOptions)
        }
    }
}
