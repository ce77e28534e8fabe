import MCP
import TroupeCore

// Troupe's `JSONValue` and the SDK's `Value` describe the same JSON; these convert
// at the boundary so neither type leaks into the other's API.

extension JSONValue {
    /// The SDK's value for this JSON: whole numbers become integers, as servers expect.
    var mcpValue: MCP.Value {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9e15 { return .int(Int(value)) }
            return .double(value)
        case .string(let value): return .string(value)
        case .array(let values): return .array(values.map(\.mcpValue))
        case .object(let members): return .object(members.mapValues(\.mcpValue))
        }
    }

    init(mcp value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .number(Double(value))
        case .double(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .data(let mimeType, let data):
            // The SDK turns `data:` URLs into bytes; give the model the URL back.
            self = .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case .array(let values): self = .array(values.map { JSONValue(mcp: $0) })
        case .object(let members): self = .object(members.mapValues { JSONValue(mcp: $0) })
        }
    }
}
