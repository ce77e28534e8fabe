import ArgumentParser
import Troupe

/// `--model NAME|PATH`: which local GGUF model a `troupe models` command reads.
///
/// Without it, the default model (SmolLM2-135M-Instruct Q4_1), found where
/// ``LocalModels`` looks: `$TROUPE_MODELS`, `./models`, or the checkout's `models`.
/// A missing file fails with a message saying to run scripts/setup.
struct ModelOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A model file name in the models folder, or a path to a .gguf file (default: the SmolLM2 model).",
        valueName: "name|path"))
    var model: String?

    /// The opened, validated model file.
    func open() throws -> GGUFFile {
        try Self.open(model)
    }

    /// Opens `name` (a path, a name in the models folder, or `nil` for the default).
    static func open(_ name: String?) throws -> GGUFFile {
        do {
            return try GGUFFile(url: LocalModels.locator().url(for: name))
        } catch let error as ModelLocatorError {
            throw CLIFailure.failed(error.description)
        } catch let error as GGUFError {
            throw CLIFailure.failed(error.description)
        }
    }
}
