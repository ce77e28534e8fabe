import Foundation
import Testing
import TroupeCore
@testable import TroupeKernel

@Suite("Sampler")
struct SamplerTests {
    /// Logits whose softmax is `probabilities` (at temperature 1).
    private func logits(_ probabilities: [Double]) -> [Float] {
        probabilities.map { Float(log($0)) }
    }

    /// How often each id comes out of `draws` samples.
    private func frequencies(_ sampler: Sampler, _ logits: [Float], draws: Int = 20_000) -> [Int32: Double] {
        var sampler = sampler
        var counts: [Int32: Int] = [:]
        for _ in 0..<draws { counts[sampler.sample(logits), default: 0] += 1 }
        return counts.mapValues { Double($0) / Double(draws) }
    }

    @Test("greedy takes the highest logit, the first on ties, and never a NaN")
    func greedy() {
        var sampler = Sampler.greedy
        #expect(sampler.sample([0.1, 3, -2, 3, 1]) == 1)
        #expect(sampler.sample([.nan, -1, -0.5]) == 2)
        #expect(Sampler(temperature: 1.5, topK: 1).isGreedy)
        var topOne = Sampler(temperature: 1.5, topK: 1, seed: 9)
        #expect((0..<100).allSatisfy { _ in topOne.sample([1, 2, 5, 4]) == 2 })
    }

    @Test("the same seed gives the same tokens; another seed, another stream")
    func seeded() {
        let values = logits([0.3, 0.25, 0.2, 0.15, 0.1])
        func run(_ seed: UInt64) -> [Int32] {
            var sampler = Sampler(temperature: 1, seed: seed)
            return (0..<64).map { _ in sampler.sample(values) }
        }
        #expect(run(42) == run(42))
        #expect(run(42) != run(43))
        var a = Xoshiro256(seed: 7), b = Xoshiro256(seed: 7)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        #expect((0..<1000).allSatisfy { _ in (0..<1).contains(a.nextUnit()) })
    }

    @Test("draws follow the softmax at the given temperature")
    func distribution() {
        let values = logits([0.75, 0.25])
        let plain = frequencies(Sampler(temperature: 1, seed: 1), values)
        #expect(abs((plain[0] ?? 0) - 0.75) < 0.02)
        // Temperature 0.5 squares the odds: 9:1.
        let sharp = frequencies(Sampler(temperature: 0.5, seed: 2), values)
        #expect(abs((sharp[0] ?? 0) - 0.9) < 0.015)
    }

    @Test("top-k, top-p and min-p keep exactly the tokens they should")
    func filters() {
        let values = logits([0.5, 0.3, 0.15, 0.05])
        #expect(Set(frequencies(Sampler(temperature: 1, topK: 2, seed: 3), values).keys) == [0, 1])
        #expect(Set(frequencies(Sampler(temperature: 1, topP: 0.7, seed: 4), values).keys) == [0, 1])
        #expect(Set(frequencies(Sampler(temperature: 1, topP: 0.85, seed: 5), values).keys) == [0, 1, 2])
        // min-p 0.5: only tokens at least half as likely as the best (0.5 → ≥ 0.25).
        #expect(Set(frequencies(Sampler(temperature: 1, minP: 0.5, seed: 6), values).keys) == [0, 1])
        // Renormalised within the nucleus: 0.5 / 0.8 for the first token.
        let nucleus = frequencies(Sampler(temperature: 1, topP: 0.7, seed: 7), values)
        #expect(abs((nucleus[0] ?? 0) - 0.625) < 0.02)
    }

    @Test("top-p over a full-size vocabulary matches a plain sort")
    func largeVocabulary() {
        var generator = Xoshiro256(seed: 11)
        let values = (0..<49152).map { _ in Float(generator.nextUnit() * 20 - 10) }
        // Reference nucleus computed naively.
        let order = values.indices.sorted { values[$0] > values[$1] }
        let maxValue = values[order[0]]
        let total = values.reduce(0) { $0 + exp(Double($1 - maxValue)) }
        var cumulative = 0.0
        var nucleus = Set<Int32>()
        for index in order {
            nucleus.insert(Int32(index))
            cumulative += exp(Double(values[index] - maxValue)) / total
            if cumulative >= 0.5 { break }
        }
        var sampler = Sampler(temperature: 1, topP: 0.5, seed: 12)
        for _ in 0..<200 { #expect(nucleus.contains(sampler.sample(values))) }
    }

    @Test("the repetition penalty lowers recent tokens, in the window only")
    func repetitionPenalty() {
        var sampler = Sampler(temperature: 0, repetitionPenalty: 2)
        var values: [Float] = [4, 3, -1, -0.5]
        let next = values.withUnsafeMutableBufferPointer { sampler.sample($0, history: [0, 0, 2]) }
        #expect(values == [2, 3, -2, -0.5])
        #expect(next == 1)
        var windowed = Sampler(temperature: 0, repetitionPenalty: 2, repetitionWindow: 1)
        #expect(windowed.sample([4, 3, 1], history: [0, 2]) == 0)
        // The array form leaves the caller's logits alone.
        let untouched: [Float] = [4, 3]
        #expect(sampler.sample(untouched, history: [0]) == 1)
        #expect(untouched == [4, 3])
    }

    @Test("configures from a request's Sampling")
    func fromSampling() {
        let greedy = Sampler(.greedy)
        #expect(greedy.isGreedy)
        let custom = Sampler(Sampling(temperature: 0.7, topP: 0.9, topK: 20, minP: 0.1, repetitionPenalty: 1.1, seed: 5))
        #expect(custom.temperature == 0.7)
        #expect(custom.topK == 20)
        #expect(custom.topP == 0.9)
        #expect(custom.minP == Float(0.1))
        #expect(custom.repetitionPenalty == Float(1.1))
        #expect(custom.generator == Xoshiro256(seed: 5))
        let defaults = Sampler(Sampling(), seed: 99)
        #expect(defaults.temperature == 0.8 && defaults.topK == 40 && defaults.topP == 0.95 && defaults.minP == 0.05)
        #expect(defaults.generator == Xoshiro256(seed: 99))
    }
}
