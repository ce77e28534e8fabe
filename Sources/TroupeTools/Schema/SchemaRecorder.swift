import Foundation
import TroupeCore

/// Records what a type's `init(from:)` asks for; see ``JSONSchema``.
enum SchemaRecorder {
    static let maximumDepth = 32

    /// The schema of `type` and a placeholder value of it.
    static func record<T: Decodable>(_ type: T.Type, path: [any CodingKey], depth: Int) throws -> (schema: JSONValue, value: T) {
        func fail(_ reason: String) -> SchemaDerivationError {
            SchemaDerivationError(type: String(describing: type), path: dotted(path), reason: reason)
        }
        guard depth <= maximumDepth else {
            throw fail("it nests more than \(maximumDepth) levels deep (a recursive type?)")
        }
        if let (schema, value) = primitive(type) { return (schema, value) }
        if let enumType = type as? any SchemaEnum.Type {
            guard let value = placeholder(of: enumType) as? T else { throw fail("the enum has no cases") }
            return (["type": "string", "enum": .array(enumType.schemaValues.map { .string($0) })], value)
        }
        if let dictionary = type as? any StringKeyedDictionary.Type {
            let values = try dictionary.valueSchema(path: path, depth: depth + 1)
            guard let empty = dictionary.empty as? T else { throw fail("unexpected dictionary type") }
            return (["type": "object", "additionalProperties": values], empty)
        }
        let decoder = SchemaDecoder(codingPath: path, depth: depth + 1)
        let value: T
        do {
            value = try T(from: decoder)
        } catch let error as SchemaDerivationError {
            throw error
        } catch {
            if decoder.shape.isSingleString {
                throw fail("a string enum must conform to SchemaEnum (CaseIterable) so its cases are known")
            }
            throw fail("its init(from:) rejected a placeholder value (\(error))")
        }
        var schema = decoder.schema
        if let described = type as? any SchemaDescribed.Type,
           case .object(var object) = schema, case .object(var properties)? = object["properties"] {
            for (key, text) in described.propertyDescriptions {
                if case .object(var property)? = properties[key] {
                    property["description"] = .string(text)
                    properties[key] = .object(property)
                }
            }
            object["properties"] = .object(properties)
            schema = .object(object)
        }
        return (schema, value)
    }

    private static func placeholder<E: SchemaEnum>(of type: E.Type) -> Any? { type.schemaPlaceholder }

    /// Leaf types with a fixed schema.
    private static func primitive<T>(_ type: T.Type) -> (JSONValue, T)? {
        func leaf(_ schema: JSONValue, _ value: Any) -> (JSONValue, T)? {
            (value as? T).map { (schema, $0) }
        }
        switch type {
        case is String.Type: return leaf(["type": "string"], "")
        case is Bool.Type: return leaf(["type": "boolean"], false)
        case is Int.Type: return leaf(["type": "integer"], 0 as Int)
        case is Int8.Type: return leaf(["type": "integer"], 0 as Int8)
        case is Int16.Type: return leaf(["type": "integer"], 0 as Int16)
        case is Int32.Type: return leaf(["type": "integer"], 0 as Int32)
        case is Int64.Type: return leaf(["type": "integer"], 0 as Int64)
        case is UInt.Type: return leaf(["type": "integer", "minimum": 0], 0 as UInt)
        case is UInt8.Type: return leaf(["type": "integer", "minimum": 0], 0 as UInt8)
        case is UInt16.Type: return leaf(["type": "integer", "minimum": 0], 0 as UInt16)
        case is UInt32.Type: return leaf(["type": "integer", "minimum": 0], 0 as UInt32)
        case is UInt64.Type: return leaf(["type": "integer", "minimum": 0], 0 as UInt64)
        case is Double.Type: return leaf(["type": "number"], 0 as Double)
        case is Float.Type: return leaf(["type": "number"], 0 as Float)
        case is Decimal.Type: return leaf(["type": "number"], Decimal(0))
        case is Date.Type: return leaf(["type": "number"], Date(timeIntervalSinceReferenceDate: 0))
        case is Data.Type: return leaf(["type": "string", "contentEncoding": "base64"], Data())
        case is UUID.Type: return leaf(["type": "string", "format": "uuid"], UUID())
        case is URL.Type:
            guard let url = URL(string: "https://example.com") else { return nil }
            return leaf(["type": "string", "format": "uri"], url)
        case is JSONValue.Type: return leaf([:], JSONValue.null)
        default: return nil
        }
    }

    static func dotted(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// `[String: V]`, whose schema is an object with values of `V`'s schema.
protocol StringKeyedDictionary {
    static var empty: Any { get }
    static func valueSchema(path: [any CodingKey], depth: Int) throws -> JSONValue
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Decodable {
    static var empty: Any { [String: Value]() }
    static func valueSchema(path: [any CodingKey], depth: Int) throws -> JSONValue {
        try SchemaRecorder.record(Value.self, path: path, depth: depth).schema
    }
}

/// An object under construction: properties in the order they were decoded.
final class ObjectRecord {
    private(set) var order: [String] = []
    private var properties: [String: JSONValue] = [:]
    private var required: Set<String> = []
    /// Told the new schema after each property, when this object sits inside another.
    var observer: ((JSONValue) -> Void)?

    func add(_ key: String, _ schema: JSONValue, required isRequired: Bool) {
        if properties[key] == nil { order.append(key) }
        properties[key] = schema
        if isRequired { required.insert(key) }
        observer?(self.schema)
    }

    var schema: JSONValue {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array(order.filter(required.contains).map { .string($0) }),
            "additionalProperties": false,
        ]
    }
}

/// An array under construction: the schema of its (first) element.
final class ArrayRecord {
    var items: JSONValue?
    var schema: JSONValue {
        guard let items else { return ["type": "array"] }
        return ["type": "array", "items": items]
    }
}
