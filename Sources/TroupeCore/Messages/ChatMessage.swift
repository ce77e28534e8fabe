/// Who wrote a message in a model conversation, in the Chat Completions sense.
public enum Role: String, Sendable, Hashable, Codable {
    case system, user, assistant, tool
}

/// One message of a model conversation: what a `ChatRequest` carries.
///
/// `name` is the author when several agents share one conversation; `toolCalls`
/// are the calls an assistant message asked for; `toolCallID` ties a `.tool`
/// message to the call it answers.
public struct ChatMessage: Sendable, Hashable, Codable {
    public var role: Role
    public var content: String
    public var name: String?
    public var toolCalls: [ToolCall]?
    public var toolCallID: String?

    public init(role: Role, content: String, name: String? = nil,
                toolCalls: [ToolCall]? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ content: String) -> ChatMessage { .init(role: .system, content: content) }
    public static func user(_ content: String, name: String? = nil) -> ChatMessage {
        .init(role: .user, content: content, name: name)
    }
    public static func assistant(_ content: String, name: String? = nil) -> ChatMessage {
        .init(role: .assistant, content: content, name: name)
    }
}

/// A call a model asks for: the tool's name and its arguments as a JSON string.
///
/// Arguments stay a string because models emit them that way, sometimes invalid;
/// the tool layer parses and validates them against the tool's schema.
public struct ToolCall: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
