import ArgumentParser
import Foundation
import Troupe

/// `troupe models score (--prompt TEXT | --messages FILE) --continuation-ids JSON [--top K] [--json]`:
/// teacher-forced next-token logits of a continuation.
///
/// Feeds the continuation after the prompt and prints, for every position
/// from the last prompt token on, the top-K next-token logits; position `i`
/// predicts continuation token `i`. With `--json`:
/// `{"top_logits": [[[id, logit], ...], ...]}`.
struct ModelsScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Show the model's next-token logits along a given continuation.")

    @OptionGroup var input: ModelInputOptions

    @Option(name: .long, help: ArgumentHelp("The continuation's token ids as a JSON array, e.g. [60, 23].", valueName: "json"))
    var continuationIds: String

    @Option(name: .long, help: "Candidates per position.")
    var top = 5

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var modelOption: ModelOption

    func run() async throws {
        guard let continuation = try? JSONDecoder().decode([Int32].self, from: Data(continuationIds.utf8)) else {
            throw CLIFailure.usage("--continuation-ids must be a JSON array of token ids, such as [60, 23]")
        }
        guard top > 0 else { throw CLIFailure.usage("--top must be at least 1") }
        let runtime = try ModelInputOptions.runtime(modelOption.model)
        let prompt = try input.promptTokens(runtime)
        let rows: [[TokenLogit]]
        do {
            rows = try await runtime.score(prompt: prompt, continuation: continuation, top: top)
        } catch let error as InferenceError {
            throw CLIFailure.failed(error.description)
        }
        if json {
            // Arrays of [id, logit] pairs; logits as JSON numbers.
            let body = rows.map { row in
                "[" + row.map { "[\($0.id), \($0.logit)]" }.joined(separator: ", ") + "]"
            }.joined(separator: ", ")
            Terminal.line("{\"top_logits\": [\(body)]}")
            return
        }
        for (i, row) in rows.enumerated() {
            let target = i < continuation.count ? continuation[i] : -1
            let cells = row.map { candidate -> String in
                let text = ModelsTokenizeCommand.display(runtime.tokenizer.bytes(for: Int32(candidate.id), renderSpecial: true))
                let mark = Int32(candidate.id) == target ? "*" : ""
                return "\(mark)\(candidate.id) \(text) \(String(format: "%.3f", candidate.logit))"
            }
            Terminal.line("\(i): " + cells.joined(separator: "  "))
        }
    }
}
