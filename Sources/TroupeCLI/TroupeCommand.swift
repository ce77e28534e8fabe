import ArgumentParser
import Foundation

/// The `troupe` command. A library type so a package of your own can ship its own
/// `troupe` with its own workflows (see ``TroupeCommand/start(catalog:)``).
public struct TroupeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "troupe",
        abstract: "Run, inspect, resume and replay multi-agent workflows.",
        discussion: """
            Runs are journaled in a SQLite store (traces/troupe.sqlite, or --store / TROUPE_STORE).
            With no model configured, agents run on the local SmolLM2 kernel, offline.
            """,
        subcommands: [
            RunCommand.self, RunsCommand.self, TraceCommand.self, ResumeCommand.self,
            ReplayCommand.self, ModelsCommand.self, ToolsCommand.self, StoreStressCommand.self,
        ])

    public init() {}

    /// Parses the command line and runs it; exits 2 on wrong arguments (with usage),
    /// 1 on failure, 3 when a replay diverges.
    public static func start(catalog: CatalogSource = .bundled) async {
        CatalogSource.current = catalog
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withFailure: error)
        }
    }

    private static func exit(withFailure error: any Error) -> Never {
        if let failure = error as? CLIFailure {
            Terminal.error(failure.message)
            Foundation.exit(failure.code)
        }
        if exitCode(for: error) == .validationFailure {
            Terminal.error(fullMessage(for: error))
            Foundation.exit(2)
        }
        // Help, version, clean exits, and any other error as ArgumentParser reports it.
        exit(withError: error)
    }
}
