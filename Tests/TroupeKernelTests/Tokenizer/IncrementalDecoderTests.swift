import Testing
@testable import TroupeKernel

@Suite("Incremental decoder")
struct IncrementalDecoderTests {
    @Test("streamed pieces join to the full decode and never show a split character")
    func streams() throws {
        let tokenizer = try Fixtures.tokenizer.get()
        for text in ["😀😃😄 emoji 🚀🔥", "中文测试：你好，世界！", "Привет, мир!", "plain ascii", "é\u{301} and 👩‍👩‍👧‍👦"] {
            let ids = tokenizer.encode(text)
            var decoder = IncrementalDecoder(tokenizer: tokenizer)
            var pieces = ids.map { decoder.append($0) }
            pieces.append(decoder.finish())
            #expect(pieces.joined() == text)
            #expect(!pieces.contains { $0.contains("\u{FFFD}") }, "\(text)")
        }
    }

    @Test("control tokens are silent unless rendered")
    func controlTokens() throws {
        let tokenizer = try Fixtures.tokenizer.get()
        var plain = IncrementalDecoder(tokenizer: tokenizer)
        #expect(plain.append(2) == "")
        var rendered = IncrementalDecoder(tokenizer: tokenizer, renderSpecial: true)
        #expect(rendered.append(2) == "<|im_end|>")
    }

    @Test("an unfinished character is held back, then flushed by finish")
    func holdsBack() {
        #expect(IncrementalDecoder.completePrefixLength([0x61, 0xF0, 0x9F]) == 1)
        #expect(IncrementalDecoder.completePrefixLength([0xF0, 0x9F, 0x98, 0x80]) == 4)
        #expect(IncrementalDecoder.completePrefixLength([0x61, 0xC3]) == 1)
        #expect(IncrementalDecoder.completePrefixLength([0x80, 0x80]) == 2)  // stray bytes never complete
        #expect(IncrementalDecoder.completePrefixLength([]) == 0)
    }
}
