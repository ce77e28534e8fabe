import Synchronization

/// Hosts agents and carries messages between them: direct send (request and
/// reply) and publish/subscribe on topics.
///
/// ```swift
/// let runtime = AgentRuntime()
/// try runtime.register(Counter(), as: AgentID("counter"))
/// let total: Int = try await runtime.send(5, to: AgentID("counter"))
/// runtime.subscribe(AgentID("counter"), to: "numbers")
/// runtime.publish(7, to: "numbers")   // fire and forget
/// ```
///
/// Each agent handles one message at a time, in the order they reached it. An idle
/// runtime runs nothing: there is no polling loop. Agents are held until
/// ``unregister(_:)``; a workflow run unregisters its agents when it ends.
/// Safe to use from any task.
public final class AgentRuntime: Sendable {
    private struct Registry {
        var mailboxes: [AgentID: Mailbox] = [:]
        var subscribers: [String: [AgentID]] = [:]
    }

    private let registry = Mutex(Registry())

    public init() {}

    /// The number of agents currently hosted.
    public var agentCount: Int { registry.withLock { $0.mailboxes.count } }

    /// How many messages wait in the agent's mailbox (not counting the one it is
    /// handling); 0 for an unknown agent. For monitoring and back-pressure.
    public func pendingMessages(for id: AgentID) -> Int {
        registry.withLock { $0.mailboxes[id] }?.pendingCount ?? 0
    }

    /// Hosts `agent` under `id`.
    /// - Throws: ``RuntimeError/duplicateAgent(_:)`` when the id is taken.
    public func register(_ agent: any RuntimeAgent, as id: AgentID) throws {
        try registry.withLock { registry in
            guard registry.mailboxes[id] == nil else { throw RuntimeError.duplicateAgent(id) }
            registry.mailboxes[id] = Mailbox(id: id, agent: agent)
        }
    }

    /// Hosts the agent `make()` builds, unless one is already registered under `id`.
    public func registerIfAbsent(_ id: AgentID, _ make: () -> any RuntimeAgent) {
        registry.withLock { registry in
            if registry.mailboxes[id] == nil {
                registry.mailboxes[id] = Mailbox(id: id, agent: make())
            }
        }
    }

    /// Stops hosting the agents; messages still queued to them fail with
    /// ``RuntimeError/agentRemoved(_:)``.
    public func unregister(_ ids: [AgentID]) {
        let removed: [Mailbox] = registry.withLock { registry in
            let boxes = ids.compactMap { registry.mailboxes.removeValue(forKey: $0) }
            let gone = Set(ids)
            for (topic, subs) in registry.subscribers {
                let kept = subs.filter { !gone.contains($0) }
                registry.subscribers[topic] = kept.isEmpty ? nil : kept
            }
            return boxes
        }
        for box in removed { box.remove() }
    }

    /// Stops hosting one agent.
    public func unregister(_ id: AgentID) { unregister([id]) }

    /// Delivers future messages published on `topic` to `agent`.
    public func subscribe(_ agent: AgentID, to topic: String) {
        registry.withLock { registry in
            registry.subscribers[topic, default: []].append(agent)
        }
    }

    // MARK: Sending

    /// Sends `message` to one agent and waits for its reply.
    ///
    /// When the agent is idle its handler runs right away in the caller's task;
    /// otherwise the message waits its turn behind the ones queued before it.
    public func send(_ message: any Sendable, to id: AgentID, from sender: AgentID? = nil)
        async throws -> (any Sendable)?
    {
        let box = try mailbox(id)
        if box.tryClaimIdle() {
            let context = MessageContext(runtime: self, recipient: id, sender: sender, topic: nil)
            let result: Result<(any Sendable)?, any Error>
            do {
                result = .success(try await box.agent.handle(message, context: context))
            } catch {
                result = .failure(error)
            }
            // Messages that arrived while we ran go to a drain task of their own, so
            // the sender gets its reply without waiting for them.
            if let next = box.nextOrIdle() {
                Task { [self] in
                    await box.run(next, runtime: self)
                    await drainWithHandoffs(box)
                }
            }
            return try result.get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            if box.enqueue(.request(message, sender: sender, reply: continuation)) {
                schedule(box)
            }
        }
    }

    /// Sends `message` and casts the reply to `Reply`.
    public func send<Reply: Sendable>(_ message: any Sendable, to id: AgentID,
                                      from sender: AgentID? = nil,
                                      as: Reply.Type = Reply.self) async throws -> Reply {
        let reply = try await send(message, to: id, from: sender)
        guard let typed = reply as? Reply else {
            throw RuntimeError.unexpectedReply(
                id, expected: String(describing: Reply.self),
                got: reply.map { String(describing: type(of: $0)) } ?? "nothing")
        }
        return typed
    }

    /// Publishes `message` to every subscriber of `topic` without waiting for them.
    public func publish(_ message: any Sendable, to topic: String, from sender: AgentID? = nil) {
        let boxes: [Mailbox] = registry.withLock { registry in
            (registry.subscribers[topic] ?? []).compactMap { registry.mailboxes[$0] }
        }
        for box in boxes where box.enqueue(.deliver(message, sender: sender, topic: topic)) {
            schedule(box)
        }
    }

    /// Delivers `message` to one agent without waiting for it to be handled.
    public func post(_ message: any Sendable, to id: AgentID, from sender: AgentID? = nil) throws {
        let box = try mailbox(id)
        if box.enqueue(.deliver(message, sender: sender, topic: nil)) { schedule(box) }
    }

    // MARK: Scheduling

    private func mailbox(_ id: AgentID) throws -> Mailbox {
        guard let box = registry.withLock({ $0.mailboxes[id] }) else {
            throw RuntimeError.unknownAgent(id)
        }
        return box
    }

    /// Arranges for a freshly claimed mailbox to be drained: by the current drain
    /// loop when called from inside a handler (no new task), else by a new task.
    private func schedule(_ box: Mailbox) {
        if let loop = DrainLoop.current, loop.offer(box) { return }
        Task { [self] in await drainWithHandoffs(box) }
    }

    /// Drains `box`, then any mailbox handed to this loop while doing so.
    private func drainWithHandoffs(_ box: Mailbox) async {
        let loop = DrainLoop()
        await DrainLoop.$current.withValue(loop) {
            var next: Mailbox? = box
            while let current = next {
                await current.drain(runtime: self)
                next = loop.take()
            }
        }
    }
}
