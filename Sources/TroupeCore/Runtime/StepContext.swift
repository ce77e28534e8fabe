import Foundation
import Synchronization

/// The context of one step: every effect the step makes goes through it, so it is
/// journaled before the step sees its result and served from the journal on
/// resume and replay.
///
/// ```swift
/// Step("stamp") { input in
///     let now = try await input.context!.now()
///     return "\(input.text) at \(now)"
/// }
/// ```
///
/// Effects are keyed `stepKey#n` in the order the step makes them, so a step must
/// make them in a deterministic order (parallel branches are separate steps).
public final class StepContext: Sendable {
    /// The step's key, e.g. `review/loop[2]/critic`.
    public let key: String
    public let run: RunContext
    /// The span covering this step.
    public let spanID: String
    public let parentSpanID: String
    private let sequence = Atomic<Int>(0)
    private let ranLive = Atomic<Bool>(false)

    init(key: String, run: RunContext, spanID: String, parentSpanID: String) {
        self.key = key
        self.run = run
        self.spanID = spanID
        self.parentSpanID = parentSpanID
    }

    /// Takes the next effect number of this step.
    public func reserveSequence() -> Int {
        sequence.add(1, ordering: .relaxed).newValue
    }

    /// True once any effect of this step ran live (rather than from the journal).
    public var didRunLive: Bool { ranLive.load(ordering: .relaxed) }

    // MARK: The effect mechanism

    /// Runs an effect through the journal.
    ///
    /// If the recording has this effect completed with the same request, its
    /// result is returned without running `live`. Otherwise (unless replaying,
    /// where that is a ``DivergenceError``) `live` runs; for external effects the
    /// start is committed first, and the result is committed before it is returned.
    ///
    /// `seq` numbers the effect within the step; by default the next number. Work
    /// that runs concurrently reserves its numbers first (``reserveSequence()``) so
    /// keys do not depend on which task got there first.
    public func perform<Request: Encodable & Sendable, Result: Codable & Sendable>(
        _ kind: EffectKind, request: Request, seq reserved: Int? = nil,
        live: (_ effectKey: String) async throws -> Result
    ) async throws -> Result {
        try await perform(kind, requestJSON: try Canonical.json(request), seq: reserved, live: live)
    }

    /// ``perform(_:request:seq:live:)`` with the request already in canonical JSON.
    func perform<Result: Codable & Sendable>(
        _ kind: EffectKind, requestJSON: String, seq reserved: Int? = nil,
        live: (_ effectKey: String) async throws -> Result
    ) async throws -> Result {
        let seq = reserved ?? reserveSequence()
        let effectKey = StepPath.effect(seq, of: key)
        let hash = Canonical.fnv1a(requestJSON)
        var executions = 1

        if let position = run.recorded.position(of: effectKey) {
            let recorded = run.recorded.records
            guard Canonical.isFingerprint(recorded[position].fingerprint, of: hash), recorded[position].kind == kind else {
                throw divergence(.requestChanged, effectKey, kind, recorded[position].request, requestJSON)
            }
            if recorded[position].status == .completed, let result = recorded[position].result {
                run.noteEffect(live: false)
                return try Canonical.decode(Result.self, from: result)
            }
            guard run.mode != .replay else {
                throw divergence(.incomplete, effectKey, kind, recorded[position].request, requestJSON)
            }
            executions = recorded[position].executions + 1
        } else if run.mode == .replay {
            throw divergence(.missing, effectKey, kind, nil, requestJSON)
        }

        ranLive.store(true, ordering: .relaxed)
        run.noteEffect(live: true)
        var record = EffectRecord(
            runID: run.runID, key: effectKey, stepKey: key, seq: seq, kind: kind,
            fingerprint: Canonical.hex(hash), request: requestJSON, status: .started,
            executions: executions, startedAt: RunContext.wallClock())
        if kind.isExternal {
            try await run.journal.commit([.effect(record)])
        }
        let result: Result
        do {
            result = try await live(effectKey)
        } catch {
            record.status = .failed
            record.error = String(describing: error)
            record.finishedAt = RunContext.wallClock()
            try? await run.journal.commit([.effect(record)])
            throw error
        }
        record.status = .completed
        record.result = try Canonical.json(result)
        record.finishedAt = RunContext.wallClock()
        try await run.journal.commit([.effect(record)])
        return result
    }

