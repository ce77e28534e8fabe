/// What a function step, a branch condition or a map sees: the conversation so far,
/// and (for function steps) the step's context for effects.
public struct StepInput: Sendable {
    /// The step's key, e.g. `count/loop[3]/a`.
    public let key: String
    /// The messages of the conversation so far, oldest first.
    public let messages: [Message]
    /// The step's context: make model calls, read the clock, draw random numbers
    /// through it so resume and replay see the same values.
    public let context: StepContext?

    /// The content of the last message (the run's input at the start).
    public var text: String { messages.last?.content ?? "" }
}
