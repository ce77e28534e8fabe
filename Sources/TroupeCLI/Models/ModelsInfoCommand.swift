import ArgumentParser
import Foundation
import Troupe

/// `troupe models info [PATH]`: a GGUF file's summary and all its metadata,
/// optionally its tensors.
///
/// PATH is a path or a name in the models folder; without it, the default
/// model. Long arrays (the vocabulary, the merges) are summarised.
struct ModelsInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a GGUF model's metadata.")

    @Argument(help: ArgumentHelp("A .gguf file, or a model name in the models folder (default: the SmolLM2 model).",
                                 valueName: "path"))
    var path: String?

    @Flag(name: .long, help: "Also list every tensor: name, type, shape, bytes.")
    var tensors = false

    @Flag(name: .long, help: "Print one JSON object: summary, metadata, and tensors with --tensors.")
    var json = false

    struct TensorEntry: Encodable {
        var name: String
        var type: String
        var shape: [Int]
        var offset: Int
        var bytes: Int
    }

    struct Output: Encodable {
        var summary: ModelSummary
        var metadata: [String: JSONValue]
        var tensors: [TensorEntry]?
    }

    func run() async throws {
        let file = try ModelOption.open(path)
        let summary = ModelSummary(file: file)
        let tensorEntries = file.tensorNames.compactMap { file.tensors[$0] }.map {
            TensorEntry(name: $0.name, type: "\($0.type)", shape: $0.shape, offset: $0.offset, bytes: $0.byteCount)
        }
        if json {
            let metadata = file.metadata.mapValues { $0.jsonValue(arrayLimit: 64) }
            try Terminal.json(Output(summary: summary, metadata: metadata, tensors: tensors ? tensorEntries : nil))
            return
        }
        Terminal.line(Terminal.bold(summary.name))
        let facts: [(String, String)] = [
            ("file", summary.path),
            ("size", ModelsListCommand.size(summary.fileSize) + " (\(summary.fileSize) bytes)"),
            ("architecture", summary.architecture ?? "-"),
            ("quantization", summary.quantization),
            ("parameters", String(format: "%.1fM", Double(summary.parameterCount) / 1e6)),
            ("context length", summary.contextLength.map(String.init) ?? "-"),
            ("layers", summary.layerCount.map(String.init) ?? "-"),
            ("vocabulary", summary.vocabularySize.map(String.init) ?? "-"),
            ("GGUF", "version \(summary.ggufVersion), \(summary.tensorCount) tensors, alignment \(file.alignment)"),
        ]
        for (label, value) in facts { Terminal.line("  " + label.padding(toLength: 15, withPad: " ", startingAt: 0) + value) }
        Terminal.line()
        Terminal.line(Terminal.bold("metadata"))
        for key in file.metadataKeys {
            guard let value = file.metadata[key] else { continue }
            var text = value.description
            if text.count > 160 { text = String(text.prefix(157)) + "…" }
            Terminal.line("  \(key) = \(text)")
        }
        if tensors {
            Terminal.line()
            Terminal.line(Terminal.bold("tensors"))
            for entry in tensorEntries {
                let shape = entry.shape.map(String.init).joined(separator: "×")
                Terminal.line("  \(entry.name)  \(entry.type)  [\(shape)]  \(entry.bytes) bytes")
            }
        }
    }
}
