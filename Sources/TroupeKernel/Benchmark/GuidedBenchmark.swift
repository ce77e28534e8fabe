import Foundation
import Synchronization
import TroupeCore

/// Guided decoding's cost and reliability on one schema: decode tokens/s with
/// and without the constraint on the same prompt and seeds, and how many
/// constrained outputs parse and validate.
///
/// ```swift
/// let result = try await GuidedBenchmark.run(runtime: runtime, schema: schema,
///                                            prompt: "Describe a person as JSON.", seeds: 20)
/// print(result.speedRatio, result.validOutputs, result.outputs)
/// ```
///
/// Speed is the mean time between consecutive generated tokens (prefill left
/// out), one sequence at a time, sampled at temperature 0.9 without top-k/p
/// filters; the unconstrained runs ignore end-of-generation so they produce
/// as many tokens as allowed. The first constrained run warms the grammar's
/// caches and is not timed.
public enum GuidedBenchmark {
    public struct Result: Sendable, Hashable, Codable {
        public var seeds: Int
        public var unconstrainedTokensPerSecond: Double
        public var constrainedTokensPerSecond: Double
        /// constrained / unconstrained.
        public var speedRatio: Double
        public var outputs: Int
        public var validOutputs: Int
        /// One constrained output, for a look.
        public var sample: String

        enum CodingKeys: String, CodingKey {
            case seeds, outputs, sample
            case unconstrainedTokensPerSecond = "unconstrained_tok_s"
            case constrainedTokensPerSecond = "constrained_tok_s"
            case speedRatio = "speed_ratio"
            case validOutputs = "valid_outputs"
        }
    }

    public static func run(runtime: LocalRuntime, schema: JSONValue, prompt text: String, seeds: Int = 20,
                           maxTokens: Int = 64) async throws -> Result {
        let grammar = GuidedVocabulary.shared(for: runtime).grammar(try JSONGrammar(schema: schema))
        let validator = JSONSchemaValidator(schema: schema)
        let prompt = runtime.promptTokens(for: [.user(text)])
        func sampler(_ seed: Int) -> Sampler { Sampler(temperature: 0.9, seed: UInt64(seed)) }

        _ = try await runtime.generate(prompt: prompt, sampler: sampler(0), maxTokens: maxTokens,
                                       constraint: JSONConstraint(grammar))
        var plain = Timing(), guided = Timing()
        var valid = 0
        var sample = ""
        for seed in 1...max(1, seeds) {
            plain.add(try await timed(runtime, prompt, sampler(seed), maxTokens, constraint: nil).intervals)
            let (intervals, ids) = try await timed(runtime, prompt, sampler(seed), maxTokens,
                                                   constraint: JSONConstraint(grammar))
            guided.add(intervals)
            let output = runtime.tokenizer.decode(ids)
            if sample.isEmpty { sample = output }
            if (try? JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])) != nil,
               let value = try? JSONDecoder().decode(JSONValue.self, from: Data(output.utf8)),
               validator.isValid(value) {
                valid += 1
            }
        }
        return Result(seeds: seeds, unconstrainedTokensPerSecond: plain.tokensPerSecond,
                      constrainedTokensPerSecond: guided.tokensPerSecond,
                      speedRatio: guided.tokensPerSecond / max(plain.tokensPerSecond, 1e-9),
                      outputs: seeds, validOutputs: valid, sample: sample)
    }

    private struct Timing {
        var seconds = 0.0, tokens = 0
        mutating func add(_ intervals: [Double]) {
            seconds += intervals.reduce(0, +)
            tokens += intervals.count
        }
        var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    }

    /// Generates one sequence and returns the gaps between its tokens, in seconds, and its ids.
    private static func timed(_ runtime: LocalRuntime, _ prompt: [Int32], _ sampler: Sampler, _ maxTokens: Int,
                              constraint: JSONConstraint?) async throws -> (intervals: [Double], ids: [Int32]) {
        let stamps = Mutex<[ContinuousClock.Instant]>([])
        let ids: [Int32] = try await withCheckedThrowingContinuation { continuation in
            let collected = Mutex<[Int32]>([])
            runtime.engine.submit(GenerationJob(
                prompt: prompt, sampler: sampler, maxTokens: maxTokens,
                stopsAtEndOfGeneration: constraint != nil, constraint: constraint,
                onToken: { token in
                    stamps.withLock { $0.append(.now) }
                    collected.withLock { $0.append(token) }
                    return true
                },
                onFinish: { ending in
                    if case .failed(let error) = ending { return continuation.resume(throwing: error) }
                    continuation.resume(returning: collected.withLock { $0 })
                }))
        }
        let times = stamps.withLock { $0 }
        let intervals = zip(times.dropFirst(), times).map { pair in
            let gap = pair.0 - pair.1
            return Double(gap.components.seconds) + Double(gap.components.attoseconds) * 1e-18
        }
        return (intervals, ids)
    }
}
