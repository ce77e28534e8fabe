/// Where a run stands.
public enum RunStatus: String, Sendable, Hashable, Codable {
    /// Started and not finished: still going, or its process was killed (resume it).
    case running
    case completed
    case failed
    /// Ended early: cancelled (Ctrl-C) or stopped; resume it to continue.
    case stopped
    /// Paused until a person approves or rejects a tool call; resume with a decision.
    case waiting
}

/// A run of a workflow, as the journal keeps it.
public struct RunRecord: Sendable, Hashable, Codable {
    public var id: String
    public var workflow: String
    public var input: String
    public var status: RunStatus
    public var output: String?
    public var error: String?
    /// The run this one was forked from, if any.
    public var parentRunID: String?
    /// Seconds since 1970.
    public var createdAt: Double
    public var updatedAt: Double
    public var usage: TokenUsage
    /// How the run was launched (model override, fallbacks…), so resume can relaunch it
    /// the same way. Never holds secrets.
    public var options: [String: String]

    public init(id: String, workflow: String, input: String, status: RunStatus = .running,
                output: String? = nil, error: String? = nil, parentRunID: String? = nil,
                createdAt: Double, updatedAt: Double? = nil, usage: TokenUsage = .init(),
                options: [String: String] = [:]) {
        self.id = id
        self.workflow = workflow
        self.input = input
        self.status = status
        self.output = output
        self.error = error
        self.parentRunID = parentRunID
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.usage = usage
        self.options = options
    }
}

/// Whether an effect's result is known.
public enum EffectStatus: String, Sendable, Hashable, Codable {
    /// Started, result not yet committed: in flight, or interrupted by a crash.
    case started
    case completed
    /// The live call failed; resume runs it again.
    case failed
}

/// One effect: its key, a fingerprint of its request, and (once known) its result.
///
/// `key` is `stepKey#seq`. `request` and `result` are canonical JSON.
/// `executions` counts how many times it ran live: 1 normally, 2 when it was in
/// flight when the process died and resume ran it again.
public struct EffectRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var key: String
    public var stepKey: String
    public var seq: Int
    public var kind: EffectKind
    public var status: EffectStatus
    public var fingerprint: String
    public var request: String
    public var result: String?
    public var error: String?
    public var executions: Int
    public var startedAt: Double
    public var finishedAt: Double?
}

extension EffectRecord {
    // Delegates to the synthesized memberwise initializer (`status` is declared
    // earlier, so their signatures differ): one that assigns each property built
    // the record twice and copied it, a retain and a release per string for
    // every record a load decodes (Swift 6.3, -O). See ``Message``.
    public init(runID: String, key: String, stepKey: String, seq: Int, kind: EffectKind,
                fingerprint: String, request: String, result: String? = nil, error: String? = nil,
                status: EffectStatus, executions: Int, startedAt: Double, finishedAt: Double? = nil) {
        self.init(runID: runID, key: key, stepKey: stepKey, seq: seq, kind: kind, status: status,
                  fingerprint: fingerprint, request: request, result: result, error: error,
                  executions: executions, startedAt: startedAt, finishedAt: finishedAt)
    }
}

/// A step of a run (a node of the workflow graph at a given loop iteration).
public struct StepRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var key: String
    public var status: EffectStatus
    public var startedAt: Double
    public var finishedAt: Double?
    public var output: String?

    public init(runID: String, key: String, status: EffectStatus, startedAt: Double,
                finishedAt: Double? = nil, output: String? = nil) {
        self.runID = runID
        self.key = key
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.output = output
    }
}

/// A message delivered in a run: who said what, in which step, caused by which span.
public struct MessageRecord: Sendable, Hashable, Codable {
    public var runID: String
    /// Stable across resume: `stepKey#n`.
    public var id: String
    public var stepKey: String
    public var sender: String
    public var role: Role
    public var content: String
    /// The span (agent turn) that produced it.
    public var spanID: String?
    public var createdAt: Double

    public init(runID: String, id: String, stepKey: String, sender: String, role: Role,
                content: String, spanID: String?, createdAt: Double) {
        self.runID = runID
        self.id = id
        self.stepKey = stepKey
        self.sender = sender
        self.role = role
        self.content = content
        self.spanID = spanID
        self.createdAt = createdAt
    }
}

/// One entry of the journal's write path.
public enum JournalEntry: Sendable, Hashable {
    /// Insert or update the run.
    case run(RunRecord)
    /// Insert or update an effect (by run and key).
    case effect(EffectRecord)
    /// Insert or update a step (by run and key).
    case step(StepRecord)
    /// Insert or update a message (by run and id).
    case message(MessageRecord)
    /// Insert a span; `replace` decides whether an existing span with its id is overwritten.
    case span(SpanRecord, replace: Bool)
    /// Insert a causal link (ignored if present).
    case link(SpanLinkRecord)
}

/// Everything the journal holds about one run, as a resume or replay needs it.
public struct RunJournal: Sendable {
    public var run: RunRecord
    /// In the order they were first started.
    public var effects: [EffectRecord] {
        didSet { keysAreUnique = false }
    }
    /// True when the journal that loaded ``effects`` guarantees that no key appears
    /// twice (a store's primary key does), so a replay need not check; any change
    /// to ``effects`` clears it.
    package private(set) var keysAreUnique: Bool

    public init(run: RunRecord, effects: [EffectRecord]) {
        self.init(run: run, effects: effects, keysAreUnique: false)
    }

    package init(run: RunRecord, effects: [EffectRecord], keysAreUnique: Bool) {
        self.run = run
        self.effects = effects
        self.keysAreUnique = keysAreUnique
    }
}
