/// The character classes the BPE pre-tokenizer's pattern distinguishes.
///
/// `letter` is Unicode category L*, `number` is N* (Nd, Nl, No), `whitespace`
/// is the White_Space property; everything else, unassigned code points
/// included, is `other`. These are the classes behind `\p{L}`, `\p{N}` and
/// `\s` in the GPT-2 pattern as llama.cpp evaluates it.
///
/// llama.cpp's category table is Unicode 15.1, while Swift's runtime knows
/// newer versions: a letter or digit assigned after 15.1 is `other` here too,
/// or text in scripts such as Todhri or Garay would split differently.
enum ScalarClass: UInt8 {
    case other, letter, number, whitespace

    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        let value = scalar.value
        if value < 128 { return ascii[Int(value)] }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        let candidate: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            candidate = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            candidate = .number
        default:
            return .other
        }
        guard let age = properties.age, age.major < tableVersion.major
            || (age.major == tableVersion.major && age.minor <= tableVersion.minor) else { return .other }
        return candidate
    }

    /// The Unicode version of llama.cpp's code point table (unicode-data.cpp).
    static let tableVersion = (major: 15, minor: 1)

    private static let ascii: [ScalarClass] = (0..<128).map { value in
        switch UInt8(value) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        case 0x09...0x0D, 0x20: .whitespace
        default: .other
        }
    }
}
