/// Turns generated tokens into text one token at a time, never splitting a character.
///
/// A byte-level token can end in the middle of a multi-byte UTF-8 character
/// (an emoji often spans two or three tokens). The decoder holds such a tail
/// back until the next token completes it, so streamed text never shows a
/// U+FFFD that the full decode would not.
///
/// ```swift
/// var decoder = IncrementalDecoder(tokenizer: tokenizer)
/// for id in generated { print(decoder.append(id), terminator: "") }
/// print(decoder.finish())
/// ```
///
/// Control tokens give no text unless `renderSpecial` is set. The pieces
/// joined equal `tokenizer.decode(ids)`.
public struct IncrementalDecoder: Sendable {
    private let tokenizer: Tokenizer
    private let renderSpecial: Bool
    private var pending: [UInt8] = []

    /// A decoder for tokens of `tokenizer`.
    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// The text `id` completes: its bytes plus any held back, minus an unfinished character.
    public mutating func append(_ id: Int32) -> String {
        pending += tokenizer.bytes(for: id, renderSpecial: renderSpecial)
        let split = Self.completePrefixLength(pending)
        guard split > 0 else { return "" }
        let text = String(decoding: pending[..<split], as: UTF8.self)
        pending.removeFirst(split)
        return text
    }

    /// Whatever is still held back (an unfinished character, shown as U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many leading bytes can be decoded now: all, unless the bytes end
    /// with the start of a character whose remaining bytes have not arrived.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        // Look back at most three bytes for the lead byte of the last character.
        var index = bytes.count - 1
        let limit = max(bytes.count - 4, 0)
        while index >= limit {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                let needed: Int
                switch byte {
                case 0xC2...0xDF: needed = 2
                case 0xE0...0xEF: needed = 3
                case 0xF0...0xF4: needed = 4
                default: needed = 1  // ASCII, or a byte that can never start a character
                }
                return bytes.count - index < needed ? index : bytes.count
            }
            index -= 1
        }
        return bytes.count
    }
}
