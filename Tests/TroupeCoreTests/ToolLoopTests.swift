import Synchronization
import Testing
import TroupeCore
import TroupeTesting

/// Adds two numbers and counts its calls.
struct Adder: Tool {
    struct Arguments: Codable, Sendable { var a: Int; var b: Int }
    let calls: Counter
    var needsApproval = false
    var delay: Duration = .zero
    let name = "add"
    let description = "Adds two integers."
    var parameters: JSONValue {
        ["type": "object", "properties": ["a": ["type": "integer"], "b": ["type": "integer"]], "required": ["a", "b"]]
    }
    var requiresApproval: Bool { needsApproval }
    var timeout: Duration { .milliseconds(500) }

    func call(arguments: Arguments) async throws -> Int {
        calls.increment()
        if delay > .zero { try await Task.sleep(for: delay) }
        if arguments.a < 0 { throw ToolError.failed(tool: name, reason: "negative numbers are not supported") }
        return arguments.a + arguments.b
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

@Suite("The agent's tool loop")
struct ToolLoopTests {
    static func call(_ id: String, _ a: Int, _ b: Int, name: String = "add") -> ToolCall {
        ToolCall(id: id, name: name, arguments: "{\"a\":\(a),\"b\":\(b)}")
    }

    static func workflow(_ tool: Adder) throws -> Workflow {
        try Workflow("w") { Step(Agent("math", instructions: "you are math", tools: [tool])) }
    }

    /// The tool results the model saw in its last request.
    static func toolResults(_ model: ScriptedModel) -> [String] {
        model.requests.last?.messages.filter { $0.role == .tool }.map(\.content) ?? []
    }

    @Test func parallelCallsRunAndTheirResultsGoBackToTheModelInCallOrder() async throws {
        let counter = Counter()
        let model = ScriptedModel(replies: [
            .toolCalls([Self.call("c1", 1, 2), Self.call("c2", 30, 40)]), .text("3 and 70"),
        ])
        let journal = InMemoryJournal()
        let result = try await run(Self.workflow(Adder(calls: counter, delay: .milliseconds(20))), model: model,
                                   journal: journal)
        try model.verifyAllRepliesUsed()
        #expect(result.output == "3 and 70")
        #expect(counter.count == 2)
        #expect(Self.toolResults(model) == ["3", "70"])
        #expect(model.requests.first?.tools.map(\.name) == ["add"])
        let effects = await journal.effects(of: "run-1")
        #expect(effects.map(\.key) == ["w/math#1", "w/math#2", "w/math#3", "w/math#4"])
        #expect(effects.map(\.kind) == [.model, .tool, .tool, .model])
        let spans = await journal.spans.values.filter { $0.kind == .toolCall }
        #expect(spans.count == 2)
        #expect(spans.allSatisfy { $0.attributes["gen_ai.operation.name"] == "execute_tool" })
    }

    @Test func errorsUnknownToolsAndBadArgumentsReachTheModelAsResults() async throws {
        let model = ScriptedModel(replies: [
            .toolCalls([
                Self.call("c1", -1, 2),
                Self.call("c2", 1, 1, name: "multiply"),
                ToolCall(id: "c3", name: "add", arguments: "{\"a\": \"one\"}"),
            ]),
            .text("sorry"),
        ])
        _ = try await run(Self.workflow(Adder(calls: Counter())), model: model)
        let results = Self.toolResults(model)
        #expect(results[0] == "error: 'add' failed: negative numbers are not supported")
        #expect(results[1] == "error: there is no tool named 'multiply'; available tools: add")
        #expect(results[2].hasPrefix("error: the arguments for 'add' do not match its schema"))
    }

    @Test func aHangingToolTimesOutAndTheModelIsTold() async throws {
        let model = ScriptedModel(replies: [.toolCalls([Self.call("c1", 1, 2)]), .text("it timed out")])
        _ = try await run(Self.workflow(Adder(calls: Counter(), delay: .seconds(30))), model: model)
        #expect(Self.toolResults(model).first?.contains("did not finish within") == true)
    }

    @Test func theLoopIsBounded() async throws {
        let model = ScriptedModel(replies: Array(repeating: .toolCalls([Self.call("c", 1, 1)]), count: 5))
        let tool = Adder(calls: Counter())
        let workflow = try Workflow("w") {
            Step(Agent("math", instructions: "you are math", tools: [tool], maxToolIterations: 4))
        }
        _ = try await run(workflow, model: model)
        try model.verifyAllRepliesUsed()
        #expect(tool.calls.count == 4)
    }

    @Test func resumeAndReplayNeverRunAToolTwice() async throws {
        let counter = Counter()
        let tool = Adder(calls: counter)
        let journal = InMemoryJournal()
        // The model fails after the tool ran: the run stops there.
        let first = ScriptedModel(replies: [.toolCalls([Self.call("c1", 2, 2)]), .failure(ScriptedFailure.serverError)])
        await #expect(throws: ScriptedFailure.self) { try await run(Self.workflow(tool), model: first, journal: journal) }
        #expect(counter.count == 1)

        let second = ScriptedModel(replies: [.text("four")])
        let resumed = try await WorkflowRunner(journal: journal, models: SingleModelProvider(second))
            .resume(Self.workflow(tool), runID: "run-1")
        #expect(resumed.output == "four")
        #expect(counter.count == 1)
        #expect(Self.toolResults(second) == ["4"])

        let recording = try #require(try await journal.load(runID: "run-1"))
        _ = try await WorkflowRunner(journal: InMemoryJournal(), models: NoModelProvider())
            .replay(Self.workflow(tool), recording: recording)
        #expect(counter.count == 1)
    }

    @Test func aCallNeedingApprovalPausesTheRunUntilDecided() async throws {
        let counter = Counter()
        let tool = Adder(calls: counter, needsApproval: true)
        let journal = InMemoryJournal()
        let model = ScriptedModel(replies: [.toolCalls([Self.call("c9", 5, 5)])])
        await #expect(throws: ApprovalRequired.self) { try await run(Self.workflow(tool), model: model, journal: journal) }
        let paused = try #require(try await journal.load(runID: "run-1"))
        #expect(paused.run.status == .waiting)
        #expect(paused.run.error?.contains("--approve c9") == true)
        #expect(counter.count == 0)

        // Resuming without a decision pauses again; the model is not asked again.
        let noDecision = ScriptedModel(replies: [])
        await #expect(throws: ApprovalRequired.self) {
            try await WorkflowRunner(journal: journal, models: SingleModelProvider(noDecision))
                .resume(Self.workflow(tool), runID: "run-1")
        }
        #expect(noDecision.requests.isEmpty)

        var runner = WorkflowRunner(journal: journal, models: SingleModelProvider(ScriptedModel(replies: [.text("ten")])))
        runner.approvals = ["c9": .approve]
        let approved = try await runner.resume(Self.workflow(tool), runID: "run-1")
        #expect(approved.output == "ten")
        #expect(counter.count == 1)
    }

    @Test func aRejectedCallTellsTheModelWhy() async throws {
        let counter = Counter()
        let tool = Adder(calls: counter, needsApproval: true)
        let model = ScriptedModel(replies: [.toolCalls([Self.call("c1", 1, 1)]), .text("ok, I won't")])
        var runner = WorkflowRunner(journal: InMemoryJournal(), models: SingleModelProvider(model))
        runner.approvals = ["c1": .reject(reason: "not today")]
        _ = try await runner.run(Self.workflow(tool), input: "add", runID: "r")
        #expect(counter.count == 0)
        #expect(Self.toolResults(model) == ["error: a person rejected this call of 'add': not today"])
    }
}
