/// Errors of the agent runtime.
public enum RuntimeError: Error, CustomStringConvertible, Sendable {
    /// No agent is registered under this id.
    case unknownAgent(AgentID)
    /// An agent is already registered under this id.
    case duplicateAgent(AgentID)
    /// The reply was not of the type the sender asked for.
    case unexpectedReply(AgentID, expected: String, got: String)
    /// The agent was unregistered while a message to it was waiting.
    case agentRemoved(AgentID)

    public var description: String {
        switch self {
        case .unknownAgent(let id):
            "no agent '\(id)' is registered in this runtime: register it first (runtime.register)"
        case .duplicateAgent(let id):
            "an agent '\(id)' is already registered: give the second one another key"
        case .unexpectedReply(let id, let expected, let got):
            "agent '\(id)' replied with \(got), the sender expected \(expected)"
        case .agentRemoved(let id):
            "agent '\(id)' was unregistered before it handled the message"
        }
    }
}
