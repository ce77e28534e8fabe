/// One candidate next token and its raw logit.
public struct TokenLogit: Sendable, Hashable, Codable {
    public var id: Int
    public var logit: Float
    public init(id: Int, logit: Float) {
        self.id = id
        self.logit = logit
    }
}

extension Transformer {
    /// Teacher-forced logits: feeds `prompt` then `continuation`, and for every
    /// position from the last prompt token on returns the `top` most likely next
    /// tokens, best first (lower id first on ties). Row `i` predicts `continuation[i]`.
    ///
    /// ```swift
    /// let rows = try model.score(prompt: promptIDs, continuation: answerIDs, top: 5)
    /// let picked = rows.map { $0[0].id }  // what greedy decoding would choose at each step
    /// ```
    public func score(prompt: [Int32], continuation: [Int32], top: Int) throws(InferenceError) -> [[TokenLogit]] {
        var rows: [[TokenLogit]] = []
        rows.reserveCapacity(continuation.count)
        try teacherForcedLogits(prompt: prompt, continuation: continuation) { row in
            rows.append(Self.top(top, of: row))
        }
        return rows
    }

    /// Feeds `prompt` + `continuation` (all but its last token, whose successor is
    /// not asked for) and hands `body` the full logits row at each position from
    /// the last prompt token on, in order. Rows are only valid inside `body`.
    public func teacherForcedLogits(prompt: [Int32], continuation: [Int32],
                                    _ body: (UnsafeBufferPointer<Float>) -> Void) throws(InferenceError) {
        guard let last = prompt.last else { throw .emptyInput(what: "the prompt") }
        let cache = makeCache()
        let context = prompt.dropLast().map { Token(id: $0, cache: cache, wantsLogits: false) }
        try forward(context, logits: nil)
        let scored = [last] + continuation.dropLast()
        let vocab = config.vocabularySize
        let chunk = 64
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: chunk * vocab)
        defer { buffer.deallocate() }
        var start = 0
        while start < scored.count {
            let end = Swift.min(scored.count, start + chunk)
            try forward(scored[start..<end].map { Token(id: $0, cache: cache, wantsLogits: true) }, logits: buffer)
            for row in 0..<(end - start) {
                body(UnsafeBufferPointer(start: buffer + row * vocab, count: vocab))
            }
            start = end
        }
    }

    /// The `k` largest entries of `row`, largest first, lower index first on ties.
    public static func top(_ k: Int, of row: UnsafeBufferPointer<Float>) -> [TokenLogit] {
        guard k > 0 else { return [] }
        var best: [TokenLogit] = []
        best.reserveCapacity(k + 1)
        for (i, value) in row.enumerated() where best.count < k || value > best[best.count - 1].logit {
            var at = best.count
            while at > 0, best[at - 1].logit < value { at -= 1 }
            best.insert(TokenLogit(id: i, logit: value), at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
