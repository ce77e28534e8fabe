import TroupeCore

/// Writes JSON with sorted keys and no whitespace, without going through
/// `JSONEncoder`: span attributes and run options are serialised on the hot
/// write path, where the encoder's allocations would cost more than the insert.
///
/// The output is stable (the same value always gives the same text) and decodes
/// with `JSONDecoder` to the same ``JSONValue``.
enum CanonicalJSON {
    static func string(_ object: [String: JSONValue]) -> String {
        var out = ""
        out.reserveCapacity(64)
        write(object: object, into: &out)
        return out
    }

    static func string(_ object: [String: String]) -> String {
        if object.isEmpty { return "{}" }
        var out = "{"
        for (index, key) in object.keys.sorted().enumerated() {
            if index > 0 { out.append(",") }
            write(string: key, into: &out)
            out.append(":")
            write(string: object[key] ?? "", into: &out)
        }
        out.append("}")
        return out
    }

    private static func write(object: [String: JSONValue], into out: inout String) {
        if object.isEmpty {
            out.append("{}")
            return
        }
        out.append("{")
        for (index, key) in object.keys.sorted().enumerated() {
            if index > 0 { out.append(",") }
            write(string: key, into: &out)
            out.append(":")
            write(value: object[key] ?? .null, into: &out)
        }
        out.append("}")
    }

    private static func write(value: JSONValue, into out: inout String) {
        switch value {
        case .null: out.append("null")
        case .bool(let flag): out.append(flag ? "true" : "false")
        case .number(let number): write(number: number, into: &out)
        case .string(let text): write(string: text, into: &out)
        case .array(let items):
            out.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(",") }
                write(value: item, into: &out)
            }
            out.append("]")
        case .object(let object): write(object: object, into: &out)
        }
    }

    private static func write(number: Double, into out: inout String) {
        guard number.isFinite else {
            out.append("null")  // JSON has no NaN or infinity
            return
        }
        if number.rounded() == number, abs(number) < 1e15 {
            out.append(String(Int64(number)))
        } else {
            out.append(number.description)
        }
    }

    private static func write(string: String, into out: inout String) {
        out.append("\"")
        var needsEscaping = false
        for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            out.append(string)
            out.append("\"")
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
