/// When a loop or a group chat stops, composed with `||` and `&&`.
///
/// ```swift
/// Loop(max: 3, until: .mentions("APPROVED")) { … }
/// GroupChat("pair", members: [coder, tester], until: .maxMessages(12) || .mentions("DONE"))
/// ```
///
/// Conditions are checked after every message and see only what happened since the
/// loop or chat began. They are deterministic on replay: a timeout reads the clock
/// and an external stop reads its signal through journaled effects.
public struct Termination: Sendable, CustomStringConvertible {
    indirect enum Condition: Sendable {
        case maxMessages(Int)
        case mentions(String)
        case tokenBudget(Int)
        case timeout(seconds: Double)
        case handoff(to: String?)
        case external(StopSignal)
        case custom(String, @Sendable (ArraySlice<Message>) -> Bool)
        case and(Condition, Condition)
        case or(Condition, Condition)
    }

    let condition: Condition

    /// Stops after `count` messages.
    public static func maxMessages(_ count: Int) -> Termination { .init(condition: .maxMessages(count)) }
    /// Stops when a new message contains `text` (case-sensitive).
    public static func mentions(_ text: String) -> Termination { .init(condition: .mentions(text)) }
    /// Stops once the messages have used `tokens` tokens (input and output).
    public static func tokenBudget(_ tokens: Int) -> Termination { .init(condition: .tokenBudget(tokens)) }
    /// Stops once `seconds` have passed, by the run's journaled clock.
    public static func timeout(seconds: Double) -> Termination { .init(condition: .timeout(seconds: seconds)) }
    /// Stops when an agent hands off to `target` (any target when nil).
    public static func handoff(to target: String? = nil) -> Termination { .init(condition: .handoff(to: target)) }
    /// Stops when `signal` is raised from outside the run.
    public static func externalStop(_ signal: StopSignal) -> Termination { .init(condition: .external(signal)) }
    /// Stops when `predicate` holds for the messages so far.
    public static func when(_ name: String,
                            _ predicate: @escaping @Sendable (ArraySlice<Message>) -> Bool) -> Termination {
        .init(condition: .custom(name, predicate))
    }

    public static func || (lhs: Termination, rhs: Termination) -> Termination {
        .init(condition: .or(lhs.condition, rhs.condition))
    }
    public static func && (lhs: Termination, rhs: Termination) -> Termination {
        .init(condition: .and(lhs.condition, rhs.condition))
    }

    public var description: String { Self.describe(condition) }

    private static func describe(_ condition: Condition) -> String {
        switch condition {
        case .maxMessages(let n): "maxMessages(\(n))"
        case .mentions(let text): "mentions(\"\(text)\")"
        case .tokenBudget(let n): "tokenBudget(\(n))"
        case .timeout(let s): "timeout(\(s)s)"
        case .handoff(let target): "handoff(to: \(target ?? "any"))"
        case .external: "externalStop"
        case .custom(let name, _): name
        case .and(let a, let b): "(\(describe(a)) && \(describe(b)))"
        case .or(let a, let b): "(\(describe(a)) || \(describe(b)))"
        }
    }

    var needsClock: Bool { Self.needsClock(condition) }
    private static func needsClock(_ condition: Condition) -> Bool {
        switch condition {
        case .timeout: true
        case .and(let a, let b), .or(let a, let b): needsClock(a) || needsClock(b)
        default: false
        }
    }

    /// Whether checking the condition makes no effect (it reads no clock and no
    /// signal), so ``isSatisfied(_:)`` can answer it without suspending.
    var makesNoEffects: Bool { Self.makesNoEffects(condition) }
    private static func makesNoEffects(_ condition: Condition) -> Bool {
        switch condition {
        case .timeout, .external: false
        case .and(let a, let b), .or(let a, let b): makesNoEffects(a) && makesNoEffects(b)
        default: true
        }
    }

    /// Whether a condition that ``makesNoEffects`` holds for `state`; nil when it
    /// reaches a clock or a signal, which only the async form can read.
    func isSatisfied(_ state: TerminationState) -> Bool? {
        Self.evaluate(condition, state)
    }

    private static func evaluate(_ condition: Condition, _ state: TerminationState) -> Bool? {
        switch condition {
        case .maxMessages(let n): return state.messages.count >= n
        case .mentions(let text): return state.newMessages.contains { $0.content.contains(text) }
        case .tokenBudget(let n): return state.tokens >= n
        case .timeout, .external: return nil
        case .handoff(let target):
            guard let last = state.messages.last?.handoff else { return false }
            return target == nil || last == target
        case .custom(_, let predicate): return predicate(state.messages)
        case .and(let a, let b):
            guard let first = evaluate(a, state) else { return nil }
            return first ? evaluate(b, state) : false
        case .or(let a, let b):
            guard let first = evaluate(a, state) else { return nil }
            return first ? true : evaluate(b, state)
        }
    }

    /// Whether the condition holds for `state`; `signal` reads an external stop
    /// through the journal.
    func isSatisfied(_ state: TerminationState,
                     signal: (StopSignal) async throws -> Bool) async throws -> Bool {
        try await Self.evaluate(condition, state, signal)
    }

    private static func evaluate(_ condition: Condition, _ state: TerminationState,
                                 _ signal: (StopSignal) async throws -> Bool) async throws -> Bool {
        switch condition {
        case .timeout(let seconds): return (state.elapsed ?? 0) >= seconds
        case .external(let stop): return try await signal(stop)
        case .and(let a, let b):
            guard try await evaluate(a, state, signal) else { return false }
            return try await evaluate(b, state, signal)
        case .or(let a, let b):
            if try await evaluate(a, state, signal) { return true }
            return try await evaluate(b, state, signal)
        case .maxMessages, .mentions, .tokenBudget, .handoff, .custom:
            // Reads neither clock nor signal: the synchronous form always answers.
            return evaluate(condition, state) ?? false
        }
    }
}

/// What a termination condition sees: the messages since the loop or chat began,
/// those new since the last check, the tokens they used, and the time elapsed.
struct TerminationState {
    var messages: ArraySlice<Message>
    var newMessages: ArraySlice<Message>
    var tokens: Int
    var elapsed: Double?
}
