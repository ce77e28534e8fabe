import ArgumentParser
import Foundation
import Troupe

/// `troupe models bench [--threads N] [--json]`: throughput of the local kernel.
///
/// Prefill tokens/s for 128- and 512-token prompts, decode tokens/s for 128
/// tokens, aggregate decode tokens/s for 4 concurrent sequences, time to first
/// token from a cold start, and peak RSS (see `KernelBenchmark`).
struct ModelsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the local kernel's prefill and decode speed.")

    @Option(name: .long, help: "Threads per forward pass (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Runs per figure; the median is reported.")
    var repetitions = 3

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Option(name: .long, help: "Instead: compare guided decoding with this JSON Schema file against free decoding.")
    var schema: String?

    @Option(name: .long, help: "With --schema: the user prompt.")
    var prompt = "Answer in JSON."

    @Option(name: .long, help: "With --schema: seeds (one constrained and one free generation each).")
    var seeds = 20

    @Option(name: .long, help: "With --schema: most tokens per generation.")
    var maxTokens = 64

    @OptionGroup var modelOption: ModelOption

    func run() async throws {
        if let schema { return try await runGuided(schemaPath: schema) }
        let url: URL
        do {
            url = try ModelLocator().url(for: modelOption.model)
        } catch {
            throw CLIFailure.failed(error.description)
        }
        let result = try await KernelBenchmark.run(url: url, threads: threads, repetitions: max(1, repetitions))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Terminal.line(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        Terminal.line("threads \(result.threads), kernels \(result.isa)")
        Terminal.line("prefill 128 tokens   \(f(result.prefill128TokensPerSecond)) tok/s")
        Terminal.line("prefill 512 tokens   \(f(result.prefill512TokensPerSecond)) tok/s")
        Terminal.line("decode 128 tokens    \(f(result.decodeTokensPerSecond)) tok/s")
        Terminal.line("4 concurrent decode  \(f(result.concurrent4TokensPerSecond)) tok/s")
        Terminal.line("cold first token     \(f(result.coldTimeToFirstTokenMilliseconds)) ms")
        Terminal.line("peak RSS             \(f(result.peakRSSMebibytes)) MiB")
    }

    /// `--schema`: constrained against free decode speed, and the share of valid outputs.
    private func runGuided(schemaPath: String) async throws {
        let schema = try ModelsGenerateCommand.loadSchema(schemaPath)
        let runtime = try ModelInputOptions.runtime(modelOption.model)
        let result: GuidedBenchmark.Result
        do {
            result = try await GuidedBenchmark.run(runtime: runtime, schema: schema, prompt: prompt,
                                                   seeds: max(1, seeds), maxTokens: maxTokens)
        } catch let error as GuidanceError {
            throw CLIFailure.failed(error.description)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            Terminal.line(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        Terminal.line("free decode      \(f(result.unconstrainedTokensPerSecond)) tok/s")
        Terminal.line("guided decode    \(f(result.constrainedTokensPerSecond)) tok/s (\(String(format: "%.2f", result.speedRatio))×)")
        Terminal.line("valid outputs    \(result.validOutputs)/\(result.outputs)")
        Terminal.line("sample           \(result.sample)")
    }
}
