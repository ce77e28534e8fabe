import Testing
import TroupeCore
import TroupeTesting

@Suite("The journal: resume, replay and divergence")
struct JournalTests {
    static func review() throws -> Workflow {
        try Workflow("review", output: .lastMessageFrom("writer")) {
            Step(agent("writer"))
            Loop(max: 3, until: .mentions("APPROVED")) {
                Step(agent("critic"))
                Step(agent("writer"))
            }
        }
    }

    static let replies = ["draft 1", "shorter", "draft 2", "APPROVED"]

    @Test func externalEffectsCommitTheirStartBeforeRunning() async throws {
        let journal = InMemoryJournal()
        let model = ScriptedModel(replies: [.computed { _ in "seen" }])
        let probe = JournalProbe(journal: journal)
        let workflow = try Workflow("w") { Step(agent("a")) }
        // The model call itself checks what the journal holds at that moment.
        let checking = CheckingModel(inner: model, probe: probe)
        _ = try await run(workflow, model: checking, journal: journal)
        #expect(await probe.seenDuringCall == [.started])
        #expect(await journal.effects(of: "run-1").first?.status == .completed)
    }

    @Test func resumeServesCompletedEffectsAndRunsTheRest() async throws {
        let journal = InMemoryJournal()
        // The third call fails as a crash would leave it: started, no result.
        let first = ScriptedModel(replies: [.text("draft 1"), .text("shorter"), .failure(ScriptedFailure.serverError)])
        await #expect(throws: ScriptedFailure.self) {
            try await run(Self.review(), model: first, journal: journal)
        }
        // Only the calls that did not complete are made again.
        let second = ScriptedModel(replies: [.text("draft 2"), .text("APPROVED")])
        let resumed = try await WorkflowRunner(journal: journal, models: SingleModelProvider(second))
            .resume(Self.review(), runID: "run-1")
        try second.verifyAllRepliesUsed()
        #expect(resumed.output == "draft 2")
        #expect(resumed.servedEffects == 2)
        #expect(resumed.liveEffects == 2)
        let effects = await journal.effects(of: "run-1")
        #expect(effects.map(\.executions) == [1, 1, 2, 1])
        #expect(try await journal.load(runID: "run-1")?.run.status == .completed)

