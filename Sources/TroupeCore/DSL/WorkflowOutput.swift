/// Which message of the conversation is a workflow's output.
public enum WorkflowOutput: Sendable {
    /// The last message, whoever said it.
    case lastMessage
    /// The last message of this agent (or function step), e.g. the writer's final
    /// draft after the critic approved it.
    case lastMessageFrom(String)

    /// The output of `transcript`.
    func select(from transcript: [Message]) -> Message? {
        switch self {
        case .lastMessage: transcript.last
        case .lastMessageFrom(let sender): transcript.last { $0.sender == sender } ?? transcript.last
        }
    }
}
