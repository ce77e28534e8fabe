import TroupeCore

/// Evaluates an arithmetic expression: `+ - * / ^`, parentheses, unary minus
/// and decimals. Parsed and computed here; never evaluated as code.
///
/// ```swift
/// let agent = Agent("math", instructions: "Use the calculator for arithmetic.", tools: [Calculator()])
/// try await Calculator().call(arguments: .init(expression: "(2 + 3) * 4 ^ 2"))   // "80"
/// ```
///
/// A malformed expression throws ``CalculatorError`` naming the position, which
/// reaches the model as the call's result so it can correct itself.
public struct Calculator: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var expression: String
        public init(expression: String) { self.expression = expression }
        public static let propertyDescriptions = [
            "expression": "An arithmetic expression with + - * / ^ and parentheses, e.g. (12.5 - 2) * 3",
        ]
    }

    public let name = "calculator"
    public let description = "Evaluates an arithmetic expression exactly; use it instead of doing arithmetic in your head."

    public init() {}

    public func call(arguments: Arguments) async throws -> String {
        Self.format(try ArithmeticParser.evaluate(arguments.expression))
    }

    /// Integers without a fraction (`80`, not `80.0`); other values as Swift prints them.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }
}

/// Why an expression could not be evaluated; positions count characters from 0.
public enum CalculatorError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case unexpectedCharacter(Character, position: Int)
    case unexpectedEnd
    case unbalancedParenthesis(position: Int)
    case invalidNumber(String, position: Int)
    case divisionByZero(position: Int)
    case overflow(position: Int)
    case notReal(position: Int)
    case tooLong(length: Int, limit: Int)
    case tooDeep(limit: Int)

    public var description: String {
        switch self {
        case .empty:
            "the expression is empty; pass something like \"2 + 2\""
        case .unexpectedCharacter(let character, let position):
            "unexpected '\(character)' at position \(position); only numbers, + - * / ^ and parentheses are allowed"
        case .unexpectedEnd:
            "the expression ends too early; a number or '(' is missing at the end"
        case .unbalancedParenthesis(let position):
            "the '(' at position \(position) is never closed; add a ')'"
        case .invalidNumber(let text, let position):
            "'\(text)' at position \(position) is not a number"
        case .divisionByZero(let position):
            "division by zero at position \(position)"
        case .overflow(let position):
            "the result overflows at position \(position); use smaller numbers"
        case .notReal(let position):
            "the power at position \(position) has no real value (a negative base with a fractional exponent)"
        case .tooLong(let length, let limit):
            "the expression has \(length) characters; at most \(limit) are allowed"
        case .tooDeep(let limit):
            "the expression nests more than \(limit) levels deep; simplify it"
        }
    }
}
