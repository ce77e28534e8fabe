import Foundation

/// Canonical JSON and fingerprints of effect requests.
///
/// The canonical form sorts keys so equal requests give equal bytes; the
/// fingerprint is FNV-1a (64-bit) of those bytes, enough to tell a changed request
/// from the recorded one (the full requests are compared when reporting).
enum Canonical {
    static func json(_ value: some Encodable) throws -> String {
        // Fast paths for the shapes most effects have (a function step's one-key
        // request and String result): JSONEncoder costs ~2 µs a call, a fifth of a
        // replayed step. They write exactly the bytes JSONEncoder writes, so
        // fingerprints of recorded runs still match.
        if let text = value as? String { return quoted(text) }
        if let object = value as? [String: String], object.count <= 1 {
            guard let (key, text) = object.first else { return "{}" }
            return self.object(key, text)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        // A JSON string with no backslash has no escapes: its content is the text
        // between the quotes.
        if T.self == String.self, let text = plainString(json) as? T {
            return text
        }
        return try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// The content of a JSON string literal that has no escapes (no backslash: the
    /// text between the quotes), or nil for anything else, which needs a decoder.
    static func plainString(_ json: String) -> String? {
        if let plain = json.utf8.withContiguousStorageIfAvailable({ bytes -> String? in
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\""), bytes[bytes.count - 1] == UInt8(ascii: "\""),
                  !bytes.contains(UInt8(ascii: "\\")) else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[1 ..< bytes.count - 1]), as: UTF8.self)
        }) {
            return plain
        }
        guard json.utf8.count >= 2, json.utf8.first == UInt8(ascii: "\""), json.utf8.last == UInt8(ascii: "\""),
              !json.utf8.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: json.utf8.dropFirst().dropLast(), as: UTF8.self)
    }

    /// `text` as a JSON string literal, escaped as JSONEncoder escapes it (with
    /// `.withoutEscapingSlashes`).
    static func quoted(_ text: String) -> String {
        // Most texts need no escape: one scan of the bytes, one copy.
        if !needsEscape(text) {
            var out = "\""
            out.reserveCapacity(text.utf8.count + 2)
            out += text
            out += "\""
            return out
        }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    static func fingerprint(_ text: String) -> String {
        hex(fnv1a(text))
    }

    /// Whether `fingerprint` is ``hex(_:)`` of `hash`, without building that string.
    static func isFingerprint(_ fingerprint: String, of hash: UInt64) -> Bool {
        // Over the contiguous bytes when there are some: iterating the UTF8View cost
        // as much as hashing the request.
        if let matches = fingerprint.utf8.withContiguousStorageIfAvailable({ isHex($0, of: hash) }) {
            return matches
        }
        return isHex(Array(fingerprint.utf8), of: hash)
    }

    private static func isHex(_ bytes: some Collection<UInt8>, of hash: UInt64) -> Bool {
        guard bytes.count == 16 else { return false }
        var shift: UInt64 = 60
        for byte in bytes {
            let nibble = UInt8(truncatingIfNeeded: hash >> shift) & 0xF
            guard byte == (nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble) else { return false }
            shift &-= 4
        }
        return true
    }

    /// ``fnv1a(_:after:)`` of `object("input", text)` — the fingerprint of every
    /// function step's request — without building the object when `text` needs
    /// no escaping: the text is hashed and checked for such bytes in one pass.
    static func inputHash(_ text: String) -> UInt64 {
        let hashed = text.utf8.withContiguousStorageIfAvailable { bytes -> UInt64? in
            var hash = inputHead
            for byte in bytes {
                if needsEscape(byte) { return nil }
                hash = FNV1a.step(hash, byte)
            }
            return hash
        }
        guard let hashed, let hash = hashed else { return fnv1a(object("input", text)) }
        return fnv1a("\"}", after: hash)
    }

    /// The hash of `{"input":"`, where every function step's request hash starts.
    private static let inputHead = fnv1a("{\"input\":\"")

    /// `{"key":"text"}` in canonical JSON (the bytes ``json(_:)`` gives a one-key
    /// dictionary), in one allocation when neither needs escaping.
    static func object(_ key: String, _ text: String) -> String {
        guard !needsEscape(key), !needsEscape(text) else { return "{" + quoted(key) + ":" + quoted(text) + "}" }
        var out = "{\""
        out.reserveCapacity(key.utf8.count + text.utf8.count + 7)
        out += key
        out += "\":\""
        out += text
        out += "\"}"
        return out
    }

    private static func needsEscape(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { $0.contains(where: needsEscape) }
            ?? text.utf8.contains(where: needsEscape)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// FNV-1a of `text`, continuing from `hash` (the hash of what precedes it), so
    /// `fnv1a(b, after: fnv1a(a)) == fnv1a(a + b)` without building `a + b`.
    static func fnv1a(_ text: String, after hash: UInt64 = FNV1a.offsetBasis) -> UInt64 {
        FNV1a.hash(text, seed: hash)
    }

    /// 16 lower-case hex digits, zero-padded.
    static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                buffer[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
            }
            return 16
        }
    }
}
