/// A set of token ids as a bit per vocabulary entry: the tokens guided
/// decoding allows at one step.
struct TokenMask: Sendable, Hashable {
    private(set) var words: [UInt64]
    let count: Int

    init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    @inline(__always)
    mutating func insert(_ id: Int32) {
        let index = Int(id)
        guard index >= 0, index < count else { return }
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    func contains(_ id: Int32) -> Bool {
        let index = Int(id)
        guard index >= 0, index < count else { return false }
        return words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// How many tokens are allowed.
    var allowedCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Sets every logit outside the mask to -∞ (logits past `count` too).
    func apply(to logits: UnsafeMutableBufferPointer<Float>) {
        let limit = min(count, logits.count)
        words.withUnsafeBufferPointer { words in
            for (wordIndex, word) in words.enumerated() where word != .max {
                let base = wordIndex << 6
                let end = min(base + 64, limit)
                guard base < end else { break }
                for index in base..<end where word & (1 << UInt64(index - base)) == 0 {
                    logits[index] = -.infinity
                }
            }
        }
        if logits.count > limit {
            for index in limit..<logits.count { logits[index] = -.infinity }
        }
    }
}

extension TokenMask {
    /// Adds the 64 tokens of `word` at word `index` (from another mask of the same size).
    mutating func formUnion(word: UInt64, at index: Int) {
        guard words.indices.contains(index) else { return }
        words[index] |= word
    }
}
