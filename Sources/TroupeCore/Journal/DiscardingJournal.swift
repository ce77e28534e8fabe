/// A journal that keeps nothing: where a strict replay writes, since what it would
/// write is what the recording already holds.
///
/// Recording into an ``InMemoryJournal`` instead cost a quarter of a replayed
/// step (its message upsert scans every earlier message), for entries nobody read.
struct DiscardingJournal: Journal {
    func commit(_ entries: [JournalEntry]) async throws {}
    func append(_ entries: [JournalEntry]) async {}
    func flush() async throws {}
    func load(runID: String) async throws -> RunJournal? { nil }
}