    private func divergence(_ reason: DivergenceError.Reason, _ effectKey: String, _ kind: EffectKind,
                            _ recorded: String?, _ new: String) -> DivergenceError {
        DivergenceError(runID: run.runID, step: key, key: effectKey, kind: kind, reason: reason,
                        recordedRequest: recorded, newRequest: new)
    }

    // MARK: Effects

    /// The current time (seconds since 1970), journaled.
    public func now() async throws -> Double {
        try await perform(.clock, request: EmptyRequest()) { _ in Date().timeIntervalSince1970 }
    }

    /// A random 64-bit number, journaled.
    public func random() async throws -> UInt64 {
        try await perform(.random, request: EmptyRequest()) { _ in UInt64.random(in: .min ... .max) }
    }

    /// A new UUID, journaled.
    public func uuid() async throws -> UUID {
        let text = try await perform(.uuid, request: EmptyRequest()) { _ in UUID().uuidString }
        return UUID(uuidString: text) ?? UUID()
    }

    /// Asks a person, through the run's ``HumanInputProvider``; the answer is journaled.
    public func ask(_ prompt: String) async throws -> String {
        try await perform(.human, request: ["prompt": prompt]) { _ in
            guard let provider = run.humanInput else { throw HumanInputUnavailable(step: key, prompt: prompt) }
            return try await provider.answer(prompt: prompt, step: key)
        }
    }

    /// Runs one call a model asked for: approval first when the tool needs it, then
    /// the tool, both journaled under the reserved numbers. A tool's failure comes
    /// back as an `error: …` result for the model, not as a thrown error.
    func invoke(_ call: ToolCall, tool: AnyTool?, available: [String], approvalSeq: Int?, toolSeq: Int,
                parentSpan: String) async throws -> String {
        guard let tool else {
            return "error: " + ToolError.unknownTool(call.name, available: available).description
        }
        if tool.requiresApproval, let approvalSeq {
            let approvalKey = StepPath.effect(approvalSeq, of: key)
            let decision = run.approvals[call.id]
            let recordedApproval = run.recorded.position(of: approvalKey).map { run.recorded.records[$0].status }
            if recordedApproval != .completed, decision == nil, run.mode != .replay {
                throw ApprovalRequired(runID: run.runID, step: key, callID: call.id, tool: call.name,
                                       arguments: call.arguments)
            }
            let outcome = try await perform(
                .human, request: ApprovalRequest(approval: call.id, tool: call.name, arguments: call.arguments),
                seq: approvalSeq
            ) { _ -> ApprovalOutcome in
                switch decision {
                case .approve?: ApprovalOutcome(approved: true, reason: nil)
                case .reject(let reason)?: ApprovalOutcome(approved: false, reason: reason)
                case nil: throw ApprovalRequired(runID: run.runID, step: key, callID: call.id, tool: call.name,
                                                 arguments: call.arguments)
                }
            }
            if !outcome.approved {
                return "error: " + ToolError.rejected(tool: call.name, reason: outcome.reason ?? "no reason given").description
            }
        }
        return try await perform(
            .tool, request: ToolEffectRequest(tool: call.name, arguments: call.arguments, callID: call.id), seq: toolSeq
        ) { effectKey in
            let start = RunContext.wallClock()
            var failure: String?
            let result: String
            do {
                let context = ToolContext(runID: run.runID, step: key, callID: call.id, effectKey: effectKey,
                                          memory: run.memory)
                result = try await ToolContext.$current.withValue(context) {
                    try await tool.call(arguments: call.arguments)
                }
            } catch let error as ToolError {
                failure = error.description
                result = "error: " + error.description
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = ToolError.failed(tool: call.name, reason: String(describing: error)).description
                result = "error: " + (failure ?? "")
            }
            await run.record(SpanRecord(
                runID: run.runID, spanID: run.spanID(for: effectKey + "/tool"), parentID: parentSpan,
                name: "execute_tool \(call.name)", kind: .toolCall, startTime: start, endTime: RunContext.wallClock(),
                status: failure.map { .error($0) } ?? .ok,
                attributes: [
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": .string(call.name),
                    "gen_ai.tool.call.id": .string(call.id),
                    "troupe.effect.key": .string(effectKey),
                ]), live: true)
            return result
        }
    }

    /// Whether `signal` is raised, journaled so a replay stops at the same place.
    public func check(_ signal: StopSignal) async throws -> Bool {
        try await perform(.signal, request: ["signal": signal.name]) { _ in signal.isRaised }
    }

