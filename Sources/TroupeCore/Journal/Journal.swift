/// The append-only record of runs that makes resume, replay and fork one mechanism.
///
/// The runtime writes through two paths:
/// - ``commit(_:)`` returns only once the entries (and everything appended before
///   them) are durable. Effects use it: a result is committed before the workflow
///   sees it.
/// - ``append(_:)`` queues entries (spans, messages, step progress) that ride along
///   with a later commit or ``flush()`` (a store may hold them back for a few
///   commits and write them in bulk); a crash may lose the tail of them, which a
///   resumed run writes again.
///
/// Implementations must be safe to call from many tasks and, for stores on disk,
/// from several processes at once. `TroupeStore.SQLiteJournal` is the durable one;
/// ``InMemoryJournal`` serves tests and ephemeral runs.
public protocol Journal: Sendable {
    /// Writes `entries` (and any appended before them) durably.
    func commit(_ entries: [JournalEntry]) async throws

    /// Queues `entries` to be written with a later commit, or the next flush.
    func append(_ entries: [JournalEntry]) async

    /// Writes everything queued.
    func flush() async throws

    /// The run and its effects, or nil when there is no run with that id.
    func load(runID: String) async throws -> RunJournal?
}
