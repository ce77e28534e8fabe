extension Tokenizer {
    /// The bytes token `id` stands for.
    ///
    /// Control, unknown and unused tokens give no bytes unless `renderSpecial`
    /// is set, when they give their text (`<|im_end|>`). A token may hold part
    /// of a UTF-8 character: streaming callers join bytes before making text.
    public func bytes(for id: Int32, renderSpecial: Bool = false) -> ArraySlice<UInt8> {
        let index = Int(id)
        guard index >= 0, index < types.count else { return [] }
        switch types[index] {
        case .control, .unknown, .unused:
            guard renderSpecial else { return [] }
        default:
            break
        }
        return tokenBytes[Int(tokenOffsets[index])..<Int(tokenOffsets[index + 1])]
    }

    /// The text of one token, special tokens rendered (`" world"`, `"<|im_end|>"`).
    ///
    /// A token that holds part of a multi-byte character shows U+FFFD.
    public func piece(for id: Int32) -> String {
        String(decoding: bytes(for: id, renderSpecial: true), as: UTF8.self)
    }

    /// The text `ids` stand for; control tokens are left out unless `renderSpecial`.
    ///
    /// `decode(encode(text))` gives `text` back for any string.
    public func decode(_ ids: some Sequence<Int32>, renderSpecial: Bool = false) -> String {
        var buffer: [UInt8] = []
        for id in ids { buffer += bytes(for: id, renderSpecial: renderSpecial) }
        return String(decoding: buffer, as: UTF8.self)
    }
}