    /// Asks a model, streaming its answer to the run's observer as `agent`, journaled.
    public func complete(_ request: ChatRequest, model ref: ModelRef, agent: String? = nil,
                         parentSpan: String? = nil) async throws -> ChatResponse {
        let effect = ModelEffectRequest(model: ref.spec, agent: agent, request: request)
        let response = try await perform(.model, request: effect) { effectKey in
            try await callModel(request, ref: ref, agent: agent, effectKey: effectKey,
                                parentSpan: parentSpan ?? spanID)
        }
        run.add(response.usage)
        return response
    }

    private func callModel(_ request: ChatRequest, ref: ModelRef, agent: String?, effectKey: String,
                           parentSpan: String) async throws -> ChatResponse {
        let model = try ref.instance ?? run.models.model(for: ref)
        let start = RunContext.wallClock()
        var accumulator = ChatDeltaAccumulator()
        var failure: (any Error)?
        let policySpans = PolicySpanCollector()
        do {
            try await PolicyTrace.$observer.withValue(policySpans) {
                for try await delta in model.stream(request) {
                    accumulator.add(delta)
                    if !delta.text.isEmpty, let agent {
                        run.emit(.delta(agent: agent, step: key, text: delta.text))
                    }
                }
            }
            // A cancelled consumer sees the stream simply end: that is not an answer.
            try Task.checkCancellation()
        } catch {
            failure = error
        }
        let end = RunContext.wallClock()
        let chatSpan = run.spanID(for: effectKey + "/chat")
        for (index, policy) in policySpans.spans.enumerated() {
            var attributes = policy.attributes
            attributes["gen_ai.request.model"] = .string(policy.model.rawValue)
            await run.record(SpanRecord(
                runID: run.runID, spanID: run.spanID(for: effectKey + "/chat/\(policy.kind.rawValue)-\(index)"),
                parentID: chatSpan, name: policy.name, kind: policy.kind, startTime: policy.startTime,
                endTime: policy.endTime, status: policy.error.map { .error($0) } ?? .ok, attributes: attributes),
                live: true)
        }
        let response = accumulator.response(latency: end - start, model: model.id)
        var attributes: [String: JSONValue] = [
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": .string(ref.spec),
            "gen_ai.response.model": .string(model.id.rawValue),
            "gen_ai.usage.input_tokens": .number(Double(response.usage.inputTokens)),
            "gen_ai.usage.output_tokens": .number(Double(response.usage.outputTokens)),
            "gen_ai.response.finish_reasons": [.string(response.finishReason.rawValue)],
            "troupe.effect.key": .string(effectKey),
        ]
        if let temperature = request.sampling.temperature {
            attributes["gen_ai.request.temperature"] = .number(temperature)
        }
        if let maxTokens = request.sampling.maxTokens {
            attributes["gen_ai.request.max_tokens"] = .number(Double(maxTokens))
        }
        if let agent { attributes["gen_ai.agent.name"] = .string(agent) }
        await run.record(SpanRecord(
            runID: run.runID, spanID: chatSpan, parentID: parentSpan,
            name: "chat \(model.id)", kind: .modelCall, startTime: start, endTime: end,
            status: failure.map { .error(String(describing: $0)) } ?? .ok, attributes: attributes),
            live: true)
        if let failure { throw failure }
        return response
    }
}

/// Gathers the attempt, backoff and fallback spans that model policies report
/// during one model call.
final class PolicySpanCollector: PolicySpanObserver {
    private let collected = Mutex<[PolicySpan]>([])
    func record(_ span: PolicySpan) { collected.withLock { $0.append(span) } }
    var spans: [PolicySpan] { collected.withLock { $0 } }
}

/// The journaled request of a model effect: which model, for which agent, asked what.
struct ModelEffectRequest: Encodable, Sendable {
    let model: String
    let agent: String?
    let request: ChatRequest
}

/// The request of effects that take no input (clock, random, uuid).
struct EmptyRequest: Codable, Sendable {}

/// A workflow asked for human input and the run has no way to ask.
public struct HumanInputUnavailable: Error, CustomStringConvertible {
    public let step: String
    public let prompt: String
    public var description: String {
        "step '\(step)' asks a person: \"\(prompt)\"; run it in a terminal (troupe run … answers on stdin) or pass a HumanInputProvider"
    }
}
