extension Tokenizer {
    /// Byte-pair merges within one word: repeatedly join the adjacent pair with
    /// the lowest merge rank, leftmost first, until no pair has a merge.
    ///
    /// A byte the vocabulary has no token for stays in place as a barrier
    /// while merging (pairs across it never merge) and is dropped at the end,
    /// as llama.cpp drops a symbol it cannot look up.
    ///
    /// Short words scan their pairs on each step; long ones (a run of
    /// thousands of letters) use a heap so the work stays O(n log n).
    func mergeWord(_ bytes: ArraySlice<UInt8>, scratch: inout Scratch, into output: inout [Int32]) {
        scratch.symbols.removeAll(keepingCapacity: true)
        for byte in bytes { scratch.symbols.append(idForByte[Int(byte)]) }
        if scratch.symbols.count > Self.heapMergeThreshold {
            mergeLongWord(&scratch.symbols)
        } else if scratch.symbols.count > 1 {
            scratch.ranks.removeAll(keepingCapacity: true)
            for i in 0..<scratch.symbols.count - 1 {
                scratch.ranks.append(rank(scratch.symbols[i], scratch.symbols[i + 1]))
            }
            while true {
                var best = 0
                var bestRank = Int32.max
                for (i, r) in scratch.ranks.enumerated() where r < bestRank {
                    best = i
                    bestRank = r
                }
                guard bestRank != .max, let merge = merges[key(scratch.symbols[best], scratch.symbols[best + 1])] else { break }
                scratch.symbols[best] = merge.id
                scratch.symbols.remove(at: best + 1)
                scratch.ranks.remove(at: best)
                if best > 0 {
                    scratch.ranks[best - 1] = rank(scratch.symbols[best - 1], merge.id)
                }
                if best < scratch.ranks.count {
                    scratch.ranks[best] = rank(merge.id, scratch.symbols[best + 1])
                }
            }
        }
        for id in scratch.symbols where id >= 0 { output.append(id) }
    }

    @inline(__always)
    private func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func rank(_ left: Int32, _ right: Int32) -> Int32 {
        guard left >= 0, right >= 0 else { return .max }
        return merges[key(left, right)]?.rank ?? .max
    }

    /// Words longer than this merge through a heap rather than by scanning.
    static let heapMergeThreshold = 128

    /// One candidate merge: the pair starting at symbol `left`, as it was when queued.
    private struct Candidate {
        var rank: Int32
        var left: Int32
        var leftID: Int32
        var rightID: Int32

        /// Lower rank first, then the leftmost pair.
        func precedes(_ other: Candidate) -> Bool {
            rank < other.rank || (rank == other.rank && left < other.left)
        }
    }

    /// The same merges as the scanning loop, with symbols in a linked list and
    /// queued pairs in a binary heap; stale entries are skipped when popped.
    private func mergeLongWord(_ symbols: inout [Int32]) {
        let count = symbols.count
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i + 1) }
            initialized = count
        }
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i - 1) }
            initialized = count
        }
        var heap: [Candidate] = []
        heap.reserveCapacity(count)

        func push(_ left: Int32) {
            guard left >= 0 else { return }
            let right = next[Int(left)]
            guard Int(right) < count else { return }
            let leftID = symbols[Int(left)], rightID = symbols[Int(right)]
            let r = rank(leftID, rightID)
            guard r != .max else { return }
            heap.append(Candidate(rank: r, left: left, leftID: leftID, rightID: rightID))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].precedes(heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        func pop() -> Candidate? {
            guard let top = heap.first else { return nil }
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var parent = 0
                while true {
                    let leftChild = 2 * parent + 1, rightChild = leftChild + 1
                    var best = parent
                    if leftChild < heap.count && heap[leftChild].precedes(heap[best]) { best = leftChild }
                    if rightChild < heap.count && heap[rightChild].precedes(heap[best]) { best = rightChild }
                    guard best != parent else { break }
                    heap.swapAt(parent, best)
                    parent = best
                }
            }
            return top
        }

        for i in 0..<count - 1 { push(Int32(i)) }
        while let candidate = pop() {
            let left = Int(candidate.left)
            let right = Int(next[left])
            // Skip pairs that changed since they were queued (merged-away symbols read -2).
            guard right < count, symbols[left] == candidate.leftID, symbols[right] == candidate.rightID,
                  let merge = merges[key(candidate.leftID, candidate.rightID)] else { continue }
            symbols[left] = merge.id
            symbols[right] = -2
            next[left] = next[right]
            if Int(next[right]) < count { previous[Int(next[right])] = Int32(left) }
            push(previous[left])
            push(Int32(left))
        }
        var kept = 0
        var index = 0
        while index < count {
            symbols[kept] = symbols[index]
            kept += 1
            index = Int(next[index])
        }
        symbols.removeSubrange(kept...)
    }
}
