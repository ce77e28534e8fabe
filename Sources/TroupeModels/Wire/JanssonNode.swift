import CJansson

/// A borrowed view of one value inside a libjansson document.
///
/// libjansson parses a streamed chunk about 1.5x faster than `JSONSerialization` and
/// 1.6x faster than `JSONDecoder` (see Benchmarks/README.md, "JSON parsing"), so the
/// hot path reads responses through it. A node is valid only inside the closure
/// given to ``parse(_:_:)``; it must not escape.
struct JanssonNode {
    let raw: UnsafeMutablePointer<json_t>

    /// Parses `bytes` and hands the root to `body`; nil when the bytes are not JSON.
    static func parse<Result>(_ bytes: UnsafeRawBufferPointer,
                              _ body: (JanssonNode) throws -> Result) rethrows -> Result? {
        guard let base = bytes.baseAddress else { return nil }
        var error = json_error_t()
        guard let root = json_loadb(base.assumingMemoryBound(to: CChar.self), bytes.count,
                                    0, &error) else { return nil }
        defer { json_decref(root) }
        return try body(JanssonNode(raw: root))
    }

    /// Like ``parse(_:_:)``, but reports libjansson's reason when parsing fails.
    static func parseOrExplain<Result>(_ bytes: UnsafeRawBufferPointer,
                                       _ body: (JanssonNode) throws -> Result) throws -> Result {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            throw JSONParseFailure(reason: "empty body")
        }
        var error = json_error_t()
        guard let root = json_loadb(base.assumingMemoryBound(to: CChar.self), bytes.count,
                                    0, &error) else {
            let reason = withUnsafeBytes(of: &error.text) { text in
                String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw JSONParseFailure(reason: "\(reason) at byte \(error.position)")
        }
        defer { json_decref(root) }
        return try body(JanssonNode(raw: root))
    }

    var type: json_type { raw.pointee.type }
    var isNull: Bool { type == JSON_NULL }
    var isObject: Bool { type == JSON_OBJECT }
    var isArray: Bool { type == JSON_ARRAY }

    /// The member `key` of an object; nil if absent or if this is not an object.
    subscript(key: String) -> JanssonNode? {
        guard type == JSON_OBJECT, let member = json_object_get(raw, key) else { return nil }
        return JanssonNode(raw: member)
    }

    /// The element at `index` of an array.
    subscript(index: Int) -> JanssonNode? {
        guard type == JSON_ARRAY, index >= 0, let element = json_array_get(raw, index) else { return nil }
        return JanssonNode(raw: element)
    }

    var count: Int { type == JSON_ARRAY ? json_array_size(raw) : 0 }

    var string: String? {
        guard type == JSON_STRING, let text = json_string_value(raw) else { return nil }
        let length = json_string_length(raw)
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }

    var int: Int? {
        switch type {
        case JSON_INTEGER: return Int(json_integer_value(raw))
        case JSON_REAL:
            let value = json_real_value(raw)
            return value.isFinite && abs(value) < 9e18 ? Int(value) : nil
        default: return nil
        }
    }

    /// Compact JSON text of this value (for arguments sent as objects instead of strings).
    var serialized: String? {
        guard let text = json_dumps(raw, Int(JSON_COMPACT) | Int(JSON_ENCODE_ANY)) else { return nil }
        defer { free(text) }
        return String(cString: text)
    }
}

/// Why libjansson could not parse a document.
struct JSONParseFailure: Error {
    var reason: String
}
