/// A journal that lives in memory: for tests, strict replays and runs that need
/// no durability. Same semantics as the SQLite journal, without the disk.
public actor InMemoryJournal: Journal {
    private var runs: [String: RunRecord] = [:]
    private var effects: [String: [String: EffectRecord]] = [:]
    private var effectOrder: [String: [String]] = [:]
    private var pending: [JournalEntry] = []
    public private(set) var steps: [String: StepRecord] = [:]
    public private(set) var messages: [MessageRecord] = []
    private var messageIndex: [String: Int] = [:]
    public private(set) var spans: [String: SpanRecord] = [:]
    public private(set) var links: Set<SpanLinkRecord> = []
    /// How many commits were made (each would be one transaction on disk).
    public private(set) var commitCount = 0

    public init() {}

    public func commit(_ entries: [JournalEntry]) async throws {
        commitCount += 1
        apply(pending)
        pending.removeAll()
        apply(entries)
    }

    public func append(_ entries: [JournalEntry]) async { pending += entries }

    public func flush() async throws {
        apply(pending)
        pending.removeAll()
    }

    public func load(runID: String) async throws -> RunJournal? {
        guard let run = runs[runID] else { return nil }
        let byKey = effects[runID] ?? [:]
        return RunJournal(run: run, effects: (effectOrder[runID] ?? []).compactMap { byKey[$0] }, keysAreUnique: true)
    }

    /// Every effect of a run, in the order first started.
    public func effects(of runID: String) -> [EffectRecord] {
        let byKey = effects[runID] ?? [:]
        return (effectOrder[runID] ?? []).compactMap { byKey[$0] }
    }

    private func apply(_ entries: [JournalEntry]) {
        for entry in entries {
            switch entry {
            case .run(let run): runs[run.id] = run
            case .effect(let effect):
                if effects[effect.runID, default: [:]].updateValue(effect, forKey: effect.key) == nil {
                    effectOrder[effect.runID, default: []].append(effect.key)
                }
            case .step(let step): steps[step.runID + "|" + step.key] = step
            case .message(let message):
                let key = message.runID + "|" + message.id
                if let index = messageIndex[key] {
                    messages[index] = message
                } else {
                    messageIndex[key] = messages.count
                    messages.append(message)
                }
            case .span(let span, let replace):
                if replace || spans[span.spanID] == nil { spans[span.spanID] = span }
            case .link(let link): links.insert(link)
            }
        }
    }
}
