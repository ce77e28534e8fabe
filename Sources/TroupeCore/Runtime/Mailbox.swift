import Synchronization

/// One agent's queue: FIFO delivery, one message in its handler at a time.
///
/// Nothing polls: an idle mailbox costs nothing. A message to an idle mailbox is run
/// by whoever can run it soonest: a `send` runs the handler in the sender's own task
/// (no task, no continuation); a `publish` from inside another handler is handed to
/// that handler's drain loop, which runs it as soon as the current handler returns
/// (a trampoline: a ring of agents runs in one task, hop after hop); otherwise a task
/// is started to drain it.
final class Mailbox: Sendable {
    enum Job: Sendable {
        case deliver(any Sendable, sender: AgentID?, topic: String?)
        case request(any Sendable, sender: AgentID?,
                     reply: CheckedContinuation<(any Sendable)?, any Error>)
    }

    private struct State {
        var queue: [Job] = []
        var head = 0
        var running = false
        var removed = false

        mutating func pop() -> Job? {
            guard head < queue.count else {
                if head > 0 { queue.removeAll(keepingCapacity: true); head = 0 }
                return nil
            }
            let job = queue[head]
            head += 1
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    let id: AgentID
    let agent: any RuntimeAgent
    private let state = Mutex(State())

    init(id: AgentID, agent: any RuntimeAgent) {
        self.id = id
        self.agent = agent
    }

    /// Messages queued and not yet handled.
    var pendingCount: Int { state.withLock { $0.queue.count - $0.head } }

    /// Claims the mailbox if it is idle and empty: the caller may then run a handler inline.
    func tryClaimIdle() -> Bool {
        state.withLock { state in
            guard !state.running, state.head == state.queue.count, !state.removed else { return false }
            state.running = true
            return true
        }
    }

    /// Queues a job. Returns true when the mailbox was idle: the caller must then
    /// arrange for ``drain(runtime:)`` to run.
    func enqueue(_ job: Job) -> Bool {
        let result: (start: Bool, rejected: Job?) = state.withLock { state in
            if state.removed { return (false, job) }
            state.queue.append(job)
            if state.running { return (false, nil) }
            state.running = true
            return (true, nil)
        }
        if case .request(_, _, let reply)? = result.rejected {
            reply.resume(throwing: RuntimeError.agentRemoved(id))
        }
        return result.start
    }

    /// Runs queued jobs until the mailbox is empty, then marks it idle.
    func drain(runtime: AgentRuntime) async {
        while let job = nextOrIdle() {
            await run(job, runtime: runtime)
        }
    }

    /// Runs one job's handler; the caller holds the running claim.
    func run(_ job: Job, runtime: AgentRuntime) async {
        switch job {
        case .deliver(let message, let sender, let topic):
            let context = MessageContext(runtime: runtime, recipient: id, sender: sender, topic: topic)
            _ = try? await agent.handle(message, context: context)
        case .request(let message, let sender, let reply):
            let context = MessageContext(runtime: runtime, recipient: id, sender: sender, topic: nil)
            do {
                reply.resume(returning: try await agent.handle(message, context: context))
            } catch {
                reply.resume(throwing: error)
            }
        }
    }

    /// The next queued job, or nil after marking the mailbox idle.
    func nextOrIdle() -> Job? {
        state.withLock { state in
            if let job = state.pop() { return job }
            state.running = false
            return nil
        }
    }

    /// Marks the mailbox removed and fails everything still waiting in it.
    func remove() {
        let pending: [Job] = state.withLock { state in
            state.removed = true
            let rest = Array(state.queue[state.head...])
            state.queue.removeAll()
            state.head = 0
            return rest
        }
        for case .request(_, _, let reply) in pending {
            reply.resume(throwing: RuntimeError.agentRemoved(id))
        }
    }
}
