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
}
