/// How a store is opened: durability of commits and how long to wait for a lock.
///
/// ```swift
/// let journal = try SQLiteJournal(path: path, options: .init(durability: .full))
/// ```
public struct StoreOptions: Sendable, Hashable {
    /// What a returned ``SQLiteJournal/commit(_:)`` survives.
    public enum Durability: String, Sendable, Hashable, CaseIterable {
        /// Safe against a killed process, not against power loss: WAL with
        /// `synchronous=NORMAL`, and effects committed by one write(2) to the
        /// store's effect log before they reach SQLite in bulk. The default, and
        /// the fast one.
        case normal
        /// Safe against power loss: every commit is flushed to the disk before it
        /// returns. Effects alone go to a durable effect log (written in place in
        /// a preallocated file and `fdatasync`ed, on a thread of its own); every
        /// other write, and the merge of the log, is a SQLite transaction with
        /// `synchronous=FULL`.
        case full
    }

    /// What a returned commit survives. Default ``Durability/normal``.
    public var durability: Durability
    /// How long a write waits for another process's write lock before failing with
    /// ``StoreError/locked(path:waitedSeconds:)``. Default 30 seconds.
    public var busyTimeout: Duration

    public init(durability: Durability = .normal, busyTimeout: Duration = .seconds(30)) {
        self.durability = durability
        self.busyTimeout = busyTimeout
    }

    var busyTimeoutSeconds: Double {
        let (seconds, attoseconds) = busyTimeout.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
