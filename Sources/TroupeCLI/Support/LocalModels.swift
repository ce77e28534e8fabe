import Troupe

/// The local models the CLI can load.
enum LocalModels {
    static func model(named name: String?) throws -> any ChatModel {
        throw CLIFailure.failed("the local kernel is not part of this build yet; use --model scripted or --model openai:NAME")
    }
}
