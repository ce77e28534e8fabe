import Foundation
import TroupeCore

/// Derives a JSON Schema from a `Decodable` type by walking its `init(from:)`.
///
/// ```swift
/// struct Arguments: Decodable {
///     enum Unit: String, Decodable, SchemaEnum { case celsius, fahrenheit }
///     var city: String
///     var unit: Unit?
///     var days: [Int]
/// }
/// let schema = try JSONSchema.derive(Arguments.self)
/// // {"type":"object","additionalProperties":false,"required":["city","days"],
/// //  "properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},
/// //                "days":{"type":"array","items":{"type":"integer"}}}}
/// ```
///
/// The type is decoded once from a recording decoder that answers every request
/// with a placeholder and notes what was asked for: keyed containers become
/// objects (`decode` → required, `decodeIfPresent` → optional), unkeyed ones
/// arrays, and `String`, the integer types, `Double`/`Float`/`Decimal` and
/// `Bool` their JSON types. Nested `Decodable` types are walked the same way.
///
/// Also understood: string enums that conform to ``SchemaEnum``, `[String: V]`
/// (an object whose values follow `V`), `URL` and `UUID` (strings with a
/// `format`), `Date` (a number, as `JSONDecoder` reads it by default), `Data`
/// (a base64 string) and `JSONValue` (any JSON). Types that conform to
/// ``SchemaDescribed`` add descriptions to their properties.
///
/// Limits, which throw ``SchemaDerivationError``:
/// - a string enum that does not conform to ``SchemaEnum`` (its placeholder
///   value would not be one of its cases), and enums with associated values;
/// - a custom `init(from:)` that rejects placeholder values (`""`, `0`, `false`,
///   one-element arrays), or that reads different keys depending on values
///   (only the path the placeholders take is recorded);
/// - recursive types, cut off after 32 levels of nesting;
/// - `superDecoder()` (class inheritance).
///
/// Derivation is pure and cheap (one placeholder decode), safe from any thread.
public enum JSONSchema {
    /// The schema of `type`.
    ///
    /// - Throws: ``SchemaDerivationError`` when the type cannot be described (see the limits above).
    public static func derive<T: Decodable>(_ type: T.Type) throws(SchemaDerivationError) -> JSONValue {
        do {
            return try SchemaRecorder.record(type, path: [], depth: 0).schema
        } catch let error as SchemaDerivationError {
            throw error
        } catch {
            throw SchemaDerivationError(type: String(describing: type), path: "",
                                        reason: "its init(from:) rejected a placeholder value (\(error))")
        }
    }

    /// The schema of a tool's arguments: ``derive(_:)``, or, when that fails, an
    /// object schema whose description says why (a tool's `parameters` cannot throw).
    public static func parameters<T: Decodable>(for type: T.Type) -> JSONValue {
        do {
            return try derive(type)
        } catch {
            return ["type": "object", "description": .string("(no schema: \(error.description))")]
        }
    }
}

/// A type whose JSON Schema cannot be derived, and why.
public struct SchemaDerivationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The type being described.
    public let type: String
    /// Where in it the problem is, as dotted coding keys.
    public let path: String
    public let reason: String

    public init(type: String, path: String, reason: String) {
        self.type = type
        self.path = path
        self.reason = reason
    }

    public var description: String {
        let location = path.isEmpty ? "" : " at '\(path)'"
        return "cannot derive a JSON Schema for \(type)\(location): \(reason); "
            + "write the tool's `parameters` by hand, or simplify the type"
    }
}

/// A string enum whose cases become a JSON Schema `enum`.
///
/// ```swift
/// enum Priority: String, Codable, SchemaEnum { case low, normal, high }
/// ```
public protocol SchemaEnum: CaseIterable, RawRepresentable, Decodable where RawValue == String {}

extension SchemaEnum {
    /// The raw values of every case, in declaration order.
    static var schemaValues: [String] { allCases.map(\.rawValue) }
    /// A case to stand in for the value while recording.
    static var schemaPlaceholder: Self? { allCases.first }
}

/// A type that describes its properties for the model, by coding key.
///
/// ```swift
/// struct Arguments: Decodable, SchemaDescribed {
///     var expression: String
///     static let propertyDescriptions = ["expression": "e.g. (2 + 3) * 4"]
/// }
/// ```
public protocol SchemaDescribed {
    static var propertyDescriptions: [String: String] { get }
}

// MARK: - Tool

extension Tool {
    /// The JSON Schema of `Arguments`, derived by ``JSONSchema/derive(_:)``.
    /// Implement `parameters` yourself to override it.
    public var parameters: JSONValue { JSONSchema.parameters(for: Arguments.self) }
}
