/// Long-term memory: texts kept across runs in namespaces, found again by a
/// ranked full-text search.
///
/// ```swift
/// try await memory.add([MemoryEntry(namespace: "faq", id: "refunds", text: "Refunds take 5 days.")])
/// let hits = try await memory.search("how long for a refund", namespace: "faq", limit: 3)
/// try await memory.delete(namespace: "faq", ids: nil)          // the whole namespace
/// ```
///
/// `TroupeStore.SQLiteJournal` implements it in the run store (SQLite FTS5,
/// ranked by BM25). Workflow code writes through ``StepContext/remember(_:namespace:id:metadata:)``
/// and reads through ``StepContext/recall(_:namespace:limit:)`` so each write and
/// each search is a journaled effect; agents use the `memory_search` and
/// `remember` tools of `TroupeTools`. Implementations are safe to call from
/// many tasks.
public protocol MemoryStore: Sendable {
    /// Adds `entries`, replacing any with the same namespace and id (so a write
    /// made again with the same id does not duplicate).
    func add(_ entries: [MemoryEntry]) async throws

    /// The entries of `namespace` that match words of `query`, best first, at most `limit`.
    func search(_ query: String, namespace: String, limit: Int) async throws -> [MemoryHit]

    /// Deletes the entries of `namespace` with these ids, or all of them when
    /// `ids` is nil; returns how many were deleted.
    @discardableResult
    func delete(namespace: String, ids: [String]?) async throws -> Int
}

/// One remembered text.
public struct MemoryEntry: Sendable, Hashable, Codable {
    /// Groups entries: searches and deletes look at one namespace.
    public var namespace: String
    /// Unique within the namespace.
    public var id: String
    public var text: String
    /// Anything else worth keeping with the text (a source, a tag…).
    public var metadata: [String: JSONValue]
    /// When it was written, in seconds since 1970.
    public var created: Double

    public init(namespace: String, id: String, text: String, metadata: [String: JSONValue] = [:], created: Double = 0) {
        self.namespace = namespace
        self.id = id
        self.text = text
        self.metadata = metadata
        self.created = created
    }
}

/// An entry found by a search, with its relevance (higher is better).
public struct MemoryHit: Sendable, Hashable, Codable {
    public var entry: MemoryEntry
    public var score: Double

    public init(entry: MemoryEntry, score: Double) {
        self.entry = entry
        self.score = score
    }
}

/// Memory was asked for where there is none.
public struct MemoryUnavailable: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public init(operation: String) { self.operation = operation }
    public var description: String {
        "\(operation) needs long-term memory, but this run's journal has none; "
            + "run with the SQLite store (troupe run does), or give the tool a MemoryStore"
    }
}
