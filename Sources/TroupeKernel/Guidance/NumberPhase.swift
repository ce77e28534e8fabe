/// Where a JSON number is in its grammar, as guided decoding writes it:
/// an optional minus, an integer part without leading zeros, and for
/// non-integers an optional fraction; no exponent.
///
/// A number state packs the phase in its low 8 bits, the integer digits in
/// the next 8 and the fraction digits above, so digit limits can be enforced.
enum NumberPhase: UInt8 {
    case start = 0
    case afterMinus
    /// A leading `0`: only a fraction may follow.
    case zero
    case integerDigits
    case afterPoint
    case fractionDigits

    /// Whether the number may end here.
    var canEnd: Bool { self == .zero || self == .integerDigits || self == .fractionDigits }

    /// The fewest bytes that finish the number.
    var remaining: Int { canEnd ? 0 : 1 }

    /// The state after `byte`, or `nil` when it does not continue the number.
    static func next(_ state: Int32, _ byte: UInt8, _ shape: JSONGrammar.NumberShape) -> Int32? {
        guard let phase = NumberPhase(rawValue: UInt8(state & 0xFF)) else { return nil }
        let integerDigits = Int((state >> 8) & 0xFF), fractionDigits = Int(state >> 16)
        let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        func make(_ phase: NumberPhase, _ integer: Int, _ fraction: Int) -> Int32 {
            Int32(phase.rawValue) | Int32(integer) << 8 | Int32(fraction) << 16
        }
        switch phase {
        case .start, .afterMinus:
            if phase == .start, byte == UInt8(ascii: "-") {
                return shape.allowsNegative ? make(.afterMinus, 0, 0) : nil
            }
            guard isDigit else { return nil }
            return byte == UInt8(ascii: "0") ? make(.zero, 1, 0) : make(.integerDigits, 1, 0)
        case .zero, .integerDigits:
            if byte == UInt8(ascii: "."), !shape.isInteger, shape.maxFractionDigits > 0 {
                return make(.afterPoint, integerDigits, 0)
            }
            guard phase == .integerDigits, isDigit, integerDigits < shape.maxIntegerDigits else { return nil }
            return make(.integerDigits, integerDigits + 1, 0)
        case .afterPoint, .fractionDigits:
            guard isDigit, fractionDigits < shape.maxFractionDigits else { return nil }
            return make(.fractionDigits, integerDigits, fractionDigits + 1)
        }
    }
}
