import ArgumentParser
import Foundation
import Troupe

/// `troupe models` (`troupe models list`): the GGUF models in the models folder,
/// with name, file, size, quantization and context length.
///
/// The folder is `$TROUPE_MODELS`, else `./models`, else the `models` folder of
/// the checkout `troupe` was built in (as ``LocalModels`` finds it). A file that is not a valid
/// GGUF is listed with its problem rather than failing the listing.
struct ModelsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List local models (name, file, size, quantization, context length).")

    @Flag(name: .long, help: "Print a JSON array of model summaries.")
    var json = false

    struct Entry: Encodable {
        var file: String
        var summary: ModelSummary?
        var error: String?
    }

    func run() async throws {
        let locator = LocalModels.locator()
        let entries = locator.localModels().map { url in
            do {
                return Entry(file: url.lastPathComponent, summary: ModelSummary(file: try GGUFFile(url: url)))
            } catch {
                return Entry(file: url.lastPathComponent, error: String(describing: error))
            }
        }
        if json {
            try Terminal.json(entries)
            return
        }
        guard !entries.isEmpty else {
            Terminal.line("No models in \(locator.directory.path).")
            Terminal.line("Run scripts/setup to fetch the default model (\(ModelLocator.defaultFileName)), or set TROUPE_MODELS.")
            return
        }
        var rows = [["NAME", "FILE", "SIZE", "QUANT", "CONTEXT"]]
        for entry in entries {
            if let s = entry.summary {
                rows.append([s.name, entry.file, Self.size(s.fileSize), s.quantization, s.contextLength.map(String.init) ?? "-"])
            } else {
                rows.append(["(unreadable)", entry.file, "-", "-", "-"])
            }
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for (index, row) in rows.enumerated() {
            let line = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            Terminal.line(index == 0 ? Terminal.bold(line) : line)
        }
        for entry in entries { if let error = entry.error { Terminal.error("\(entry.file): \(error)") } }
        Terminal.line(Terminal.dim("models folder: \(locator.directory.path)"))
    }

    /// Bytes as MiB or GiB with one decimal.
    static func size(_ bytes: Int) -> String {
        let mib = Double(bytes) / 1_048_576
        return mib >= 1024 ? String(format: "%.1f GiB", mib / 1024) : String(format: "%.1f MiB", mib)
    }
}
