/// Turns generated tokens into text as they arrive: joins the bytes of
/// characters split across tokens, and holds back text that might be the
/// start of a stop sequence until it is sure.
struct TextAssembler: Sendable {
    private let tokenizer: Tokenizer
    private let stops: [String]
    private var bytes: [UInt8] = []
    /// Text decoded but not yet released (it may begin a stop sequence).
    private var held = ""
    /// Whether a stop sequence was found; nothing more is released after it.
    private(set) var stopped = false

    init(tokenizer: Tokenizer, stops: [String]) {
        self.tokenizer = tokenizer
        self.stops = stops.filter { !$0.isEmpty }
    }

    /// Adds a token and returns the text that can be shown now.
    mutating func append(_ token: Int32) -> String {
        guard !stopped else { return "" }
        bytes += tokenizer.bytes(for: token)
        let complete = Self.completePrefixLength(bytes)
        guard complete > 0 else { return "" }
        held += String(decoding: bytes[..<complete], as: UTF8.self)
        bytes.removeFirst(complete)
        return release()
    }

    /// Whatever is held at the end (a partial stop sequence that never completed, stray bytes).
    mutating func flush() -> String {
        guard !stopped else { return "" }
        held += String(decoding: bytes, as: UTF8.self)
        bytes.removeAll()
        defer { held = "" }
        return held
    }

    private mutating func release() -> String {
        for stop in stops {
            if let range = held.range(of: stop) {
                stopped = true
                let text = String(held[..<range.lowerBound])
                held = ""
                return text
            }
        }
        // Keep the longest tail that is a prefix of some stop sequence.
        var keep = 0
        for stop in stops {
            var n = Swift.min(stop.count - 1, held.count)
            while n > keep {
                if held.hasSuffix(stop.prefix(n)) { keep = n; break }
                n -= 1
            }
        }
        let cut = held.index(held.endIndex, offsetBy: -keep)
        let text = String(held[..<cut])
        held = String(held[cut...])
        return text
    }

    /// The length of the longest prefix of `bytes` that ends on a UTF-8 character boundary.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var i = bytes.count
        var back = 0
        while i > 0, back < 4 {
            let b = bytes[i - 1]
            if b & 0xC0 != 0x80 {
                let need = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                return back + 1 >= need ? bytes.count : i - 1
            }
            i -= 1
            back += 1
        }
        return bytes.count
    }
}
