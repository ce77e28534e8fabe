/// An agent hosted by an ``AgentRuntime``: an actor that handles one message at a time.
///
/// The runtime guarantees per-agent ordering and no reentrancy: `handle` is never
/// entered for a second message before the first returns, even if it suspends.
///
/// ```swift
/// actor Counter: RuntimeAgent {
///     var total = 0
///     func handle(_ message: any Sendable, context: MessageContext) async throws -> (any Sendable)? {
///         total += message as? Int ?? 0
///         return total
///     }
/// }
/// ```
public protocol RuntimeAgent: Actor {
    /// Handles a message delivered by `send` (the return value is the reply) or by
    /// `publish` (the return value is dropped).
    func handle(_ message: any Sendable, context: MessageContext) async throws -> (any Sendable)?
}

/// Where a delivered message came from.
public struct MessageContext: Sendable {
    /// The runtime delivering it, for replying, sending or publishing onwards.
    public let runtime: AgentRuntime
    /// The agent that is handling it.
    public let recipient: AgentID
    /// The sending agent, when the sender was an agent.
    public let sender: AgentID?
    /// The topic it was published on; nil for a direct send.
    public let topic: String?
}
