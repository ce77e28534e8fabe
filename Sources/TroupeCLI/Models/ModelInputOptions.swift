import ArgumentParser
import Foundation
import Troupe

/// `--prompt TEXT | --messages FILE`: the input of `troupe models generate` and `score`.
struct ModelInputOptions: ParsableArguments {
    @Option(name: .long, help: "Raw prompt text; control-token text becomes control tokens.")
    var prompt: String?

    @Option(name: .long, help: ArgumentHelp("A JSON array of {\"role\", \"content\"} messages, rendered with the chat template.",
                                            valueName: "file"))
    var messages: String?

    func validate() throws {
        guard (prompt == nil) != (messages == nil) else {
            throw ValidationError("give exactly one of --prompt and --messages")
        }
    }

    /// The prompt's token ids.
    func promptTokens(_ runtime: LocalRuntime) throws -> [Int32] {
        if let prompt { return runtime.tokenizer.encode(prompt, parseSpecial: true) }
        guard let messages else { return [] }
        struct Message: Decodable {
            var role: String
            var content: String
        }
        let decoded: [Message]
        do {
            decoded = try JSONDecoder().decode([Message].self, from: Data(contentsOf: URL(fileURLWithPath: messages)))
        } catch {
            throw CLIFailure.usage("cannot read messages from \(messages): \(error.localizedDescription). Give a JSON array of {\"role\": \"user\", \"content\": \"...\"}.")
        }
        let chat = try decoded.map { message -> ChatMessage in
            switch message.role {
            case "system": return .system(message.content)
            case "user": return .user(message.content)
            case "assistant": return .assistant(message.content)
            default: throw CLIFailure.usage("unknown role '\(message.role)' in \(messages); use system, user or assistant")
            }
        }
        return runtime.promptTokens(for: chat)
    }

    /// The shared runtime for `--model` (the default model when absent).
    static func runtime(_ model: String?) throws -> LocalRuntime {
        do {
            return try LocalRuntime.shared(url: ModelLocator().url(for: model))
        } catch let error as any CustomStringConvertible & Error {
            throw CLIFailure.failed(error.description)
        }
    }
}
