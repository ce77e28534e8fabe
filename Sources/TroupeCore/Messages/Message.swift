/// A message of a workflow's conversation: who said it, what, and which span
/// (agent turn) produced it, so a later turn can link back to its cause.
public struct Message: Sendable, Hashable, Codable {
    /// Stable across resume: `stepKey#n`.
    public var id: String
    /// The agent's name, or "user" for the run's input.
    public var sender: String
    public var content: String
    public var role: Role
    public var spanID: String?
    /// Tokens the turn that produced it used.
    public var usage: TokenUsage
    /// The member the sender handed the conversation to, if it did.
    public var handoff: String?
}

extension Message {
    // In an extension, delegating to the synthesized memberwise initializer (its
    // parameters differ in order: `role` is declared after `content`). An
    // initializer that assigns each property built the message twice and copied
    // it, a retain and a release per string for every message (Swift 6.3, -O).
    public init(id: String, sender: String, role: Role = .assistant, content: String,
                spanID: String? = nil, usage: TokenUsage = .init(), handoff: String? = nil) {
        self.init(id: id, sender: sender, content: content, role: role, spanID: spanID, usage: usage,
                  handoff: handoff)
    }
}

extension Array where Element == Message {
    /// The content of the last message, or "" for none: what a function step's
    /// request holds. Read in place; `last?.content` copies the whole message
    /// first (four retains and releases per step of a replay).
    var lastContent: String {
        withUnsafeBufferPointer { messages in messages.isEmpty ? "" : messages[messages.count - 1].content }
    }
}
