/// Everything that can go wrong with a Troupe store, each case saying what happened
/// and what to do about it.
///
/// ```swift
/// do {
///     let journal = try SQLiteJournal(path: "notes.sqlite")
/// } catch let error as StoreError {
///     print(error)   // "notes.sqlite is not a Troupe store (…); it was not modified. …"
/// }
/// ```
///
/// A file that is refused (``notATroupeStore(path:reason:)``,
/// ``newerSchema(path:unknownMigrations:)``) was only read, never written.
public enum StoreError: Error, Sendable, Hashable {
    /// The file exists but is not a Troupe store: not SQLite at all, or the
    /// database of another application.
    case notATroupeStore(path: String, reason: String)
    /// The store was written by a newer Troupe whose schema this one does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// Another process held the store's write lock for longer than the busy timeout.
    case locked(path: String, waitedSeconds: Double)
    /// The file could not be opened or created (missing folder, permissions, disk).
    case cannotOpen(path: String, reason: String)
    /// SQLite reported an error the store does not handle itself.
    case database(path: String, message: String)
    /// No run has this id or id prefix.
    case runNotFound(String)
    /// Several runs start with this prefix.
    case ambiguousRunID(prefix: String, matches: [String])
    /// A cassette line could not be read.
    case invalidCassette(line: Int, reason: String)

    /// Whether trying the same operation again later may succeed.
    public var isRetryable: Bool {
        if case .locked = self { return true }
        return false
    }
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notATroupeStore(let path, let reason):
            return "\(path) is not a Troupe store (\(reason)); it was not modified. "
                + "Pass --store with the path of a Troupe store or of a new file."
        case .newerSchema(let path, let unknown):
            return "\(path) was written by a newer troupe; upgrade troupe to open it "
                + "(unknown schema migrations: \(unknown.joined(separator: ", "))). "
                + "The file was not modified."
        case .locked(let path, let waited):
            let seconds = (waited * 10).rounded() / 10
            return "\(path) stayed locked by another process for \(seconds) s. "
                + "Wait for the other troupe processes using this store to finish (or stop a "
                + "stuck one), then try again; or use a separate store with --store."
        case .cannotOpen(let path, let reason):
            return "cannot open the store \(path): \(reason). "
                + "Check that its folder exists and is writable, or pass another --store."
        case .database(let path, let message):
            return "the store \(path) reported an error: \(message)"
        case .runNotFound(let id):
            return "no run \(id) in this store; `troupe runs` lists the runs."
        case .ambiguousRunID(let prefix, let matches):
            return "\(matches.count) runs start with \(prefix) (\(matches.prefix(5).joined(separator: ", "))"
                + "\(matches.count > 5 ? ", …" : "")); give more characters of the id."
        case .invalidCassette(let line, let reason):
            return "the cassette is invalid at line \(line): \(reason). "
                + "Export it again with `troupe runs export RUN`."
        }
    }
}
