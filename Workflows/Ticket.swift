import Troupe

/// What the `support` workflow produces: a triaged ticket.
public struct Ticket: Codable, Sendable, Hashable {
    public enum Category: String, Codable, Sendable, SchemaEnum { case billing, technical, account, other }
    public enum Priority: String, Codable, Sendable, SchemaEnum { case normal, low, high, urgent }

    public var category: Category
    public var priority: Priority
    /// One sentence a support engineer reads first.
    public var summary: String

    public init(category: Category, priority: Priority, summary: String) {
        self.category = category
        self.priority = priority
        self.summary = summary
    }
}
