import Foundation

/// Evaluates arithmetic expressions by recursive descent; nothing is ever
/// handed to an interpreter.
///
/// ```
/// expression := term (("+" | "-") term)*
/// term       := unary (("*" | "/") unary)*
/// unary      := ("-" | "+") unary | power
/// power      := primary ("^" unary)?          right-associative: 2^3^2 = 2^9
/// primary    := number | "(" expression ")"
/// number     := digits ["." digits] | "." digits, optionally followed by e[+-]digits
/// ```
///
/// As in mathematics, `-2^2` is `-4`. Whitespace is ignored. Results must be
/// finite: division by zero and overflow are errors, not `inf`.
struct ArithmeticParser {
    /// Longer expressions are refused before parsing.
    static let maximumLength = 1_000
    /// Deeper nesting is refused (keeps the recursion off the stack limit).
    static let maximumDepth = 100

    private let characters: [Character]
    private var position = 0
    private var depth = 0

    init(_ expression: String) {
        characters = Array(expression)
    }

    /// The value of `expression`.
    static func evaluate(_ expression: String) throws(CalculatorError) -> Double {
        guard expression.count <= maximumLength else {
            throw .tooLong(length: expression.count, limit: maximumLength)
        }
        var parser = ArithmeticParser(expression)
        parser.skipSpaces()
        guard !parser.atEnd else { throw .empty }
        let value = try parser.expression()
        parser.skipSpaces()
        guard parser.atEnd else { throw parser.unexpected() }
        return value
    }

    // MARK: Grammar

    private mutating func expression() throws(CalculatorError) -> Double {
        try descend()
        defer { depth -= 1 }
        var value = try term()
        while let op = peekOperator(in: "+-") {
            position += 1
            let rhs = try term()
            value = try finite(op == "+" ? value + rhs : value - rhs, at: position)
        }
        return value
    }

    private mutating func term() throws(CalculatorError) -> Double {
        var value = try unary()
        while let op = peekOperator(in: "*/") {
            let at = position
            position += 1
            let rhs = try unary()
            if op == "/" {
                guard rhs != 0 else { throw .divisionByZero(position: at) }
                value = try finite(value / rhs, at: at)
            } else {
                value = try finite(value * rhs, at: at)
            }
        }
        return value
    }

    private mutating func unary() throws(CalculatorError) -> Double {
        if let op = peekOperator(in: "+-") {
            position += 1
            try descend()
            defer { depth -= 1 }
            let operand = try unary()
            return op == "-" ? -operand : operand
        }
        return try power()
    }

    private mutating func power() throws(CalculatorError) -> Double {
        let base = try primary()
        guard peekOperator(in: "^") != nil else { return base }
        let at = position
        position += 1
        try descend()
        defer { depth -= 1 }
        let exponent = try unary()
        if base == 0 && exponent < 0 { throw .divisionByZero(position: at) }
        let value = Self.power(base, exponent)
        guard !value.isNaN else { throw .notReal(position: at) }
        return try finite(value, at: at)
    }

    private mutating func primary() throws(CalculatorError) -> Double {
        skipSpaces()
        guard !atEnd else { throw .unexpectedEnd }
        if characters[position] == "(" {
            let open = position
            position += 1
            let value = try expression()
            skipSpaces()
            guard !atEnd, characters[position] == ")" else { throw .unbalancedParenthesis(position: open) }
            position += 1
            return value
        }
        return try number()
    }

    private mutating func number() throws(CalculatorError) -> Double {
        let start = position
        var text = ""
        var sawDigit = false
        var sawPoint = false
        while !atEnd {
            let character = characters[position]
            if character.isASCII, character.isNumber {
                sawDigit = true
            } else if character == ".", !sawPoint {
                sawPoint = true
            } else {
                break
            }
            text.append(character)
            position += 1
        }
        guard sawDigit else {
            position = start
            throw unexpected()
        }
        if !atEnd, characters[position] == "e" || characters[position] == "E" {
            var exponent = "e"
            var cursor = position + 1
            if cursor < characters.count, characters[cursor] == "+" || characters[cursor] == "-" {
                exponent.append(characters[cursor])
                cursor += 1
            }
            let digitsStart = cursor
            while cursor < characters.count, characters[cursor].isASCII, characters[cursor].isNumber {
                exponent.append(characters[cursor])
                cursor += 1
            }
            if cursor > digitsStart {
                text += exponent
                position = cursor
            }
        }
        guard let value = Double(text) else { throw .invalidNumber(text, position: start) }
        return try finite(value, at: start)
    }

    // MARK: Helpers

    private var atEnd: Bool { position >= characters.count }

    private mutating func skipSpaces() {
        while !atEnd, characters[position].isWhitespace { position += 1 }
    }

    private mutating func peekOperator(in operators: String) -> Character? {
        skipSpaces()
        guard !atEnd, operators.contains(characters[position]) else { return nil }
        return characters[position]
    }

    private mutating func descend() throws(CalculatorError) {
        depth += 1
        if depth > Self.maximumDepth { throw .tooDeep(limit: Self.maximumDepth) }
    }

    private func finite(_ value: Double, at position: Int) throws(CalculatorError) -> Double {
        guard value.isFinite else { throw .overflow(position: position) }
        return value
    }

    private func unexpected() -> CalculatorError {
        guard !atEnd else { return .unexpectedEnd }
        return .unexpectedCharacter(characters[position], position: position)
    }

    /// `base ^ exponent`, exact for integer exponents (so 2^10 is 1024, not 1023.99…).
    private static func power(_ base: Double, _ exponent: Double) -> Double {
        if exponent == exponent.rounded(), abs(exponent) <= 1_024 {
            var result = 1.0
            var factor = exponent < 0 ? 1 / base : base
            var remaining = Int(abs(exponent))
            while remaining > 0 {
                if remaining & 1 == 1 { result *= factor }
                factor *= factor
                remaining >>= 1
            }
            return result
        }
        return Foundation.pow(base, exponent)
    }
}
