import TroupeCore

/// One run's journal as a value: what `troupe runs export` writes and
/// `troupe replay run.jsonl` reads, so a recorded run can travel between stores.
///
/// ```swift
/// let cassette = try await journal.cassette(runID: id)
/// try cassette.jsonLines().write(to: url, atomically: true, encoding: .utf8)
///
/// let again = try Cassette(jsonLines: String(contentsOf: url, encoding: .utf8))
/// try await otherJournal.importCassette(again)   // same run id; idempotent
/// ```
///
/// The JSON Lines format is described on ``jsonLines()``.
public struct Cassette: Sendable, Hashable {
    /// The version of the JSON Lines format this build writes and the newest it reads.
    public static let formatVersion = 1

    public var run: RunRecord
    /// In the order they were first started.
    public var effects: [EffectRecord]
    public var steps: [StepRecord]
    /// In the order they were delivered.
    public var messages: [MessageRecord]
    public var spans: [SpanRecord]
    public var links: [SpanLinkRecord]

    public init(run: RunRecord, effects: [EffectRecord] = [], steps: [StepRecord] = [],
                messages: [MessageRecord] = [], spans: [SpanRecord] = [], links: [SpanLinkRecord] = []) {
        self.run = run
        self.effects = effects
        self.steps = steps
        self.messages = messages
        self.spans = spans
        self.links = links
    }

    /// The journal entries that recreate this run in a store.
    public var entries: [JournalEntry] {
        var entries: [JournalEntry] = [.run(run)]
        entries.reserveCapacity(1 + effects.count + steps.count + messages.count + spans.count + links.count)
        entries += effects.map(JournalEntry.effect)
        entries += steps.map(JournalEntry.step)
        entries += messages.map(JournalEntry.message)
        entries += spans.map { .span($0, replace: true) }
        entries += links.map(JournalEntry.link)
        return entries
    }
}
