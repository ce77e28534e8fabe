import ArgumentParser
import Foundation
import Troupe

/// `troupe models generate (--prompt TEXT | --messages FILE) [--greedy] [--seed N] [--max-tokens N] [--schema FILE] [--json]`:
/// runs the local model on a raw prompt or a chat, streaming the text.
///
/// With `--schema`, guided decoding constrains the output to compact JSON valid for the schema.
///
/// With `--json`, prints one object in the reference file's vocabulary:
/// `prompt_token_ids`, `generated_token_ids` (an end token included),
/// `generated_text` (control tokens left out) and `stop_reason` (`eos` or `length`).
struct ModelsGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text with the local model.",
        discussion: """
            --prompt is raw text (control-token text such as <|im_start|> becomes control \
            tokens); --messages is a JSON array of {"role", "content"} rendered with the \
            model's chat template. Without --greedy, sampling uses llama.cpp's defaults \
            with a fixed seed unless --seed is given.
            """)

    @OptionGroup var input: ModelInputOptions

    @Flag(name: .long, help: "Always pick the most likely token.")
    var greedy = false

    @Option(name: .long, help: "Seed for sampling.")
    var seed: UInt64?

    @Option(name: .long, help: "Most tokens to generate.")
    var maxTokens = 128

    @Option(name: .long, help: "A JSON Schema file: the output is JSON valid for it (guided decoding).")
    var schema: String?

    @Flag(name: .long, help: "Print one JSON object instead of streaming text.")
    var json = false

    @OptionGroup var modelOption: ModelOption

    func run() async throws {
        let runtime = try ModelInputOptions.runtime(modelOption.model)
        let prompt = try input.promptTokens(runtime)
        let sampling = Sampling(temperature: greedy ? 0 : nil, seed: seed)
        let stream = json ? nil : TokenPrinter(tokenizer: runtime.tokenizer)
        var constraint: JSONConstraint?
        if let schema {
            do {
                let grammar = try JSONGrammar(schema: try Self.loadSchema(schema))
                constraint = JSONConstraint(GuidedVocabulary.shared(for: runtime).grammar(grammar))
            } catch let error as GuidanceError {
                throw CLIFailure.failed(error.description)
            }
        }
        let generation = try await runtime.generate(prompt: prompt, sampler: Sampler(sampling), maxTokens: maxTokens,
                                                    constraint: constraint) { token in
            stream?.print(token)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            Terminal.line(String(decoding: try encoder.encode(generation), as: UTF8.self))
        } else {
            stream?.finish()
            Terminal.line()
            Terminal.error(Terminal.dim("\(generation.generatedTokenIDs.count) tokens, stop: \(generation.stopReason.rawValue)"))
        }
    }
}

extension ModelsGenerateCommand {
    /// The JSON Schema in the file at `path`.
    static func loadSchema(_ path: String) throws -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIFailure.failed("cannot read the schema file \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw CLIFailure.failed("the schema file \(path) is not JSON; give a JSON Schema document")
        }
    }
}

/// Prints tokens as they come, joining the bytes of characters split across tokens.
final class TokenPrinter: @unchecked Sendable {
    private let tokenizer: Tokenizer
    private var pending: [UInt8] = []

    init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    func print(_ token: Int32) {
        pending += tokenizer.bytes(for: token)
        if let text = String(validating: pending, as: UTF8.self) {
            Terminal.out(text)
            pending.removeAll()
        } else if pending.count > 8 {
            finish()
        }
    }

    func finish() {
        Terminal.out(String(decoding: pending, as: UTF8.self))
        pending.removeAll()
    }
}
