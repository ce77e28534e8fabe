/// The part of a long conversation an agent sees: its head (the first messages,
/// usually the task) and as many of the latest messages as fit a message count
/// and a token budget. What lies between is left out.
///
/// ```swift
/// let critic = Agent("critic", instructions: "…", window: .last(6))                 // task + last 5
/// let summarizer = Agent("sum", instructions: "…", window: ConversationWindow(maxTokens: 1_500))
/// ```
///
/// Semantics: the head is always kept, and so is the latest message (the one
/// the agent answers), even when they alone exceed the limits. Then older
/// messages are added from the end while both limits hold. Order is preserved.
/// Tokens are estimated (one per four UTF-8 bytes, at least one per message),
/// which is close enough to keep a prompt within a context window without a
/// tokenizer; the agent's instructions are not counted.
public struct ConversationWindow: Sendable, Hashable, Codable {
    /// At most this many messages, the head included; nil for no limit.
    public var maxMessages: Int?
    /// At most about this many tokens of message content; nil for no limit.
    public var maxTokens: Int?
    /// How many of the first messages are always kept.
    public var head: Int

    public init(maxMessages: Int? = nil, maxTokens: Int? = nil, head: Int = 1) {
        self.maxMessages = maxMessages
        self.maxTokens = maxTokens
        self.head = max(head, 0)
    }

    /// The first `head` messages and the latest ones, `count` in all.
    public static func last(_ count: Int, head: Int = 1) -> ConversationWindow {
        ConversationWindow(maxMessages: count, head: head)
    }

    /// About how many tokens `text` takes.
    public static func estimatedTokens(_ text: String) -> Int {
        max(1, (text.utf8.count + 3) / 4)
    }

    /// The messages an agent with this window sees of `messages`.
    public func apply(to messages: [Message]) -> [Message] {
        apply(to: messages, content: \.content)
    }

    /// The elements kept of `items`, measuring each by `content`.
    public func apply<Item>(to items: [Item], content: (Item) -> String) -> [Item] {
        let headCount = min(head, items.count)
        var messageRoom = (maxMessages ?? .max) - headCount
        var tokenRoom = (maxTokens ?? .max) - items.prefix(headCount).reduce(0) { $0 + Self.estimatedTokens(content($1)) }
        var tail: [Item] = []
        for item in items.dropFirst(headCount).reversed() {
            let tokens = Self.estimatedTokens(content(item))
            let isLatest = tail.isEmpty
            guard isLatest || (messageRoom > 0 && tokens <= tokenRoom) else { break }
            tail.append(item)
            messageRoom -= 1
            tokenRoom -= tokens
        }
        return Array(items.prefix(headCount)) + tail.reversed()
    }
}
