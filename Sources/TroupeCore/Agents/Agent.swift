/// An agent's description: its name, what it is told to do, and which model it uses.
///
/// ```swift
/// let critic = Agent("critic",
///     instructions: "Review the draft. Say APPROVED when it is good.",
///     model: .local(.smolLM2))
/// ```
///
/// An `Agent` is a value; a run hosts it as an actor in the ``AgentRuntime``, one
/// per run, which keeps its turns in order.
public struct Agent: Sendable {
    public var name: String
    public var instructions: String
    public var model: ModelRef
    public var sampling: Sampling
    /// What this agent is good at: shown to a model that picks the next speaker.
    public var description: String
    /// The members this agent may hand the conversation to in a group chat.
    public var handoffs: [String]
    /// The tools it may call.
    public var tools: [AnyTool]
    /// How many rounds of model → tool calls → model one turn may take.
    public var maxToolIterations: Int
    /// The part of the conversation it sees; nil for all of it.
    public var window: ConversationWindow?

    public init(_ name: String, instructions: String, model: ModelRef = .default,
                sampling: Sampling = Sampling(temperature: 0, maxTokens: 96),
                description: String = "", handoffs: [String] = [],
                tools: [any Tool] = [], maxToolIterations: Int = 4, window: ConversationWindow? = nil) {
        self.name = name
        self.instructions = instructions
        self.model = model
        self.sampling = sampling
        self.description = description
        self.handoffs = handoffs
        self.tools = tools.map { AnyTool($0) }
        self.maxToolIterations = maxToolIterations
        self.window = window
    }
}
