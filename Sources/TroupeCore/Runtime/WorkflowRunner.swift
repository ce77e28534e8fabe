import Foundation

/// Runs workflows against a journal: new runs, resumes and strict replays.
///
/// ```swift
/// let runner = WorkflowRunner(journal: store, models: provider)
/// let result = try await runner.run(review, input: "Write a haiku about actors")
/// // after a crash:
/// let resumed = try await runner.resume(review, runID: result.runID)
/// ```
///
/// All three are one mechanism: the workflow body runs from the start and every
/// effect is served from the journal when it is there. A new run has an empty
/// journal; resume runs whatever is missing live; replay treats anything missing
/// or changed as a ``DivergenceError`` and never reaches a model.
public struct WorkflowRunner: Sendable {
    public var journal: any Journal
    public var models: any ModelProvider
    public var runtime: AgentRuntime
    public var observer: RunObserver?
    public var humanInput: (any HumanInputProvider)?
    /// Decisions on tool calls waiting for approval (`troupe resume --approve`).
    public var approvals: [String: ApprovalDecision] = [:]

    public init(journal: any Journal, models: any ModelProvider, runtime: AgentRuntime = AgentRuntime(),
                observer: RunObserver? = nil, humanInput: (any HumanInputProvider)? = nil) {
        self.journal = journal
        self.models = models
        self.runtime = runtime
        self.observer = observer
        self.humanInput = humanInput
    }

    /// Starts a new run of `workflow` on `input`.
    /// - Parameters:
    ///   - runID: the id to give the run; a fresh random one when nil.
    ///   - options: how the run was launched, kept with it so resume can do the same.
    public func run(_ workflow: Workflow, input: String, runID: String? = nil,
                    options: [String: String] = [:]) async throws -> RunResult {
        let id = runID ?? Self.newRunID()
        if try await journal.load(runID: id) != nil { throw RunnerError.runExists(id) }
        let record = RunRecord(id: id, workflow: workflow.name, input: input,
                               createdAt: RunContext.wallClock(), options: options)
        try await journal.commit([.run(record)])
        return try await execute(workflow, record: record, recorded: [], keysAreUnique: true, mode: .run,
                                 journal: journal, models: models)
    }

    /// Continues a run that stopped (killed, failed, cancelled): journaled effects are
    /// served, the rest run live. A completed run is returned as it is.
    public func resume(_ workflow: Workflow, runID: String) async throws -> RunResult {
        guard let recorded = try await journal.load(runID: runID) else { throw RunnerError.unknownRun(runID) }
        try check(workflow, against: recorded.run)
        if recorded.run.status == .completed {
            return RunResult(runID: runID, workflow: workflow.name, status: .completed,
                             output: recorded.run.output ?? "", usage: recorded.run.usage, messages: [],
                             liveEffects: 0, servedEffects: 0)
        }
        return try await execute(workflow, record: recorded.run, recorded: recorded.effects,
                                 keysAreUnique: recorded.keysAreUnique, mode: .resume, journal: journal, models: models)
    }

    /// Re-runs a recorded run strictly from its journal, without calling any model
    /// or tool and without writing to this runner's journal.
    /// - Throws: ``DivergenceError`` when the workflow asks for an effect the
    ///   recording does not have, or asks with another request.
    public func replay(_ workflow: Workflow, recording: RunJournal) async throws -> RunResult {
        try check(workflow, against: recording.run)
        var record = recording.run
        record.status = .running
        return try await execute(workflow, record: record, recorded: recording.effects,
                                 keysAreUnique: recording.keysAreUnique, mode: .replay,
                                 journal: DiscardingJournal(), models: NoModelProvider())
    }

    /// Forks a recorded run at `step`: a new run, linked to its parent, that serves
    /// the recording's effects made before that step and runs everything from it
    /// on live. Use it to try another model or prompt from a point of a run.
    ///
    /// - Parameters:
    ///   - step: a step key of the recording (e.g. `review/loop[2]/critic`); its
    ///     own effects and everything recorded after them run live.
    /// - Throws: ``RunnerError/unknownStep(_:runID:known:)`` when the recording has
    ///   no effect in that step.
    public func fork(_ workflow: Workflow, recording: RunJournal, from step: String, runID: String? = nil,
                     options: [String: String]? = nil) async throws -> RunResult {
        try check(workflow, against: recording.run)
        guard let cut = recording.effects.firstIndex(where: { $0.stepKey == step }) else {
            let known = recording.effects.map(\.stepKey).reduce(into: [String]()) { list, key in
                if list.last != key { list.append(key) }
            }
            throw RunnerError.unknownStep(step, runID: recording.run.id, known: known)
        }
        let id = runID ?? Self.newRunID()
        if try await journal.load(runID: id) != nil { throw RunnerError.runExists(id) }
        let record = RunRecord(id: id, workflow: workflow.name, input: recording.run.input,
                               parentRunID: recording.run.id, createdAt: RunContext.wallClock(),
                               options: options ?? recording.run.options)
        // The inherited effects become the new run's own, so it can itself be resumed;
        // they never ran live in it.
        let inherited = recording.effects[..<cut].filter { $0.status == .completed }.map { effect in
            var copy = effect
            copy.runID = id
            copy.executions = 0
            return copy
        }
        try await journal.commit([.run(record)] + inherited.map { .effect($0) })
        // A part of the recording's effects: unique when those were.
        return try await execute(workflow, record: record, recorded: inherited,
                                 keysAreUnique: recording.keysAreUnique, mode: .fork, journal: journal, models: models)
    }

