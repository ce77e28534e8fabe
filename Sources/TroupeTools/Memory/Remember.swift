import Foundation
import TroupeCore

/// Stores a text in long-term memory, for later searches with ``MemorySearch``.
///
/// ```swift
/// let agent = Agent("notetaker", instructions: "Remember what the user tells you about themselves.",
///                   tools: [Remember(namespace: "user"), MemorySearch(namespace: "user")])
/// ```
///
/// Inside a run the entry's id is the call's effect key, so a call made again
/// after a crash replaces the entry instead of adding a second one; the call
/// itself is journaled and never repeated on resume or replay.
public struct Remember: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var text: String
        public init(text: String) { self.text = text }
        public static let propertyDescriptions = ["text": "The fact to remember, in one or two sentences"]
    }

    public let namespace: String
    public let store: (any MemoryStore)?
    public let name: String
    public var description: String { "Remembers a fact in the '\(namespace)' memory for later searches." }

    /// - Parameters:
    ///   - namespace: where entries go.
    ///   - store: the memory to write; nil for the run's.
    ///   - name: the tool's name.
    public init(namespace: String, store: (any MemoryStore)? = nil, name: String = "remember") {
        self.namespace = namespace
        self.store = store
        self.name = name
    }

    public func call(arguments: Arguments) async throws -> String {
        let context = ToolContext.current
        guard let memory = store ?? context?.memory else { throw MemoryUnavailable(operation: name) }
        let id = context?.effectKey ?? Self.contentID(arguments.text)
        try await memory.add([MemoryEntry(namespace: namespace, id: id, text: arguments.text,
                                          metadata: context.map { ["run": .string($0.runID), "step": .string($0.step)] } ?? [:],
                                          created: Date().timeIntervalSince1970)])
        return "remembered as \(id)"
    }

    /// Outside a run: an id from the text, so remembering the same text twice keeps one entry.
    static func contentID(_ text: String) -> String {
        "text-" + String(FNV1a.hash(text), radix: 16)
    }
}
