extension Agent {
    /// The conversation as this agent sees it: its instructions (plus `extra`, and how
    /// to hand off when it may), the transcript through its window, its own messages
    /// as the assistant's and everyone else's as user messages signed with their name.
    public func conversation(of transcript: [Message], handoffs: [String] = [],
                             extraInstructions extra: String? = nil) -> [ChatMessage] {
        var system = instructions
        if let extra { system += "\n" + extra }
        if !handoffs.isEmpty {
            system += "\nTo hand the conversation to someone else, end with a line 'HANDOFF: <name>' where <name> is one of: \(handoffs.joined(separator: ", "))."
        }
        var messages: [ChatMessage] = [.system(system)]
        for message in window?.apply(to: transcript) ?? transcript {
            if message.sender == name {
                messages.append(.assistant(message.content, name: name))
            } else if message.role == .user && message.sender == "user" {
                messages.append(.user(message.content))
            } else {
                messages.append(.user("\(message.sender): \(message.content)", name: message.sender))
            }
        }
        return messages
    }
}
