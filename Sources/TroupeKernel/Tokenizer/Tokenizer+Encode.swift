extension Tokenizer {
    /// The token ids of `text`, with no beginning-of-sequence token added.
    ///
    /// - Parameters:
    ///   - text: Any string.
    ///   - parseSpecial: When `true`, control-token text in `text` (such as
    ///     `<|im_start|>`) becomes that token; when `false` it is tokenized as
    ///     ordinary characters. User-defined tokens are matched either way.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 4)
        var scratch = Scratch()
        let utf8 = Array(text.utf8)
        for fragment in partition(utf8, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
            case .text(let range):
                encodeText(utf8[range], scratch: &scratch, into: &output)
            }
        }
        return output
    }

    enum Fragment {
        case text(Range<Int>)
        case token(Int32)
    }

    /// Reusable buffers for one `encode` call.
    struct Scratch {
        var scalars: [Unicode.Scalar] = []
        var classes: [ScalarClass] = []
        var byteOffsets: [Int] = []
        var words: [Range<Int>] = []
        var symbols: [Int32] = []
        var ranks: [Int32] = []
    }

    /// Cuts special-token text out of `utf8`, longest tokens first, as llama.cpp does.
    func partition(_ utf8: [UInt8], parseSpecial: Bool) -> [Fragment] {
        var fragments: [Fragment] = [.text(0..<utf8.count)]
        guard !utf8.isEmpty else { return [] }
        for special in specialTokens where parseSpecial || !special.onlyWhenParsingSpecial {
            let needle = special.bytes
            guard let first = needle.first else { continue }
            var next: [Fragment] = []
            var changed = false
            for fragment in fragments {
                guard case .text(let range) = fragment else { next.append(fragment); continue }
                var start = range.lowerBound
                var i = start
                let limit = range.upperBound - needle.count
                while i <= limit {
                    if utf8[i] == first && utf8[i..<i + needle.count].elementsEqual(needle) {
                        if start < i { next.append(.text(start..<i)) }
                        next.append(.token(special.id))
                        changed = true
                        i += needle.count
                        start = i
                    } else {
                        i += 1
                    }
                }
                if start < range.upperBound { next.append(.text(start..<range.upperBound)) }
            }
            if changed { fragments = next }
        }
        return fragments
    }

    /// Pre-tokenizes one run of ordinary text and appends the BPE ids of each word.
    private func encodeText(_ utf8: ArraySlice<UInt8>, scratch: inout Scratch, into output: inout [Int32]) {
        scratch.scalars.removeAll(keepingCapacity: true)
        scratch.classes.removeAll(keepingCapacity: true)
        scratch.byteOffsets.removeAll(keepingCapacity: true)
        scratch.words.removeAll(keepingCapacity: true)
        var offset = utf8.startIndex
        var iterator = utf8.makeIterator()
        var decoder = Unicode.UTF8()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scratch.scalars.append(scalar)
                scratch.classes.append(ScalarClass.of(scalar))
                scratch.byteOffsets.append(offset)
                offset += UTF8.width(scalar)
            case .emptyInput:
                break decoding
            case .error:
                // Unreachable for a Swift String; keep going rather than lose text.
                offset += 1
            }
        }
        scratch.byteOffsets.append(offset)
        preTokenizer.split(scratch.scalars, classes: scratch.classes, into: &scratch.words)
        for word in scratch.words {
            let bytes = utf8[scratch.byteOffsets[word.lowerBound]..<scratch.byteOffsets[word.upperBound]]
            mergeWord(bytes, scratch: &scratch, into: &output)
        }
    }

    /// Byte-pair merges within one word: repeatedly join the adjacent pair with
    /// the lowest merge rank, leftmost first, until no pair has a merge.
    ///
    /// A byte the vocabulary has no token for stays in place as a barrier
    /// while merging (pairs across it never merge) and is dropped at the end,
    /// as llama.cpp drops a symbol it cannot look up.
    private func mergeWord(_ bytes: ArraySlice<UInt8>, scratch: inout Scratch, into output: inout [Int32]) {
        scratch.symbols.removeAll(keepingCapacity: true)
        for byte in bytes { scratch.symbols.append(idForByte[Int(byte)]) }
        if scratch.symbols.count > 1 {
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
}
