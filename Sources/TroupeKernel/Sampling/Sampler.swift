import TroupeCore

/// Picks the next token from a model's logits: greedy, or sampled with
/// temperature, top-k, top-p, min-p and a repetition penalty, from a seeded
/// generator so the same seed and logits always give the same tokens.
///
/// The filters run in llama.cpp's default order: repetition penalty, top-k,
/// top-p, min-p (these three on the untempered distribution), then
/// temperature, then a draw. A temperature of 0 is greedy: the highest logit,
/// the first one on ties.
///
/// ```swift
/// var sampler = Sampler(Sampling(temperature: 0.7, topP: 0.9, seed: 42))
/// let next = sampler.sample(logits, history: tokensSoFar)
/// ```
///
/// A sampler is a value holding its generator's state: each sequence needs
/// its own, and copying one forks an identical stream.
public struct Sampler: Sendable, Hashable {
    /// Softmax temperature; 0 means greedy.
    public var temperature: Float
    /// Keep only the `topK` most likely tokens; `nil` or ≤ 0 keeps all.
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches `topP`; 1 keeps all.
    public var topP: Float
    /// Drop tokens less likely than `minP` times the most likely one; 0 keeps all.
    public var minP: Float
    /// Divide positive logits (multiply negative ones) of recently seen tokens by this; 1 is off.
    public var repetitionPenalty: Float
    /// How many of the most recent tokens the repetition penalty looks at.
    public var repetitionWindow: Int
    /// The random stream draws come from.
    public var generator: Xoshiro256

    /// The seed used when a request gives none, so unseeded runs still replay.
    public static let defaultSeed: UInt64 = 0x7E0_0BE5
    /// Defaults for fields a request leaves `nil`: llama.cpp's sampling defaults.
    public static let defaultTemperature: Float = 0.8
    public static let defaultTopK = 40
    public static let defaultTopP: Float = 0.95
    public static let defaultMinP: Float = 0.05

    /// A sampler with explicit settings.
    public init(temperature: Float, topK: Int? = nil, topP: Float = 1, minP: Float = 0,
                repetitionPenalty: Float = 1, repetitionWindow: Int = 64, seed: UInt64 = Sampler.defaultSeed) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.generator = Xoshiro256(seed: seed)
    }

    /// A sampler configured from a request's ``Sampling``.
    ///
    /// `nil` fields take llama.cpp's defaults (temperature 0.8, top-k 40,
    /// top-p 0.95, min-p 0.05, no repetition penalty); a `nil` seed takes
    /// `seed` (``defaultSeed`` unless given). Temperature 0 is greedy.
    public init(_ sampling: Sampling, seed: UInt64 = Sampler.defaultSeed) {
        self.init(temperature: sampling.temperature.map(Float.init) ?? Self.defaultTemperature,
                  topK: sampling.topK ?? Self.defaultTopK,
                  topP: sampling.topP.map(Float.init) ?? Self.defaultTopP,
                  minP: sampling.minP.map(Float.init) ?? Self.defaultMinP,
                  repetitionPenalty: sampling.repetitionPenalty.map(Float.init) ?? 1,
                  seed: sampling.seed ?? seed)
    }

    /// Greedy decoding: always the highest logit.
    public static var greedy: Sampler { Sampler(temperature: 0) }

    /// Whether this sampler ignores the generator (temperature 0, or top-k 1).
    public var isGreedy: Bool { temperature <= 0 || topK == 1 }

    // MARK: Sampling

    /// The next token for `logits` (one per vocabulary entry).
    ///
    /// The repetition penalty is applied to `logits` in place; `history` is
    /// the sequence so far (prompt and generated tokens).
    public mutating func sample(_ logits: UnsafeMutableBufferPointer<Float>,
                                history: some BidirectionalCollection<Int32> = [Int32]()) -> Int32 {
        guard !logits.isEmpty else { return 0 }
        applyRepetitionPenalty(logits, history: history)
        if isGreedy { return Self.argmax(UnsafeBufferPointer(logits)) }
        var candidates = if let topK, topK > 0 {
            Candidates.top(topK, of: UnsafeBufferPointer(logits))
        } else {
            Candidates(logits: UnsafeBufferPointer(logits))
        }
        if topP < 1 { candidates.keepNucleus(topP) }
        if minP > 0 { candidates.keepAbove(minP) }
        return candidates.draw(temperature: temperature, unit: generator.nextUnit())
    }

    /// The next token for `logits`, which are left unchanged.
    public mutating func sample(_ logits: [Float], history: some BidirectionalCollection<Int32> = [Int32]()) -> Int32 {
        var copy = logits
        return copy.withUnsafeMutableBufferPointer { sample($0, history: history) }
    }

    /// The index of the highest logit, the first on ties; NaN never wins.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for (index, value) in logits.enumerated() where value > bestValue {
            best = index
            bestValue = value
        }
        return Int32(best)
    }

    private func applyRepetitionPenalty(_ logits: UnsafeMutableBufferPointer<Float>,
                                        history: some BidirectionalCollection<Int32>) {
        guard repetitionPenalty != 1, repetitionPenalty > 0, repetitionWindow > 0 else { return }
        var seen = Set<Int32>()
        for id in history.suffix(repetitionWindow) where seen.insert(id).inserted {
            let index = Int(id)
            guard logits.indices.contains(index) else { continue }
            let value = logits[index]
            logits[index] = value > 0 ? value / repetitionPenalty : value * repetitionPenalty
        }
    }
}
