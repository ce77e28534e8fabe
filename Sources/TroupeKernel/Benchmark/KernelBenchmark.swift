#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Throughput of the local kernel on one model, measured the way the issue's
/// peer workload defines it (greedy decoding, synthetic prompts of fixed length).
///
/// ```swift
/// let result = try await KernelBenchmark.run(url: modelURL, threads: 2)
/// print(result.decodeTokensPerSecond)
/// ```
///
/// Prefill runs a fresh sequence of 128 and 512 tokens; decode generates 128
/// tokens after a 128-token prompt; the concurrent figure is the aggregate
/// decode rate of 4 sequences generating 128 tokens each at once. Prompts are
/// distinct pseudo-random tokens, so no prefix is reused, and end-of-generation
/// is ignored so every sequence runs its full length. Each figure is the median
/// of `repetitions` runs.
public enum KernelBenchmark {
    public struct Result: Sendable, Hashable, Codable {
        public var threads: Int
        public var isa: String
        public var prefill128TokensPerSecond: Double
        public var prefill512TokensPerSecond: Double
        public var decodeTokensPerSecond: Double
        public var concurrent4TokensPerSecond: Double
        /// Load the model and produce the first token of a short prompt, in milliseconds.
        public var coldTimeToFirstTokenMilliseconds: Double
        public var peakRSSMebibytes: Double

        enum CodingKeys: String, CodingKey {
            case threads, isa
            case prefill128TokensPerSecond = "prefill_128_tok_s"
            case prefill512TokensPerSecond = "prefill_512_tok_s"
            case decodeTokensPerSecond = "decode_tok_s"
            case concurrent4TokensPerSecond = "concurrent_4_decode_tok_s"
            case coldTimeToFirstTokenMilliseconds = "cold_ttft_ms"
            case peakRSSMebibytes = "peak_rss_mib"
        }
    }

    public static func run(url: URL, threads: Int?, repetitions: Int = 3) async throws -> Result {
        // Cold: map the file, build tokenizer and engine, answer a short prompt.
        let coldStart = ContinuousClock.now
        let runtime = try LocalRuntime(url: url, threads: threads)
        defer { runtime.engine.shutdown() }
        _ = try await runtime.generate(prompt: runtime.promptTokens(for: [.user("Hi")]), sampler: .greedy, maxTokens: 1)
        let cold = seconds(ContinuousClock.now - coldStart)

        var seed: UInt64 = 0x5EED
        func prompt(_ n: Int) -> [Int32] {
            (0..<n).map { _ in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return Int32(truncatingIfNeeded: 200 + (seed >> 33) % 40_000)
            }
        }

        func prefill(_ n: Int) async throws -> Double {
            var rates: [Double] = []
            for _ in 0..<repetitions {
                let ids = prompt(n)
                rates.append(try await runtime.engine.perform { t in
                    let cache = t.makeCache()
                    var logits = [Float](repeating: 0, count: t.config.vocabularySize)
                    let start = ContinuousClock.now
                    try logits.withUnsafeMutableBufferPointer { buffer in
                        try t.forward(ids.enumerated().map { .init(id: $0.element, cache: cache, wantsLogits: $0.offset == n - 1) },
                                      logits: buffer.baseAddress)
                    }
                    return Double(n) / seconds(ContinuousClock.now - start)
                })
            }
            return median(rates)
        }

        /// Aggregate decode rate of `streams` sequences generating `tokens` each, from
        /// the moment all have their first token until all are done.
        func decode(streams: Int, tokens: Int) async throws -> Double {
            var rates: [Double] = []
            for _ in 0..<repetitions {
                let clock = DecodeClock(streams: streams)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for s in 0..<streams {
                        let ids = prompt(128)
                        group.addTask {
                            _ = try await runtime.generateIgnoringEnd(prompt: ids, maxTokens: tokens) { clock.tick(stream: s) }
                        }
                    }
                    try await group.waitForAll()
                }
                rates.append(clock.rate)
            }
            return median(rates)
        }

        let p128 = try await prefill(128)
        let p512 = try await prefill(512)
        let single = try await decode(streams: 1, tokens: 128)
        let four = try await decode(streams: 4, tokens: 128)
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peak = Double(usage.ru_maxrss) / 1024          // KiB on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        let peak = Double(usage.ru_maxrss) / 1024 / 1024   // bytes on Darwin
        #endif
        return Result(threads: runtime.transformer.threads, isa: runtime.transformer.isa.description,
                      prefill128TokensPerSecond: p128, prefill512TokensPerSecond: p512,
                      decodeTokensPerSecond: single, concurrent4TokensPerSecond: four,
                      coldTimeToFirstTokenMilliseconds: cold * 1000,
                      peakRSSMebibytes: peak)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

/// Token arrival times of concurrent streams (ticks come from the compute thread only).
private final class DecodeClock: @unchecked Sendable {
    private var firsts: [ContinuousClock.Instant?]
    private var counts: [Int]
    private var last = ContinuousClock.now

    init(streams: Int) {
        firsts = Array(repeating: nil, count: streams)
        counts = Array(repeating: 0, count: streams)
    }

    func tick(stream: Int) {
        let now = ContinuousClock.now
        if firsts[stream] == nil { firsts[stream] = now }
        counts[stream] += 1
        last = now
    }

    /// Tokens after the last stream's first token, per second.
    var rate: Double {
        guard let start = firsts.compactMap({ $0 }).max() else { return 0 }
        // Tokens produced after `start`: all but each stream's tokens up to its first (≈ 1 each).
        let tokens = counts.reduce(0, +) - counts.count
        return Double(tokens) / KernelBenchmark.seconds(last - start)
    }
}

extension LocalRuntime {
    /// Greedy generation that runs its full length (benchmarks).
    func generateIgnoringEnd(prompt: [Int32], maxTokens: Int, onToken: @escaping @Sendable () -> Void) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let count = Counter()
            engine.submit(GenerationJob(
                prompt: prompt, sampler: .greedy, maxTokens: maxTokens, stopsAtEndOfGeneration: false,
                onToken: { _ in count.value += 1; onToken(); return true },
                onFinish: { ending in
                    switch ending {
                    case .failed(let error): continuation.resume(throwing: error)
                    case .cancelled: continuation.resume(throwing: CancellationError())
                    default: continuation.resume(returning: count.value)
                    }
                }))
        }
    }
}

private final class Counter: @unchecked Sendable {
    var value = 0
}
