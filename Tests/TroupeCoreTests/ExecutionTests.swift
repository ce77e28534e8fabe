import Testing
import TroupeCore
import TroupeTesting

@Suite("Workflow execution: keys, order and termination")
struct ExecutionTests {
    @Test func loopStopsAsSoonAsTheCriticApproves() async throws {
        let model = ScriptedModel(replies: [
            .text("draft 1"), .text("too long"), .text("draft 2"), .text("APPROVED"),
        ])
        let workflow = try Workflow("review", output: .lastMessageFrom("writer")) {
            Step(agent("writer"))
            Loop(max: 3, until: .mentions("APPROVED")) {
                Step(agent("critic"))
                Step(agent("writer"))
            }
        }
        let journal = InMemoryJournal()
        let result = try await run(workflow, model: model, journal: journal)
        try model.verifyAllRepliesUsed()
        #expect(result.output == "draft 2")
        #expect(await journal.effects(of: "run-1").map(\.key) == [
            "review/writer#1", "review/loop[1]/critic#1", "review/loop[1]/writer#1", "review/loop[2]/critic#1",
        ])
    }

    @Test func loopRunsAtMostMaxIterations() async throws {
        let workflow = try Workflow("w") {
            Loop(max: 3, until: .mentions("never")) { Step(agent("a")) }
        }
        let result = try await run(workflow, model: EchoModel())
        #expect(result.messages.filter { $0.sender == "a" }.count == 3)
    }

    @Test func parallelJoinsInDeclarationOrderWhateverFinishesFirst() async throws {
        let workflow = try Workflow("research") {
            Parallel {
                Step(agent("slow"))
                Step(agent("fast"))
            }
            Step(agent("summarizer"))
        }
        let model = EchoModel(delays: ["slow": .milliseconds(80)])
        let result = try await run(workflow, input: "q", model: model)
        #expect(result.messages.map(\.sender) == ["user", "slow", "fast", "summarizer"])
        // Each branch saw only the input, not its sibling.
        #expect(result.messages[1].content == "slow saw [q]")
        #expect(result.messages[2].content == "fast saw [q]")
        #expect(result.messages[3].content.hasPrefix("summarizer saw [fast: "))
    }

    @Test func branchTakesTheMatchingPath() async throws {
        let workflow = try Workflow("w") {
            Branch(if: { $0.text.contains("bill") }) {
                Step(agent("billing"))
            } otherwise: {
                Step(agent("tech"))
            }
        }
        let journal = InMemoryJournal()
        let billed = try await run(workflow, input: "my bill", model: EchoModel(), journal: journal, runID: "r1")
        let broken = try await run(workflow, input: "it crashes", model: EchoModel(), journal: journal, runID: "r2")
        #expect(billed.messages.last?.sender == "billing")
        #expect(broken.messages.last?.sender == "tech")
        #expect(await journal.effects(of: "r1").map(\.key) == ["w/branch/then/billing#1"])
        #expect(await journal.effects(of: "r2").map(\.key) == ["w/branch/else/tech#1"])
    }

    @Test func mapFansOutOverItemsAndJoinsInItemOrder() async throws {
        let workflow = try Workflow("w") {
            Map { Step(agent("worker")) }
        }
        let model = EchoModel()
        let result = try await run(workflow, input: "- apples\n- pears\n- plums", model: model)
        let outputs = result.messages.filter { $0.sender == "worker" }.map(\.content)
        #expect(outputs == ["worker saw [apples]", "worker saw [pears]", "worker saw [plums]"])
    }

    @Test func subworkflowOutputComesBackAsOneMessage() async throws {
        let inner = try Workflow("inner") {
            Step(agent("a"))
            Step(agent("b"))
        }
        let outer = try Workflow("outer") {
            Subworkflow(inner)
            Step(agent("c"))
        }
        let journal = InMemoryJournal()
        let result = try await run(outer, input: "x", model: EchoModel(), journal: journal)
        #expect(result.messages.map(\.sender) == ["user", "inner", "c"])
        #expect(await journal.effects(of: "run-1").map(\.stepKey) == ["outer/inner/a", "outer/inner/b", "outer/c"])
    }

    @Test func functionStepsRunOncePerIterationAndAreJournaled() async throws {
        let workflow = try Workflow("count") {
            Loop(max: 100, until: .when("five") { $0.last?.content == "5" }) {
                Step("inc") { input in String((Int(input.text) ?? 0) + 1) }
            }
        }
        let journal = InMemoryJournal()
        let result = try await run(workflow, input: "0", model: EchoModel(), journal: journal)
        #expect(result.output == "5")
        let effects = await journal.effects(of: "run-1")
        #expect(effects.map(\.kind) == Array(repeating: .compute, count: 5))
        #expect(effects.last?.key == "count/loop[5]/inc#1")
    }

    @Test func terminationsComposeWithAndAndOr() async throws {
        let counted = try Workflow("w") {
            Loop(max: 10, until: .maxMessages(4) && .mentions("saw")) { Step(agent("a")) }
        }
        #expect(try await run(counted, model: EchoModel()).messages.count == 5)

        let either = try Workflow("w") {
            Loop(max: 10, until: .maxMessages(7) || .tokenBudget(30)) { Step(agent("a")) }
        }
        // Every turn uses 15 tokens: the budget ends the loop after two turns.
        #expect(try await run(either, model: EchoModel()).messages.count == 3)
    }

    @Test func externalStopEndsTheLoopAndIsJournaled() async throws {
        let stop = StopSignal()
        let workflow = try Workflow("w") {
            Loop(max: 50, until: .externalStop(stop)) {
                Step("tick") { input in
                    let n = (Int(input.text) ?? 0) + 1
                    if n == 3 { stop.raise() }
                    return String(n)
                }
            }
        }
        let journal = InMemoryJournal()
        let result = try await run(workflow, input: "0", model: EchoModel(), journal: journal)
        #expect(result.output == "3")
        let signals = await journal.effects(of: "run-1").filter { $0.kind == .signal }
        #expect(signals.count == 3)
        #expect(signals.last?.result == "true")
    }

    @Test func streamingDeltasReachTheObserverWithTheAgentsName() async throws {
        let log = EventLog()
        let workflow = try Workflow("w") { Step(agent("poet")) }
        _ = try await run(workflow, model: ScriptedModel(replies: [.text("roses are red")]), observer: log.observer)
        let deltas = log.all.compactMap { event -> String? in
            if case .delta(let agent, _, let text) = event, agent == "poet" { return text }
            return nil
        }
        #expect(deltas.count == 3)
        #expect(deltas.joined() == "roses are red")
    }

    @Test func modelErrorsFailTheRunAndAreRecorded() async throws {
        let workflow = try Workflow("w") { Step(agent("a")) }
        let journal = InMemoryJournal()
        await #expect(throws: ScriptedFailure.self) {
            try await run(workflow, model: ScriptedModel(replies: [.failure(ScriptedFailure.unauthorized)]),
                          journal: journal)
        }
        let recorded = try await journal.load(runID: "run-1")
        #expect(recorded?.run.status == .failed)
        #expect(recorded?.run.error?.contains("401") == true)
        #expect(recorded?.effects.first?.status == .failed)
    }
}
