import Troupe

extension Workflows {
    /// Three function steps a → b → c in a loop, each adding one to a counter,
    /// until the counter reaches the number given as input: the durable-loop
    /// benchmark (every step's result is committed before the next step runs).
    public static func count() throws -> Workflow {
        let add: @Sendable (StepInput) async throws -> String = { input in
            let parts = input.text.split(separator: "/")
            let value = parts.count == 2 ? Int(parts[0]) ?? 0 : 0
            let target = parts.count == 2 ? Int(parts[1]) ?? 0 : Int(input.text) ?? 0
            return "\(value + 1)/\(target)"
        }
        return try Workflow("count", description: "a→b→c loop adding 1 per step until the input count (benchmark)") {
            Loop(max: 10_000_000, until: .when("target reached", Count.reached)) {
                Step("a", add)
                Step("b", add)
                Step("c", add)
            }
        }
    }

    enum Count {
        /// True once the last message reads `n/target` with `n >= target`.
        @Sendable static func reached(_ messages: ArraySlice<Message>) -> Bool {
            guard let parts = messages.last?.content.split(separator: "/"), parts.count == 2,
                  let value = Int(parts[0]), let target = Int(parts[1]) else { return false }
            return value >= target
        }
    }
}
