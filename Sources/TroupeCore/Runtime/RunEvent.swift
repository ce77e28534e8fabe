/// What a run reports as it goes, for a terminal, a UI or a test to follow.
public enum RunEvent: Sendable {
    case runStarted(runID: String, workflow: String, mode: RunMode)
    /// An agent began its turn.
    case turnStarted(agent: String, step: String)
    /// A piece of an agent's answer, as the model produces it.
    case delta(agent: String, step: String, text: String)
    /// An agent's turn ended with this message; `served` when it came from the journal.
    case turnFinished(agent: String, step: String, message: Message, served: Bool)
    /// A function step produced its output.
    case stepFinished(step: String, output: String, served: Bool)
    case runFinished(RunResult)
}

/// Receives run events; called from the run's tasks, so it must be quick and thread-safe.
public typealias RunObserver = @Sendable (RunEvent) -> Void

/// How a run treats its journal.
public enum RunMode: String, Sendable, Codable {
    /// A new run: every effect runs live and is journaled.
    case run
    /// Continue a run: journaled effects are served, the rest run live.
    case resume
    /// Strict: every effect must come from the journal; anything else is a divergence.
    case replay
    /// A new run that serves its parent's effects up to a step, then runs live.
    case fork
}

/// How a run ended.
public struct RunResult: Sendable {
    public let runID: String
    public let workflow: String
    public let status: RunStatus
    public let output: String
    public let usage: TokenUsage
    public let messages: [Message]
    /// Effects that ran live in this process.
    public let liveEffects: Int
    /// Effects served from the journal.
    public let servedEffects: Int
}

/// Answers a workflow's `HumanInput` nodes.
public protocol HumanInputProvider: Sendable {
    func answer(prompt: String, step: String) async throws -> String
}
