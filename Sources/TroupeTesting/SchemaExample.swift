import Foundation
import TroupeCore

/// Builds a JSON value valid for a JSON Schema, for scripted models: enums pick
/// the first value the conversation mentions (else the first), strings get the
/// topic, numbers their minimum (or 1), arrays one item, objects every property.
public enum SchemaExample {
    /// The example as compact JSON with sorted keys.
    public static func json(for schema: JSONValue, context: String, topic: String) -> String {
        value(for: schema, context: context.lowercased(), topic: topic).canonicalText
    }

    /// Whether every property of an object schema is a string (a tool a demo can call with the topic).
    public static func takesOnlyStrings(_ tool: ToolSpec) -> Bool {
        guard case .object(let properties)? = tool.parameters["properties"], !properties.isEmpty else { return false }
        let required: [JSONValue] = if case .array(let names)? = tool.parameters["required"] { names } else { [] }
        return required.allSatisfy { name in name.stringValue.flatMap { properties[$0]?["type"] } == "string" }
    }

    static func value(for schema: JSONValue, context: String, topic: String) -> JSONValue {
        if case .array(let options)? = schema["enum"], let first = options.first {
            let mentioned = options.first { option in
                guard let text = option.stringValue?.lowercased() else { return false }
                return context.range(of: text) != nil
            }
            return mentioned ?? first
        }
        switch schema["type"]?.stringValue {
        case "object":
            guard case .object(let properties)? = schema["properties"] else { return [:] }
            return .object(properties.mapValues { value(for: $0, context: context, topic: topic) })
        case "array":
            return .array(schema["items"].map { [value(for: $0, context: context, topic: topic)] } ?? [])
        case "integer", "number":
            if case .number(let minimum)? = schema["minimum"] { return .number(minimum) }
            return 1
        case "boolean":
            return false
        case "null":
            return .null
        default:
            return .string(topic.isEmpty ? "demo" : topic)
        }
    }
}

extension JSONValue {
    /// Compact JSON with sorted keys.
    var canonicalText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