        // The same output as a run that was never interrupted.
        let clean = try await run(Self.review(), model: ScriptedModel(replies: Self.replies.map { .text($0) }),
                                  runID: "clean")
        #expect(clean.output == resumed.output)
        #expect(clean.messages.map(\.content) == resumed.messages.map(\.content))
    }

    @Test func replayCallsNoModelAndGivesTheSameOutput() async throws {
        let journal = InMemoryJournal()
        let live = try await run(Self.review(), model: ScriptedModel(replies: Self.replies.map { .text($0) }),
                                 journal: journal)
        let recording = try #require(try await journal.load(runID: "run-1"))
        // NoModelProvider fails any model call: a replay must not make one.
        let replayed = try await WorkflowRunner(journal: InMemoryJournal(), models: NoModelProvider())
            .replay(Self.review(), recording: recording)
        #expect(replayed.output == live.output)
        #expect(replayed.liveEffects == 0)
        #expect(replayed.servedEffects == 4)
    }

    @Test func replayStopsWithADivergenceWhenAnAgentChanged() async throws {
        let journal = InMemoryJournal()
        _ = try await run(Self.review(), model: ScriptedModel(replies: Self.replies.map { .text($0) }), journal: journal)
        let recording = try #require(try await journal.load(runID: "run-1"))
        let changed = try Workflow("review") {
            Step(agent("writer"))
            Loop(max: 3, until: .mentions("APPROVED")) {
                Step(Agent("critic", instructions: "you are critic\nbe harsh"))
                Step(agent("writer"))
            }
        }
        await #expect {
            _ = try await WorkflowRunner(journal: InMemoryJournal(), models: NoModelProvider())
                .replay(changed, recording: recording)
        } throws: { error in
            guard let divergence = error as? DivergenceError else { return false }
            return divergence.step == "review/loop[1]/critic" && divergence.reason == .requestChanged
                && divergence.description.contains("recorded:") && divergence.description.contains("be harsh")
        }
    }

    @Test func replayStopsWhenTheWorkflowAsksForMoreThanWasRecorded() async throws {
        let journal = InMemoryJournal()
        let short = try Workflow("w") { Step(agent("a")) }
        _ = try await run(short, model: EchoModel(), journal: journal)
        let recording = try #require(try await journal.load(runID: "run-1"))
        let longer = try Workflow("w") {
            Step(agent("a"))
            Step(agent("b"))
        }
        await #expect {
            _ = try await WorkflowRunner(journal: InMemoryJournal(), models: NoModelProvider())
                .replay(longer, recording: recording)
        } throws: { ($0 as? DivergenceError)?.reason == .missing && ($0 as? DivergenceError)?.step == "w/b" }
    }

    @Test func clockRandomAndUUIDAreServedOnReplay() async throws {
        let workflow = try Workflow("w") {
            Step("stamp") { input in
                guard let context = input.context else { return "" }
                let time = try await context.now()
                let dice = try await context.random() % 6
                let id = try await context.uuid()
                return "\(time) \(dice) \(id)"
            }
        }
        let journal = InMemoryJournal()
        let live = try await run(workflow, model: EchoModel(), journal: journal)
        let recording = try #require(try await journal.load(runID: "run-1"))
        #expect(recording.effects.map(\.kind) == [.clock, .random, .uuid, .compute])
        let replayed = try await WorkflowRunner(journal: InMemoryJournal(), models: NoModelProvider())
            .replay(workflow, recording: recording)
        #expect(replayed.output == live.output)
    }

    @Test func spansLinkEachTurnToTheTurnsThatCausedIt() async throws {
        let journal = InMemoryJournal()
        _ = try await run(Self.review(), model: ScriptedModel(replies: Self.replies.map { .text($0) }), journal: journal)
        let spans = await journal.spans.values
        let links = await journal.links
        let turn = { (key: String) in
            spans.first { $0.kind == .agentTurn && $0.attributes["troupe.step.key"] == .string(key) }
        }
        let critic2 = try #require(turn("review/loop[2]/critic"))
        let writer1 = try #require(turn("review/loop[1]/writer"))
        #expect(links.contains(SpanLinkRecord(runID: "run-1", spanID: critic2.spanID, linkedSpanID: writer1.spanID)))
        #expect(critic2.attributes["gen_ai.agent.name"] == "critic")
        let chat = try #require(spans.first { $0.kind == .modelCall && $0.parentID == critic2.spanID })
        #expect(chat.attributes["gen_ai.operation.name"] == "chat")
        #expect(chat.attributes["gen_ai.usage.output_tokens"] == .number(1))
        #expect(spans.contains { $0.kind == .run && $0.parentID == nil })
    }
}

/// Reads the journal's state of the first effect while a model call is running.
actor JournalProbe {
    let journal: InMemoryJournal
    private(set) var seenDuringCall: [EffectStatus] = []
    init(journal: InMemoryJournal) { self.journal = journal }
    func look() async {
        seenDuringCall = await journal.effects(of: "run-1").map(\.status)
    }
}

struct CheckingModel: ChatModel {
    let inner: ScriptedModel
    let probe: JournalProbe
    var id: ModelID { inner.id }
    func respond(to request: ChatRequest) async throws -> ChatResponse {
        await probe.look()
        return try await inner.respond(to: request)
    }
}

