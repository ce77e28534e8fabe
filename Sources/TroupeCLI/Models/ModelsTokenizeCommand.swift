import ArgumentParser
import Foundation
import Troupe

/// `troupe models tokenize TEXT [--parse-special] [--json]`: the token ids the
/// local model's tokenizer gives for a text, the same ids llama.cpp gives.
///
/// Prints one line per token (id and text); with `--json`, one object
/// `{"ids": [...], "pieces": [...]}` where pieces are the vocabulary entries as
/// stored (`Ġworld` for " world"), as llama.cpp's vocabulary spells them.
struct ModelsTokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show the token ids of a text.",
        discussion: """
            Without --parse-special, text such as <|im_start|> is ordinary characters, \
            as user content is; with it, such text becomes the control token, as in a \
            rendered chat prompt. No beginning-of-sequence token is added.
            """)

    @Argument(help: "The text to tokenize.")
    var text: String

    @Flag(name: .long, help: "Turn control-token text (<|im_start|>, <|im_end|>) into control tokens.")
    var parseSpecial = false

    @Flag(name: .long, help: "Print one JSON object: {\"ids\": [...], \"pieces\": [...]}.")
    var json = false

    @OptionGroup var modelOption: ModelOption

    struct Output: Encodable {
        var ids: [Int32]
        var pieces: [String]
    }

    func run() async throws {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer(file: modelOption.open())
        } catch let error as TokenizerError {
            throw CLIFailure.failed(error.description)
        }
        let ids = tokenizer.encode(text, parseSpecial: parseSpecial)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let output = Output(ids: ids, pieces: ids.map(tokenizer.vocabularyPiece(for:)))
            Terminal.line(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        let width = ids.map { String($0).count }.max() ?? 1
        for id in ids {
            let number = String(id)
            let padding = String(repeating: " ", count: width - number.count)
            let kind = tokenizer.isControl(id) ? Terminal.dim("  (control)") : ""
            Terminal.line(padding + number + "  " + Self.display(tokenizer.bytes(for: id, renderSpecial: true)) + kind)
        }
        Terminal.line(Terminal.dim("\(ids.count) token\(ids.count == 1 ? "" : "s")"))
    }

    /// A token's text quoted, or its bytes in hex (`<f0 9f>`) when it holds part of a character.
    static func display(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return GGUFValue.quoted(text) }
        return "<" + bytes.map { String($0, radix: 16) }.joined(separator: " ") + ">"
    }
}
