import ArgumentParser

/// `troupe models`: the local models and the kernel's tools.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List local models; inspect, tokenize, generate, score and benchmark with the local kernel.",
        subcommands: [ModelsListCommand.self, ModelsInfoCommand.self, ModelsTokenizeCommand.self,
                      ModelsGenerateCommand.self, ModelsScoreCommand.self, ModelsBenchCommand.self],
        defaultSubcommand: ModelsListCommand.self)
}
