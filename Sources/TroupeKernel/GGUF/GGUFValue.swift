/// One metadata value of a GGUF file, with the type the file stored it as.
///
/// Read values through the lenient accessors: ``intValue`` accepts any integer
/// type, ``floatValue`` any number, so callers need not care whether a writer
/// chose `uint32` or `int32`.
///
/// ```swift
/// let layers = file.metadata["llama.block_count"]?.intValue  // 30
/// ```
public enum GGUFValue: Sendable, Hashable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case uint64(UInt64)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case bool(Bool)
    case string(String)
    /// An array of one element type; nested arrays are allowed by the format.
    case array(elementType: GGUFValueType, [GGUFValue])

    /// The type tag this value was stored with.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// The value as an `Int` when it is an integer that fits, else `nil`.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// The value as a `Double` when it is any number, else `nil`.
    public var floatValue: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: intValue.map(Double.init)
        }
    }

    /// The value when it is a string, else `nil`.
    public var stringValue: String? {
        if case .string(let v) = self { v } else { nil }
    }

    /// The value when it is a bool, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let v) = self { v } else { nil }
    }

    /// The elements when the value is an array, else `nil`.
    public var arrayValue: [GGUFValue]? {
        if case .array(_, let v) = self { v } else { nil }
    }
}

extension GGUFValue: CustomStringConvertible {
    /// A short rendering for `troupe models info`: long arrays are summarised.
    public var description: String {
        switch self {
        case .uint8(let v): "\(v)"
        case .int8(let v): "\(v)"
        case .uint16(let v): "\(v)"
        case .int16(let v): "\(v)"
        case .uint32(let v): "\(v)"
        case .int32(let v): "\(v)"
        case .uint64(let v): "\(v)"
        case .int64(let v): "\(v)"
        case .float32(let v): "\(v)"
        case .float64(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .string(let v): Self.quoted(v)
        case .array(let type, let values):
            if values.count <= 8 {
                "[" + values.map(\.description).joined(separator: ", ") + "]"
            } else {
                "[\(type) × \(values.count): "
                    + values.prefix(4).map(\.description).joined(separator: ", ") + ", …]"
            }
        }
    }

    /// `text` in double quotes with quotes, backslashes and control characters escaped,
    /// for showing strings (metadata, token pieces) to a person.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