@Suite("Cancellation")
struct CancellationTests {
    @Test func aCancelledModelCallIsNotJournaledAsAnAnswer() async throws {
        let journal = InMemoryJournal()
        let workflow = try Workflow("w") { Step(agent("slow")) }
        let model = ScriptedModel(replies: [.text("never finished")], delay: .seconds(5))
        let task = Task { try await run(workflow, model: model, journal: journal) }
        // Cancel once the model call is under way (its start is journaled before it
        // runs), however long getting there took.
        let deadline = ContinuousClock.now + .seconds(30)
        while await journal.effects(of: "run-1").isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        let recording = try #require(try await journal.load(runID: "run-1"))
        #expect(recording.run.status == .stopped)
        #expect(recording.effects.map(\.status) == [.failed])

        // Resuming asks the model again instead of serving an empty answer.
        let resumed = try await WorkflowRunner(journal: journal, models: SingleModelProvider(
            ScriptedModel(replies: [.text("done")]))).resume(workflow, runID: "run-1")
        #expect(resumed.output == "done")
    }
}

@Suite("Policy spans")
struct PolicySpanTests {
    /// A model that reports one failed attempt and one backoff before answering,
    /// as a retry policy does.
    struct RetryingEcho: ChatModel {
        var id: ModelID { "test/retrying" }
        func respond(to request: ChatRequest) async throws -> ChatResponse {
            let now = PolicyTrace.wallClock()
            PolicyTrace.record(PolicySpan(kind: .attempt, name: "attempt 1/2 test/retrying", model: id,
                                          startTime: now, endTime: now, error: "503"))
            PolicyTrace.record(PolicySpan(kind: .backoff, name: "backoff 0.1 s", model: id,
                                          startTime: now, endTime: now))
            return ChatResponse(text: "ok")
        }
    }

    @Test func attemptsAndBackoffsBecomeSpansUnderTheModelCall() async throws {
        let journal = InMemoryJournal()
        _ = try await run(try Workflow("w") { Step(agent("a")) }, model: RetryingEcho(), journal: journal)
        let spans = Array(await journal.spans.values)
        let chat = try #require(spans.first { $0.kind == .modelCall })
        let children = spans.filter { $0.parentID == chat.spanID }
        #expect(Set(children.map(\.kind)) == [.attempt, .backoff])
        #expect(children.first { $0.kind == .attempt }?.status == .error("503"))
    }
}

@Suite("Fork")
struct ForkTests {
    @Test func aForkServesTheParentUpToTheStepAndRunsTheRestLive() async throws {
        let journal = InMemoryJournal()
        _ = try await run(JournalTests.review(), model: ScriptedModel(replies: JournalTests.replies.map { .text($0) }),
                          journal: journal)
        let recording = try #require(try await journal.load(runID: "run-1"))
        let model = ScriptedModel(replies: [.text("a different draft"), .text("APPROVED")])
        let forked = try await WorkflowRunner(journal: journal, models: SingleModelProvider(model))
            .fork(JournalTests.review(), recording: recording, from: "review/loop[1]/writer", runID: "child")
        try model.verifyAllRepliesUsed()
        #expect(forked.output == "a different draft")
        #expect(forked.servedEffects == 2)
        #expect(forked.liveEffects == 2)
        let child = try #require(try await journal.load(runID: "child"))
        #expect(child.run.parentRunID == "run-1")
        #expect(child.effects.map(\.executions) == [0, 0, 1, 1])
        // The parent is untouched.
        #expect(try await journal.load(runID: "run-1")?.run.output == "draft 2")
    }

    @Test func forkingAtAStepTheRunNeverReachedSaysWhichStepsExist() async throws {
        let journal = InMemoryJournal()
        _ = try await run(JournalTests.review(), model: ScriptedModel(replies: JournalTests.replies.map { .text($0) }),
                          journal: journal)
        let recording = try #require(try await journal.load(runID: "run-1"))
        await #expect {
            _ = try await WorkflowRunner(journal: journal, models: NoModelProvider())
                .fork(JournalTests.review(), recording: recording, from: "review/loop[3]/critic")
        } throws: { String(describing: $0).contains("its steps are: review/writer, review/loop[1]/critic") }
    }
}
