/// Splits text into the words BPE merges within, as llama.cpp's pre-tokenizers do.
///
/// Both supported kinds use the GPT-2 pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
/// ``digitsThenGPT2`` (SmolLM's `smollm`, and StarCoder's family) first cuts
/// every number code point out on its own, then applies the pattern to each
/// piece, so `2024` becomes four words and ` 2024` a lone space plus four digits.
enum PreTokenizer: Sendable, Hashable {
    /// The GPT-2 pattern alone.
    case gpt2
    /// Each `\p{N}` code point alone, then the GPT-2 pattern on what is between.
    case digitsThenGPT2

    /// The pre-tokenizer a GGUF's `tokenizer.ggml.pre` names, or `nil` when unknown.
    init?(name: String) {
        switch name {
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone": self = .digitsThenGPT2
        case "gpt-2", "mpt", "olmo", "jais": self = .gpt2
        default: return nil
        }
    }

    /// Appends the word ranges of `scalars` (indices into it) to `words`.
    func split(_ scalars: [Unicode.Scalar], classes: [ScalarClass], into words: inout [Range<Int>]) {
        switch self {
        case .gpt2:
            Self.splitGPT2(scalars, classes, 0..<scalars.count, into: &words)
        case .digitsThenGPT2:
            var runStart = 0
            for index in classes.indices where classes[index] == .number {
                if runStart < index { Self.splitGPT2(scalars, classes, runStart..<index, into: &words) }
                words.append(index..<index + 1)
                runStart = index + 1
            }
            if runStart < classes.count { Self.splitGPT2(scalars, classes, runStart..<classes.count, into: &words) }
        }
    }

    /// The GPT-2 pattern over `segment`, which acts as the whole input: nothing
    /// before or after it is visible to the look-ahead or the optional space.
    private static func splitGPT2(_ scalars: [Unicode.Scalar], _ classes: [ScalarClass],
                                  _ segment: Range<Int>, into words: inout [Range<Int>]) {
        let end = segment.upperBound
        var start = segment.lowerBound
        var pos = start
        func emit(_ upTo: Int) {
            if upTo > start { words.append(start..<upTo) }
            start = upTo
            pos = upTo
        }
        while pos < end {
            let value = scalars[pos].value
            // Contractions, lower case only: 's 't 'm 'd 're 've 'll.
            if value == 0x27, pos + 1 < end {
                let next = scalars[pos + 1].value
                if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 {
                    emit(pos + 2)
                    continue
                }
                if pos + 2 < end {
                    let after = scalars[pos + 2].value
                    if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) {
                        emit(pos + 3)
                        continue
                    }
                }
            }
            // An optional single space (U+0020 only) before a run of one class.
            let lead = value == 0x20 ? pos + 1 : pos
            if lead < end {
                let runClass = classes[lead]
                if runClass != .whitespace {
                    var p = lead + 1
                    while p < end && classes[p] == runClass { p += 1 }
                    emit(p)
                    continue
                }
            }
            // Whitespace: a run, leaving its last character to the word that follows.
            var count = 0
            while pos + count < end && classes[pos + count] == .whitespace { count += 1 }
            if count > 1 && pos + count < end {
                emit(pos + count - 1)
            } else if count > 0 {
                emit(pos + count)
            } else {
                emit(pos + 1)
            }
        }
    }
}
