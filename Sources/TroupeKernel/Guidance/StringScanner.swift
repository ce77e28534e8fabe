/// The byte-level states inside a JSON string, as guided decoding writes them:
/// printable ASCII, well-formed UTF-8, and the escapes `\" \\ \/ \b \f \n \r \t`
/// (no `\u`: other characters are written as themselves, so a lone surrogate
/// can never appear).
///
/// A state packs the phase in its low 8 bits and the characters written so far
/// above them; the count is kept only when the string has length limits, so
/// an unlimited string stays in one state however long it grows.
enum StringScanner {
    /// Phases (low 8 bits of a state).
    static let normal: Int32 = 0, escape: Int32 = 1
    /// 1, 2 or 3 continuation bytes of any value (80–BF) left.
    static let continuation1: Int32 = 6, continuation2: Int32 = 7, continuation3: Int32 = 8
    /// The first continuation byte is restricted (E0: A0–BF, ED: 80–9F, F0: 90–BF, F4: 80–8F).
    static let afterE0: Int32 = 9, afterED: Int32 = 10, afterF0: Int32 = 11, afterF4: Int32 = 12

    /// The state after `byte`; `-1` when `byte` is the closing quote; `nil` when it is not allowed.
    static func next(_ state: Int32, _ byte: UInt8, minLength: Int, maxLength: Int?) -> Int32? {
        let phase = state & 0xFF
        let count = Int(state >> 8)
        let counts = minLength > 0 || maxLength != nil
        /// A new character starts: checks the maximum and bumps the count.
        func start(_ phase: Int32) -> Int32? {
            guard !counts else {
                if let maxLength, count >= maxLength { return nil }
                return phase | Int32(min(count + 1, max(minLength, maxLength ?? 0))) << 8
            }
            return phase
        }
        let kept = state & ~0xFF
        switch phase {
        case normal:
            switch byte {
            case UInt8(ascii: "\""): return count >= minLength || !counts ? -1 : nil
            case UInt8(ascii: "\\"): return start(escape)
            case 0x20...0x7F: return start(normal)
            case 0xC2...0xDF: return start(continuation1)
            case 0xE0: return start(afterE0)
            case 0xE1...0xEC, 0xEE...0xEF: return start(continuation2)
            case 0xED: return start(afterED)
            case 0xF0: return start(afterF0)
            case 0xF1...0xF3: return start(continuation3)
            case 0xF4: return start(afterF4)
            default: return nil
            }
        case escape:
            return Array("\"\\/bfnrt".utf8).contains(byte) ? kept | normal : nil
        case continuation1, continuation2, continuation3:
            guard (0x80...0xBF).contains(byte) else { return nil }
            return kept | (phase == continuation1 ? normal : phase - 1)
        case afterE0: return (0xA0...0xBF).contains(byte) ? kept | continuation1 : nil
        case afterED: return (0x80...0x9F).contains(byte) ? kept | continuation1 : nil
        case afterF0: return (0x90...0xBF).contains(byte) ? kept | continuation2 : nil
        case afterF4: return (0x80...0x8F).contains(byte) ? kept | continuation2 : nil
        default: return nil
        }
    }

    /// The fewest bytes that finish the string from `state`, closing quote included.
    static func remaining(_ state: Int32, minLength: Int) -> Int {
        let characters = max(0, minLength - Int(state >> 8))
        switch state & 0xFF {
        case escape, continuation1: return 2 + characters
        case continuation2, afterE0, afterED: return 3 + characters
        case continuation3, afterF0, afterF4: return 4 + characters
        default: return 1 + characters
        }
    }
}
