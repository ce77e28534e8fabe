import Foundation
import Testing
@testable import TroupeKernel

@Suite("Tokenizer")
struct TokenizerTests {
    @Test("reads the vocabulary and special tokens from the GGUF")
    func vocabulary() throws {
        let tokenizer = try Fixtures.tokenizer.get()
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.bosID == 1)
        #expect(tokenizer.eosID == 2)
        #expect(tokenizer.padID == 2)
        #expect(!tokenizer.addsBOS)
        #expect(tokenizer.endOfGenerationIDs == [0, 2])
        #expect(tokenizer.isEndOfGeneration(2))
        #expect(!tokenizer.isEndOfGeneration(1))
        #expect(tokenizer.isControl(1))
        #expect(tokenizer.vocabularyPiece(for: 905) == "Ġworld")
        #expect(tokenizer.piece(for: 905) == " world")
        #expect(tokenizer.piece(for: 2) == "<|im_end|>")
        #expect(tokenizer.id(forVocabularyPiece: "<|im_start|>") == 1)
        #expect(tokenizer.preTokenizer == .digitsThenGPT2)
        // Every merge of this model resolves to a token.
        #expect(tokenizer.merges.count == 48900)
    }

    @Test("token ids equal llama.cpp's for every reference text", arguments: 0..<20)
    func matchesReference(index: Int) throws {
        let reference = try Reference.shared.get()
        try #require(index < reference.tokenize.count)
        let tokenizer = try Fixtures.tokenizer.get()
        let sample = reference.tokenize[index]
        let ids = tokenizer.encode(sample.text, parseSpecial: false)
        #expect(ids == sample.ids, "\(sample.text.debugDescription)")
        #expect(ids.map(tokenizer.vocabularyPiece(for:)) == sample.pieces)
        #expect(tokenizer.encode(sample.text, parseSpecial: true) == sample.ids_parse_special)
        #expect(sample.detok_roundtrip_ok)
        #expect(tokenizer.decode(ids) == sample.text)
    }

    @Test("pre-tokenizer splits as the smollm pattern does")
    func preTokenizer() throws {
        func words(_ text: String) -> [String] {
            let scalars = Array(text.unicodeScalars)
            var ranges: [Range<Int>] = []
            PreTokenizer.digitsThenGPT2.split(scalars, classes: scalars.map(ScalarClass.of), into: &ranges)
            return ranges.map { String(String.UnicodeScalarView(scalars[$0])) }
        }
        #expect(words("Hello, world!") == ["Hello", ",", " world", "!"])
        #expect(words("a  b") == ["a", " ", " b"])
        #expect(words("x \n y") == ["x", " \n", " y"])
        #expect(words("end   ") == ["end", "   "])
        #expect(words(" 2024x") == [" ", "2", "0", "2", "4", "x"])
        #expect(words("don't I'LL we're") == ["don", "'t", " I", "'", "LL", " we", "'re"])
        #expect(words("Ⅻ½٣") == ["Ⅻ", "½", "٣"])  // Nl, No and Nd are all numbers
        #expect(words("a\u{3000}b") == ["a", "\u{3000}", "b"])  // ideographic space is whitespace
        #expect(words("(!?)") == ["(!?)"])
        #expect(words("e\u{301}") == ["e", "\u{301}"])  // a combining mark is not a letter
    }

    @Test("texts beyond the reference round-trip and keep their structure")
    func roundTrips() throws {
        let tokenizer = try Fixtures.tokenizer.get()
        let texts = [
            "", " ", "\n\n\n", "\t tab", "Ω≈ç√∫", "👩‍👩‍👧‍👦 family", "a\u{0}b", "\u{FEFF}bom",
            "<|im_start|><|im_end|>", "<|im_start", "x<|endoftext|>y", String(repeating: "ab ", count: 300),
            "مرحبا بالعالم", "नमस्ते दुनिया", "🇫🇷🇩🇪", "e\u{301}\u{302}",
        ]
        for text in texts {
            #expect(tokenizer.decode(tokenizer.encode(text)) == text, "\(text.debugDescription)")
            #expect(tokenizer.decode(tokenizer.encode(text, parseSpecial: true), renderSpecial: true) == text,
                    "\(text.debugDescription)")
        }
        #expect(tokenizer.encode("").isEmpty)
        #expect(tokenizer.encode("x<|endoftext|>y", parseSpecial: true) == tokenizer.encode("x") + [0] + tokenizer.encode("y"))
        // Without parsing, special text never yields a control token.
        #expect(!tokenizer.encode("<|im_start|><|im_end|>").contains { tokenizer.isControl($0) })
        // Control tokens are dropped by plain decoding.
        #expect(tokenizer.decode([1, 19556, 2]) == "Hello")
    }

    @Test("edge cases where llama.cpp's own rules decide (ids from llama.cpp 0c1e57098)")
    func llamaCppEdgeCases() throws {
        let tokenizer = try Fixtures.tokenizer.get()
        // Letters assigned after Unicode 15.1 are not letters to llama.cpp's table,
        // so the apostrophe joins them instead of starting a contraction.
        #expect(tokenizer.encode("\u{13D41}'s") == [187, 237, 130, 219, 23, 99])
        #expect(tokenizer.encode("\u{105C0}'s") == [187, 234, 241, 218, 23, 99])
        // A Unicode 15.1 letter still is one.
        #expect(tokenizer.encode("\u{2EBF0}'s") == [187, 123, 124, 125, 506])
        // Bytes without a token (0xF1, 0xF2 here) are dropped but still keep
        // their neighbours from merging.
        #expect(tokenizer.encode("\u{85542}\u{79C68}\u{8552D}\n") == [223, 239, 220, 134, 126, 118, 223, 238, 251, 198])
    }

    @Test("long words merge through the heap exactly as short ones do, and fast")
    func longWords() throws {
        let tokenizer = try Fixtures.tokenizer.get()
        // 40 a's is the reference case (ten "aaaa" tokens); 4000 must be a thousand.
        let long = tokenizer.encode(String(repeating: "a", count: 4000))
        #expect(long == [Int32](repeating: 46880, count: 1000))
        // Splitting a long word at a token boundary cannot change its tokens here.
        let word = String(repeating: "abcdefghij", count: 30)
        #expect(tokenizer.decode(tokenizer.encode(word)) == word)
        #expect(tokenizer.encode(String(repeating: "a", count: 20_000)).count == 5_000)
    }
}
