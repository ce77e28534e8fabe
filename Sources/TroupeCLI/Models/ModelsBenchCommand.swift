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

    @OptionGroup var modelOption: ModelOption

    func run() async throws {
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
}