    // MARK: Running

    private func execute(_ workflow: Workflow, record: RunRecord, recorded: [EffectRecord], keysAreUnique: Bool,
                         mode: RunMode, journal: any Journal, models: any ModelProvider) async throws -> RunResult {
        let context = RunContext(
            runID: record.id, workflow: workflow.name, mode: mode, journal: journal, recorded: recorded,
            recordedKeysAreUnique: keysAreUnique, models: models, runtime: runtime, observer: observer,
            humanInput: humanInput, approvals: approvals)
        defer { context.releaseAgents() }
        context.emit(.runStarted(runID: record.id, workflow: workflow.name, mode: mode))

        let start = RunContext.wallClock()
        var transcript = [Message(id: "input", sender: "user", role: .user, content: record.input,
                                  spanID: context.rootSpanID)]
        // A step adds about one message per effect: a replay or resume knows how
        // many there were, and allocates once instead of growing and copying.
        transcript.reserveCapacity(1 + recorded.count)
        var failure: (any Error)?
        do {
            try await WorkflowExecutor(run: context).execute(
                workflow.nodes, path: workflow.name, transcript: &transcript, parentSpan: context.rootSpanID)
        } catch {
            failure = error
        }

        var final = record
        final.updatedAt = RunContext.wallClock()
        final.usage = context.usage
        switch failure {
        case nil:
            final.status = .completed
            final.output = workflow.output.select(from: transcript)?.content ?? ""
            final.error = nil
        case is CancellationError:
            final.status = .stopped
            final.error = "cancelled; resume the run to continue"
        case let pending as ApprovalRequired:
            final.status = .waiting
            final.error = pending.description
        case let error?:
            final.status = .failed
            final.error = String(describing: error)
        }
        await context.record(
            SpanRecord(runID: record.id, spanID: context.rootSpanID, parentID: nil,
                       name: "run \(workflow.name)", kind: .run, startTime: start, endTime: final.updatedAt,
                       status: failure.map { .error(String(describing: $0)) } ?? .ok,
                       attributes: [
                           "troupe.run.id": .string(record.id),
                           "troupe.workflow": .string(workflow.name),
                           "troupe.run.mode": .string(mode.rawValue),
                           "troupe.run.input": .string(String(record.input.prefix(200))),
                           "gen_ai.usage.input_tokens": .number(Double(final.usage.inputTokens)),
                           "gen_ai.usage.output_tokens": .number(Double(final.usage.outputTokens)),
                       ]),
            live: true)
        try await journal.commit([.run(final)])

        let result = RunResult(
            runID: record.id, workflow: workflow.name, status: final.status, output: final.output ?? "",
            usage: final.usage, messages: transcript, liveEffects: context.liveEffects,
            servedEffects: context.servedEffects)
        context.emit(.runFinished(result))
        if let failure { throw failure }
        return result
    }

    private func check(_ workflow: Workflow, against run: RunRecord) throws {
        guard run.workflow == workflow.name else {
            throw RunnerError.workflowMismatch(runID: run.id, recorded: run.workflow, given: workflow.name)
        }
    }

    /// A fresh run id: 16 hex digits.
    public static func newRunID() -> String {
        Canonical.hex(UInt64.random(in: .min ... .max))
    }
}

/// Errors of starting or resuming runs.
public enum RunnerError: Error, CustomStringConvertible, Sendable {
    case runExists(String)
    case unknownRun(String)
    case workflowMismatch(runID: String, recorded: String, given: String)
    case unknownStep(String, runID: String, known: [String])

    public var description: String {
        switch self {
        case .runExists(let id): "a run with id \(id) already exists; resume it, or choose another id"
        case .unknownRun(let id): "no run \(id) in this store; list runs with 'troupe runs'"
        case .workflowMismatch(let id, let recorded, let given):
            "run \(id) is a run of '\(recorded)', not '\(given)'"
        case .unknownStep(let step, let id, let known):
            "run \(id) has no step '\(step)'; its steps are: \(known.joined(separator: ", "))"
        }
    }
}
