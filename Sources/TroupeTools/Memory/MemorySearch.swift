import TroupeCore

/// Searches long-term memory in one namespace: the model gets the best
/// matches, one a line with their ids.
///
/// ```swift
/// let agent = Agent("support", instructions: "Look facts up before answering.",
///                   tools: [MemorySearch(namespace: "faq")])
/// ```
///
/// Uses `store` when given one, else the memory of the run the call is part of
/// (``ToolContext/current``; the SQLite store has it). A search inside a run is
/// a tool call, so it is journaled and replay sees the same hits.
public struct MemorySearch: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var query: String
        public var limit: Int?
        public init(query: String, limit: Int? = nil) {
            self.query = query
            self.limit = limit
        }
        public static let propertyDescriptions = [
            "query": "Words to look for, e.g. refund delay",
            "limit": "How many results at most (default 3, at most 20)",
        ]
    }

    public let namespace: String
    public let store: (any MemoryStore)?
    public let name: String
    public var description: String { "Searches the '\(namespace)' memory for texts matching the query, best first." }

    /// - Parameters:
    ///   - namespace: the namespace searched.
    ///   - store: the memory to search; nil for the run's.
    ///   - name: the tool's name, to give several memory tools distinct names.
    public init(namespace: String, store: (any MemoryStore)? = nil, name: String = "memory_search") {
        self.namespace = namespace
        self.store = store
        self.name = name
    }

    public func call(arguments: Arguments) async throws -> String {
        guard let memory = store ?? ToolContext.current?.memory else { throw MemoryUnavailable(operation: name) }
        let limit = min(max(arguments.limit ?? 3, 1), 20)
        let hits = try await memory.search(arguments.query, namespace: namespace, limit: limit)
        guard !hits.isEmpty else { return "no matches in '\(namespace)' for \"\(arguments.query)\"" }
        return hits.map { "[\($0.entry.id)] \($0.entry.text)" }.joined(separator: "\n")
    }
}
