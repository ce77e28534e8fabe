import Foundation
import Synchronization

/// Everything one run's effects go through: its journal, the recording it serves
/// from, its models, its agents and its observer.
///
/// Created by ``WorkflowRunner`` for each run; steps get a ``StepContext`` from it.
/// Safe to share between the run's tasks.
public final class RunContext: Sendable {
    public let runID: String
    public let workflow: String
    public let mode: RunMode
    let journal: any Journal
    /// True when the journal keeps nothing (a strict replay): spans, messages and
    /// step records are then not even built.
    let discards: Bool
    /// FNV-1a of `runID + "|"`, where every span id's hash starts.
    private let spanSeed: UInt64
    /// Effects of the recording being resumed or replayed.
    let recorded: RecordedEffects
    let models: any ModelProvider
    let runtime: AgentRuntime
    let observer: RunObserver?
    let humanInput: (any HumanInputProvider)?
    /// Decisions on tool calls that need approval, by call id.
    let approvals: [String: ApprovalDecision]

    private struct Counters {
        var usage = TokenUsage()
        var agents: Set<AgentID> = []
    }
    private let counters = Mutex(Counters())
    /// Effects run live and served, counted per effect: atomics, since on Linux
    /// every `Mutex` lock makes a system call (for the thread id).
    private let live = Atomic<Int>(0)
    private let served = Atomic<Int>(0)

    init(runID: String, workflow: String, mode: RunMode, journal: any Journal,
         recorded: [EffectRecord], recordedKeysAreUnique: Bool = false, models: any ModelProvider,
         runtime: AgentRuntime,
         observer: RunObserver?, humanInput: (any HumanInputProvider)?,
         approvals: [String: ApprovalDecision] = [:]) {
        self.runID = runID
        self.workflow = workflow
        self.mode = mode
        self.journal = journal
        self.discards = journal is DiscardingJournal
        self.spanSeed = Canonical.fnv1a(runID + "|")
        self.recorded = RecordedEffects(recorded, keysAreUnique: recordedKeysAreUnique)
        self.models = models
        self.runtime = runtime
        self.observer = observer
        self.humanInput = humanInput
        self.approvals = approvals
    }

    /// The context for the step with this key.
    public func step(_ key: String, parentSpan: String? = nil) -> StepContext {
        StepContext(key: key, run: self, spanID: spanID(for: key), parentSpanID: parentSpan ?? rootSpanID)
    }

    // MARK: Spans

    /// The run span's id.
    public var rootSpanID: String { spanID(for: "") }

    /// A span id derived from the run and the span's path: the same work gets the
    /// same id when a resumed run does it again.
    public func spanID(for path: String) -> String {
        Canonical.hex(spanHash(of: path))
    }

    /// The hash a span id is the hex of; hashing goes on from it for the span of a
    /// child, so siblings share the work on their parent's path.
    func spanHash(of path: String) -> UInt64 {
        Canonical.fnv1a(path, after: spanSeed)
    }

    /// ``spanID(for:)`` of `path/key`, given ``spanHash(of:)`` of `path`.
    func spanID(child key: String, of pathHash: UInt64) -> String {
        Canonical.hex(Canonical.fnv1a(key, after: FNV1a.step(pathHash, UInt8(ascii: "/"))))
    }

    /// Queues a span; a span of work served from the journal keeps the original's record.
    func record(_ span: SpanRecord, links: [String] = [], live: Bool) async {
        guard !discards else { return }
        var entries: [JournalEntry] = []
        entries.reserveCapacity(1 + links.count)
        add(span, links: links, live: live, to: &entries)
        await journal.append(entries)
    }

    /// Adds a span and its links to `entries`.
    func add(_ span: SpanRecord, links: [String], live: Bool, to entries: inout [JournalEntry]) {
        entries.append(.span(span, replace: live))
        var seen: [String] = []
        for target in links where target != span.spanID && !seen.contains(target) {
            seen.append(target)
            entries.append(.link(SpanLinkRecord(runID: runID, spanID: span.spanID, linkedSpanID: target)))
        }
    }

    /// Queues a message of the conversation.
    func record(_ message: Message, step: String) async {
        guard !discards else { return }
        await journal.append([messageEntry(message, step: step)])
    }

    func messageEntry(_ message: Message, step: String) -> JournalEntry {
        .message(MessageRecord(
            runID: runID, id: message.id, stepKey: step, sender: message.sender, role: message.role,
            content: message.content, spanID: message.spanID, createdAt: Self.wallClock()))
    }

    /// Sends `event` to the observer; without one the event is not even built.
    func emit(_ event: @autoclosure () -> RunEvent) {
        guard let observer else { return }
        observer(event())
    }

    // MARK: Accounting

    func noteEffect(live isLive: Bool) {
        if isLive { live.add(1, ordering: .relaxed) } else { served.add(1, ordering: .relaxed) }
    }
    func add(_ usage: TokenUsage) { counters.withLock { $0.usage += usage } }
    var usage: TokenUsage { counters.withLock { $0.usage } }
    var liveEffects: Int { live.load(ordering: .relaxed) }
    var servedEffects: Int { served.load(ordering: .relaxed) }

    /// Hosts `agent` for this run (once) and returns its address.
    func host(_ agent: Agent) -> AgentID {
        let id = AgentID(agent.name, key: runID)
        let isNew = counters.withLock { $0.agents.insert(id).inserted }
        if isNew { runtime.registerIfAbsent(id) { AgentHost(agent: agent) } }
        return id
    }

    /// Releases the run's agents.
    func releaseAgents() {
        let ids = counters.withLock { counters in
            defer { counters.agents.removeAll() }
            return Array(counters.agents)
        }
        runtime.unregister(ids)
    }

    /// Wall time for journal metadata only; workflow code reads time via ``StepContext/now()``.
    static func wallClock() -> Double { Date().timeIntervalSince1970 }
}
