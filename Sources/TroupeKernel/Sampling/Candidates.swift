import Foundation

/// The tokens still in the running while a ``Sampler`` filters, most likely first once sorted.
///
/// Filtering avoids sorting the whole vocabulary: top-k keeps a small heap
/// filled straight from the logits buffer,
/// and top-p bins logits to find which tokens the nucleus can reach before
/// sorting those alone, which is exact because the nucleus is a prefix of the
/// sorted order.
struct Candidates {
    private(set) var ids: [Int32]
    private(set) var logits: [Float]
    /// Whether `ids`/`logits` are sorted by descending logit.
    private var isSorted = false
    /// The largest logit among all candidates.
    private var maxLogit: Float

    init(logits source: UnsafeBufferPointer<Float>) {
        var ids: [Int32] = []
        var values: [Float] = []
        ids.reserveCapacity(source.count)
        values.reserveCapacity(source.count)
        var maxLogit = -Float.infinity
        for (index, value) in source.enumerated() where !value.isNaN && value > -.infinity {
            ids.append(Int32(index))
            values.append(value)
            maxLogit = max(maxLogit, value)
        }
        if ids.isEmpty {
            ids = [0]
            values = [0]
            maxLogit = 0
        }
        self.ids = ids
        self.logits = values
        self.maxLogit = maxLogit
    }

    var count: Int { ids.count }

    /// The `k` highest logits of `source` (ties toward lower ids), sorted, read
    /// straight from the buffer so the vocabulary is never copied.
    static func top(_ k: Int, of source: UnsafeBufferPointer<Float>) -> Candidates {
        guard k > 0, k < source.count else {
            var all = Candidates(logits: source)
            all.sort()
            return all
        }
        // A min-heap of the best k so far, worst on top.
        var heap: [Pair] = []
        heap.reserveCapacity(k)
        func worse(_ a: Pair, _ b: Pair) -> Bool {
            a.logit < b.logit || (a.logit == b.logit && a.id > b.id)
        }
        for (index, value) in source.enumerated() where !value.isNaN && value > -.infinity {
            let pair = Pair(logit: value, id: Int32(index))
            if heap.count < k {
                heap.append(pair)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard worse(heap[child], heap[parent]) else { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if worse(heap[0], pair) {
                heap[0] = pair
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var smallest = parent
                    if left < k && worse(heap[left], heap[smallest]) { smallest = left }
                    if right < k && worse(heap[right], heap[smallest]) { smallest = right }
                    guard smallest != parent else { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
        }
        guard let best = heap.max(by: worse) else { return Candidates(logits: source) }
        heap.sort { worse($1, $0) }
        return Candidates(ids: heap.map(\.id), logits: heap.map(\.logit), maxLogit: best.logit, isSorted: true)
    }

    private init(ids: [Int32], logits: [Float], maxLogit: Float, isSorted: Bool) {
        self.ids = ids
        self.logits = logits
        self.maxLogit = maxLogit
        self.isSorted = isSorted
    }

    /// Keeps the smallest most-likely prefix whose probability reaches `p`.
    mutating func keepNucleus(_ p: Float) {
        let weights = logits.map { expf($0 - maxLogit) }
        let total = weights.reduce(0, +)
        if !isSorted { narrowToNucleusBuckets(p * total, weights: weights) }
        var cumulative: Float = 0
        var cut = ids.count
        for (index, value) in logits.enumerated() {
            cumulative += expf(value - maxLogit) / total
            if cumulative >= p {
                cut = index + 1
                break
            }
        }
        ids.removeSubrange(cut...)
        logits.removeSubrange(cut...)
    }

    /// Sorts only the candidates the nucleus can reach: logits are binned by
    /// distance from the maximum, bins are summed best first until they hold
    /// `mass`, and only the tokens in those bins are kept and sorted. Bins are
    /// ordered by logit, so the kept tokens are exactly the best ones.
    private mutating func narrowToNucleusBuckets(_ mass: Float, weights: [Float]) {
        let bucketCount = 256
        let lowest = logits.min() ?? maxLogit
        let span = maxLogit - lowest
        if span > 0 {
            let scale = Float(bucketCount - 1) / span
            var bucketMass = [Float](repeating: 0, count: bucketCount)
            var bucketOf = [UInt8](repeating: 0, count: logits.count)
            for index in logits.indices {
                let bucket = min(Int((maxLogit - logits[index]) * scale), bucketCount - 1)
                bucketOf[index] = UInt8(bucket)
                bucketMass[bucket] += weights[index]
            }
            var cumulative: Float = 0
            var last = bucketCount - 1
            for bucket in 0..<bucketCount {
                cumulative += bucketMass[bucket]
                if cumulative >= mass {
                    last = bucket
                    break
                }
            }
            if last < bucketCount - 1 {
                var kept = 0
                for index in ids.indices where Int(bucketOf[index]) <= last {
                    ids[kept] = ids[index]
                    logits[kept] = logits[index]
                    kept += 1
                }
                ids.removeSubrange(kept...)
                logits.removeSubrange(kept...)
            }
        }
        sort()
    }

    /// Keeps tokens at least `ratio` times as likely as the most likely one.
    mutating func keepAbove(_ ratio: Float) {
        let threshold = maxLogit + logf(ratio)
        var kept = 0
        for index in ids.indices where logits[index] >= threshold {
            ids[kept] = ids[index]
            logits[kept] = logits[index]
            kept += 1
        }
        ids.removeSubrange(max(kept, 1)...)
        logits.removeSubrange(max(kept, 1)...)
    }

    /// Draws one id from the softmax of the remaining logits at `temperature`,
    /// using `unit` (uniform in 0..<1) as the random number.
    func draw(temperature: Float, unit: Double) -> Int32 {
        let best = logits.max() ?? 0
        var weights = [Double](repeating: 0, count: logits.count)
        var total: Double = 0
        for (index, value) in logits.enumerated() {
            let weight = exp(Double(value - best) / Double(temperature))
            weights[index] = weight
            total += weight
        }
        var target = unit * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return ids[index] }
        }
        return ids[ids.count - 1]
    }

    private mutating func sort() {
        guard !isSorted else { return }
        var pairs = zip(logits, ids).map { Pair(logit: $0, id: $1) }
        pairs.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
        ids = pairs.map(\.id)
        logits = pairs.map(\.logit)
        isSorted = true
    }

    private struct Pair {
        var logit: Float
        var id: Int32
    }
}
