extension RunContext {
    /// The run's long-term memory: its journal's, when the journal keeps one
    /// (the SQLite store does).
    public var memory: (any MemoryStore)? { journal as? any MemoryStore }
}

extension StepContext {
    /// Remembers `text` in long-term memory, as a journaled effect: a resumed or
    /// replayed run gets the recorded entry back and does not write again.
    ///
    /// ```swift
    /// Step("note") { input in
    ///     guard let context = input.context else { return input.text }
    ///     try await context.remember(input.text, namespace: "notes")
    ///     return input.text
    /// }
    /// ```
    ///
    /// The id defaults to the effect's key (stable across resumes), so even a
    /// write cut short by a crash and made again replaces rather than duplicates.
    ///
    /// - Throws: ``MemoryUnavailable`` when the run has no memory; the store's errors.
    @discardableResult
    public func remember(_ text: String, namespace: String, id: String? = nil,
                         metadata: [String: JSONValue] = [:]) async throws -> MemoryEntry {
        let request = MemoryEffectRequest(tool: "memory.remember", namespace: namespace, id: id, text: text,
                                          metadata: metadata)
        return try await perform(.tool, request: request) { effectKey in
            guard let memory = run.memory else { throw MemoryUnavailable(operation: "remember") }
            let entry = MemoryEntry(namespace: namespace, id: id ?? effectKey, text: text, metadata: metadata,
                                    created: RunContext.wallClock())
            try await memory.add([entry])
            return entry
        }
    }

    /// Searches long-term memory, as a journaled effect: replay sees the same hits.
    ///
    /// - Throws: ``MemoryUnavailable`` when the run has no memory; the store's errors.
    public func recall(_ query: String, namespace: String, limit: Int = 5) async throws -> [MemoryHit] {
        let request = MemoryEffectRequest(tool: "memory.recall", namespace: namespace, text: query, limit: limit)
        return try await perform(.tool, request: request) { _ in
            guard let memory = run.memory else { throw MemoryUnavailable(operation: "recall") }
            return try await memory.search(query, namespace: namespace, limit: limit)
        }
    }

    /// Deletes entries of `namespace` (all of them when `ids` is nil), journaled;
    /// returns how many were deleted.
    @discardableResult
    public func forget(namespace: String, ids: [String]? = nil) async throws -> Int {
        let request = MemoryEffectRequest(tool: "memory.forget", namespace: namespace, ids: ids)
        return try await perform(.tool, request: request) { _ in
            guard let memory = run.memory else { throw MemoryUnavailable(operation: "forget") }
            return try await memory.delete(namespace: namespace, ids: ids)
        }
    }
}

/// The journaled request of a memory effect.
struct MemoryEffectRequest: Encodable, Sendable {
    var tool: String
    var namespace: String
    var id: String? = nil
    var ids: [String]? = nil
    var text: String? = nil
    var metadata: [String: JSONValue]? = nil
    var limit: Int? = nil
}
