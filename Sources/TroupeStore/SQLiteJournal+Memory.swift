import Foundation
internal import GRDB
import TroupeCore

/// Long-term memory in the store file: the `memory` table and its FTS5 index
/// (migration `v2-memory`).
///
/// Searches match any word of the query (stemmed, case- and accent-folded;
/// FTS5 syntax in the query is treated as plain words, never parsed) and rank
/// by BM25, reported as a score where higher is better. Writes take the
/// store's write lock like journal commits, and wait for it up to
/// ``StoreOptions/busyTimeout``.
extension SQLiteJournal: MemoryStore {
    public func add(_ entries: [MemoryEntry]) async throws {
        guard !entries.isEmpty else { return }
        let rows = try entries.map { entry in
            (entry, String(decoding: try Self.metadataEncoder.encode(entry.metadata), as: UTF8.self))
        }
        try await writeMemory { db in
            for (entry, metadata) in rows {
                try db.execute(sql: """
                    INSERT INTO memory (namespace, id, text, metadata, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (namespace, id) DO UPDATE
                    SET text = excluded.text, metadata = excluded.metadata, created_at = excluded.created_at
                    """, arguments: [entry.namespace, entry.id, entry.text, metadata, entry.created])
            }
        }
    }

    public func search(_ query: String, namespace: String, limit: Int) async throws -> [MemoryHit] {
        guard let match = Self.matchExpression(query), limit > 0 else { return [] }
        return try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.namespace, m.id, m.text, m.metadata, m.created_at, bm25(memory_fts) AS rank
                FROM memory_fts JOIN memory m ON m.seq = memory_fts.rowid
                WHERE memory_fts MATCH ? AND m.namespace = ?
                ORDER BY rank, m.seq LIMIT ?
                """, arguments: [match, namespace, limit]).map { row in
                let metadataText: String = row["metadata"]
                let metadata = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(metadataText.utf8))) ?? [:]
                let rank: Double = row["rank"]
                return MemoryHit(
                    entry: MemoryEntry(namespace: row["namespace"], id: row["id"], text: row["text"], metadata: metadata,
                                       created: row["created_at"]),
                    score: -rank)
            }
        }
    }

    @discardableResult
    public func delete(namespace: String, ids: [String]?) async throws -> Int {
        try await writeMemory { db in
            if let ids {
                guard !ids.isEmpty else { return 0 }
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                try db.execute(sql: "DELETE FROM memory WHERE namespace = ? AND id IN (\(marks))",
                               arguments: StatementArguments([namespace] + ids))
            } else {
                try db.execute(sql: "DELETE FROM memory WHERE namespace = ?", arguments: [namespace])
            }
            return db.changesCount
        }
    }

    /// The namespaces in the store, with how many entries each holds.
    public func memoryNamespaces() async throws -> [(namespace: String, count: Int)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT namespace, count(*) AS n FROM memory GROUP BY namespace ORDER BY namespace")
                .map { (namespace: $0["namespace"], count: $0["n"]) }
        }
    }

    // MARK: Internals

    /// An FTS5 query matching any word of `query`, each quoted so that operators
    /// and punctuation in it are only words; nil when it has no words.
    static func matchExpression(_ query: String) -> String? {
        var seen = Set<String>()
        let words = query.lowercased()
            .split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
            .filter { seen.insert($0).inserted }
        guard !words.isEmpty else { return nil }
        return words.prefix(64).map { "\"\($0)\"" }.joined(separator: " OR ")
    }

    private static let metadataEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private func writeMemory<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StoreError.wrapping(error, path: path, busyTimeout: options.busyTimeoutSeconds)
        }
    }
}
