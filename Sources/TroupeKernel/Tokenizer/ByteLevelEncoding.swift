/// GPT-2's reversible map between bytes and printable characters.
///
/// Byte-level BPE vocabularies spell every byte as a visible character so that
/// tokens are valid text: printable Latin-1 bytes stand for themselves and the
/// other 68 bytes (controls, space, 0x7F–0xA0, 0xAD) are moved, in order, to
/// U+0100 upwards. A space is therefore `Ġ` (U+0120) and a newline `Ċ` (U+010A).
enum ByteLevelEncoding {
    /// The character standing for each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The byte each stand-in character encodes, by scalar value (0..<324).
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in scalarForByte.enumerated() {
            table[Int(scalar.value)] = Int16(byte)
        }
        return table
    }()

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The bytes a vocabulary piece stands for; characters outside the map
    /// (never in a well-formed vocabulary) are kept as their own UTF-8.
    static func decode(_ piece: String) -> [UInt8] {
        var bytes: [UInt8] = []
        decode(piece, into: &bytes)
        return bytes
    }

    /// Appends the bytes `piece` stands for to `bytes`.
    static func decode(_ piece: String, into bytes: inout [UInt8]) {
        for scalar in piece.unicodeScalars {
            let value = Int(scalar.value)
            if value < byteForScalar.count, byteForScalar[value] >= 0 {
                bytes.append(UInt8(byteForScalar[value]))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
    }
}
