import TroupeCore

/// A JSON Schema compiled for guided decoding: the set of JSON texts, in
/// Troupe's canonical compact layout, that a constrained model may emit.
///
/// The layout has no whitespace, object properties in a fixed order (the
/// schema's `required` list in its order, then the other properties by name),
/// optional properties either present or left out, and numbers without
/// exponents. Every text the grammar accepts parses as JSON and validates
/// against the schema (with the exceptions listed under ``init(schema:)``).
///
/// ```swift
/// let grammar = try JSONGrammar(schema: ["type": "object",
///                                        "properties": ["name": ["type": "string"]],
///                                        "required": ["name"]])
/// grammar.accepts(#"{"name":"Ada"}"#)      // true
/// grammar.accepts(#"{ "name": "Ada" }"#)   // false: not the canonical layout
/// ```
///
/// A grammar is an immutable value; ``JSONConstraint`` runs it over a
/// vocabulary, token by token.
public struct JSONGrammar: Sendable, Hashable {
    /// One kind of JSON value the grammar can produce.
    enum Node: Sendable, Hashable {
        /// An object with known properties, in emission order.
        case object([Property])
        /// An object with any keys, each value of node `value` (`additionalProperties` alone, or `.json`).
        case map(value: Int)
        case array(item: Int, minItems: Int, maxItems: Int?)
        /// A string of `minLength...maxLength` characters (UTF-16-free count of Unicode scalars).
        case string(minLength: Int, maxLength: Int?)
        /// One of a fixed set of JSON texts (an `enum`, a `const`, `true`/`false`, `null`).
        case literals([Int])
        case number(NumberShape)
        /// Any of these alternatives (`anyOf`, `oneOf`, a list of types).
        case anyOf([Int])
    }

    /// A property of an ``Node/object(_:)``.
    struct Property: Sendable, Hashable {
        var name: String
        /// The literal `"name":` and `,"name":`, as indices into ``literals``.
        var key: Int
        var commaKey: Int
        var value: Int
        var isRequired: Bool
    }

    /// How a number may be written.
    struct NumberShape: Sendable, Hashable {
        var isInteger: Bool
        var allowsNegative: Bool
        /// Most digits before the decimal point (keeps integers exact in a `Double`).
        var maxIntegerDigits: Int
        /// Most digits after it.
        var maxFractionDigits: Int
    }

    var nodes: [Node]
    /// Fixed byte strings the automaton matches (keys with their quotes and colon, enum values, `{`, …).
    var literals: [[UInt8]]
    var root: Int
    /// The fewest bytes of a complete value of each node.
    var minimumLength: [Int]

    /// Literal ids of the punctuation the automaton pushes.
    var openBrace: Int, closeBrace: Int, openBracket: Int, closeBracket: Int
    var comma: Int, colon: Int, quote: Int, commaQuote: Int
}

// MARK: Matching

extension JSONGrammar {
    /// Whether `text` is exactly one complete value of this grammar.
    public func accepts(_ text: String) -> Bool {
        var configuration = JSONAutomaton.start(self)
        for byte in text.utf8 {
            configuration = JSONAutomaton.step(configuration, byte, in: self)
            if configuration.isEmpty { return false }
        }
        return configuration.contains([])
    }

    /// Whether `text` can be extended into a complete value (or already is one).
    public func acceptsPrefix(_ text: String) -> Bool {
        var configuration = JSONAutomaton.start(self)
        for byte in text.utf8 {
            configuration = JSONAutomaton.step(configuration, byte, in: self)
            if configuration.isEmpty { return false }
        }
        return true
    }
}
