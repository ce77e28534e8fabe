import Synchronization
import Testing
import TroupeCore

/// Records what it handled; optionally suspends inside the handler and forwards
/// published messages to the next topic.
actor Recorder: RuntimeAgent {
    private(set) var handled: [Int] = []
    private var inside = 0
    private(set) var maxInside = 0
    let pause: Duration
    let forwardTo: String?
    let done: (@Sendable (Int) -> Void)?

    init(pause: Duration = .zero, forwardTo: String? = nil, done: (@Sendable (Int) -> Void)? = nil) {
        self.pause = pause
        self.forwardTo = forwardTo
        self.done = done
    }

    func handle(_ message: any Sendable, context: MessageContext) async throws -> (any Sendable)? {
        guard let value = message as? Int else { return nil }
        inside += 1
        maxInside = max(maxInside, inside)
        if pause > .zero { try await Task.sleep(for: pause) }
        handled.append(value)
        inside -= 1
        if let forwardTo, value > 0 {
            context.runtime.publish(value - 1, to: forwardTo, from: context.recipient)
        } else if value == 0 {
            done?(value)
        }
        return value * 2
    }
}

@Suite("AgentRuntime: send, publish, ordering, release")
struct AgentRuntimeTests {
    @Test func sendReturnsTheReply() async throws {
        let runtime = AgentRuntime()
        try runtime.register(Recorder(), as: AgentID("r"))
        let reply: Int = try await runtime.send(21, to: AgentID("r"))
        #expect(reply == 42)
    }

    @Test func sendToAnUnknownAgentSaysSo() async throws {
        let runtime = AgentRuntime()
        await #expect {
            _ = try await runtime.send(1, to: AgentID("ghost"))
        } throws: { String(describing: $0).contains("no agent 'ghost/default'") }
    }

    @Test func registeringTwiceIsAnError() throws {
        let runtime = AgentRuntime()
        try runtime.register(Recorder(), as: AgentID("r"))
        #expect(throws: RuntimeError.self) { try runtime.register(Recorder(), as: AgentID("r")) }
    }

    @Test func oneMessageAtATimeInArrivalOrderEvenWhenHandlersSuspend() async throws {
        let runtime = AgentRuntime()
        let recorder = Recorder(pause: .milliseconds(1))
        try runtime.register(recorder, as: AgentID("r"))
        // A single sender posting in order must be handled in order, never two at once.
        for value in 1...50 { try runtime.post(value, to: AgentID("r")) }
        let last: Int = try await runtime.send(51, to: AgentID("r"))
        #expect(last == 102)
        #expect(await recorder.handled == Array(1...51))
        #expect(await recorder.maxInside == 1)
    }

    @Test func concurrentSendersNeverOverlapInsideOneAgent() async throws {
        let runtime = AgentRuntime()
        let recorder = Recorder(pause: .microseconds(200))
        try runtime.register(recorder, as: AgentID("r"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for value in 0..<40 {
                group.addTask { _ = try await runtime.send(value, to: AgentID("r")) }
            }
            try await group.waitForAll()
        }
        #expect(await recorder.maxInside == 1)
        #expect(await recorder.handled.sorted() == Array(0..<40))
    }

    @Test func publishReachesEverySubscriber() async throws {
        let runtime = AgentRuntime()
        let a = Recorder(), b = Recorder(), c = Recorder()
        try runtime.register(a, as: AgentID("a"))
        try runtime.register(b, as: AgentID("b"))
        try runtime.register(c, as: AgentID("c"))
        runtime.subscribe(AgentID("a"), to: "news")
        runtime.subscribe(AgentID("b"), to: "news")
        runtime.publish(7, to: "news")
        // A send queues behind the publish, so once it returns the publish was handled.
        _ = try await runtime.send(-1, to: AgentID("a"))
        _ = try await runtime.send(-1, to: AgentID("b"))
        #expect(await a.handled == [7, -1])
        #expect(await b.handled == [7, -1])
        #expect(await c.handled.isEmpty)
    }

    @Test func aRingOfPublishesCompletesEveryHop() async throws {
        let runtime = AgentRuntime()
        let finished = AsyncStream<Int>.makeStream()
        var agents: [Recorder] = []
        for index in 0..<4 {
            let agent = Recorder(forwardTo: "t\((index + 1) % 4)", done: { finished.continuation.yield($0) })
            agents.append(agent)
            try runtime.register(agent, as: AgentID("ring", key: "\(index)"))
            runtime.subscribe(AgentID("ring", key: "\(index)"), to: "t\(index)")
        }
        runtime.publish(2_000, to: "t0")
        var iterator = finished.stream.makeAsyncIterator()
        #expect(await iterator.next() == 0)
        var total = 0
        for agent in agents { total += await agent.handled.count }
        #expect(total == 2_001)
    }

    @Test func unregisteringFailsMessagesStillWaiting() async throws {
        let runtime = AgentRuntime()
        let id = AgentID("slow")
        let entered = Gate(), release = Gate()
        try runtime.register(GatedAgent(entered: entered, release: release), as: id)
        let first = Task { () async throws -> Int in try await runtime.send(1, to: id) }
        await entered.wait()
        let second = Task { () async throws -> Int in try await runtime.send(2, to: id) }
        // The second message is queued behind the first, which is still being handled.
        let deadline = ContinuousClock.now + .seconds(30)
        while runtime.pendingMessages(for: id) < 1, ContinuousClock.now < deadline { await Task.yield() }
        #expect(runtime.pendingMessages(for: id) == 1)
        runtime.unregister(id)
        release.open()
        #expect(try await first.value == 2)
        await #expect(throws: RuntimeError.self) { _ = try await second.value }
        #expect(runtime.agentCount == 0)
        #expect(runtime.pendingMessages(for: id) == 0)
    }

    @Test func agentsOfFinishedRunsAreReleased() async throws {
        let runtime = AgentRuntime()
        let workflow = try Workflow("w") {
            Step(agent("a"))
            Parallel {
                Step(agent("b"))
                Step(agent("c"))
            }
        }
        let journal = InMemoryJournal()
        for index in 0..<10_000 {
            _ = try await WorkflowRunner(journal: journal, models: SingleModelProvider(EchoModel()), runtime: runtime)
                .run(workflow, input: "x", runID: "run-\(index)")
            if index == 0 { #expect(runtime.agentCount == 0) }
        }
        #expect(runtime.agentCount == 0)
    }
}

/// Opens once; everyone waiting (or arriving later) goes through.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Says it has started handling, then waits to be released.
actor GatedAgent: RuntimeAgent {
    let entered: Gate
    let release: Gate
    init(entered: Gate, release: Gate) {
        self.entered = entered
        self.release = release
    }
    func handle(_ message: any Sendable, context: MessageContext) async throws -> (any Sendable)? {
        entered.open()
        await release.wait()
        return (message as? Int ?? 0) * 2
    }
}
