import Testing
import TroupeCore
import TroupeTools

@Suite("Calculator")
struct CalculatorTests {
    func evaluate(_ expression: String) async throws -> String {
        try await Calculator().call(arguments: .init(expression: expression))
    }

    @Test(arguments: [
        ("1 + 2 * 3", "7"), ("(1 + 2) * 3", "9"), ("2 ^ 3 ^ 2", "512"), ("-2 ^ 2", "-4"), ("(-2) ^ 2", "4"),
        ("2 ^ -1", "0.5"), ("--3", "3"), ("-(4 - 6)", "2"), ("10 / 4", "2.5"), (".5 + 1.25", "1.75"),
        ("7 - 2 - 1", "4"), ("8 / 2 / 2", "2"), ("  3*  (2+ 1 )  ", "9"), ("1e3 + 1", "1001"), ("2^10", "1024"),
        ("0.1 + 0.2", "0.30000000000000004"), ("+5", "5"), ("4 ^ 0.5", "2"),
    ])
    func evaluates(expression: String, expected: String) async throws {
        #expect(try await evaluate(expression) == expected)
    }

    @Test(arguments: [
        ("", CalculatorError.empty),
        ("1 / 0", .divisionByZero(position: 2)),
        ("1 / (2 - 2)", .divisionByZero(position: 2)),
        ("(1 + 2", .unbalancedParenthesis(position: 0)),
        ("1 + 2)", .unexpectedCharacter(")", position: 5)),
        ("2 +", .unexpectedEnd),
        ("2 $ 3", .unexpectedCharacter("$", position: 2)),
        ("abs(3)", .unexpectedCharacter("a", position: 0)),
        ("1..2", .unexpectedCharacter(".", position: 2)),
        ("10 ^ 400", .overflow(position: 3)),
        ("(-8) ^ 0.5", .notReal(position: 5)),
        ("0 ^ -1", .divisionByZero(position: 2)),
    ])
    func refuses(expression: String, error: CalculatorError) async {
        await #expect(throws: error) { try await evaluate(expression) }
    }

    @Test func boundsLengthAndNesting() async {
        await #expect(throws: CalculatorError.tooLong(length: 1_001, limit: 1_000)) {
            try await evaluate(String(repeating: "1", count: 1_001))
        }
        await #expect(throws: CalculatorError.tooDeep(limit: 100)) {
            try await evaluate(String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150))
        }
        await #expect(throws: CalculatorError.tooDeep(limit: 100)) {
            try await evaluate(String(repeating: "-", count: 500) + "1")
        }
    }

    @Test func errorsReachTheModelAsText() async throws {
        let tool = AnyTool(Calculator())
        #expect(try await tool.call(arguments: #"{"expression":"6*7"}"#) == "42")
        await #expect(throws: ToolError.self) { try await tool.call(arguments: #"{"expr":"1"}"#) }
    }
}
