import Synchronization

/// Walks a workflow's node tree for one run, keying every step by its path.
///
/// The conversation is passed along as a value: parallel branches and map items
/// work on copies and their messages are joined in declaration order, so a
/// resumed or replayed run builds the same conversation whatever finished first.
struct WorkflowExecutor: Sendable {
    let run: RunContext

    /// A termination condition being watched for a loop or a chat. Checks are
    /// incremental: each sees the messages new since the previous one, so a long
    /// loop does not pay for its whole history at every message.
    final class Watch: Sendable {
        let termination: Termination
        /// Where the loop's messages begin in the conversation.
        let start: Int
        let startTime: Double?
        let checks: StepContext
        /// The condition reads neither clock nor signal: it is checked without suspending.
        let makesNoEffects: Bool
        /// How many messages of the conversation have been checked, and the tokens
        /// they used. Atomics, not a `Mutex`: on Linux every lock of one asks the
        /// kernel for the thread id, a system call per step. A watch is checked by
        /// one task at a time (its loop or chat), after each message in turn.
        private let checked = Atomic<Int>(0)
        private let tokens = Atomic<Int>(0)

        init(termination: Termination, start: Int, startTime: Double?, checks: StepContext) {
            self.termination = termination
            self.start = start
            self.startTime = startTime
            self.checks = checks
            self.makesNoEffects = startTime == nil && termination.makesNoEffects
            checked.store(start, ordering: .relaxed)
        }

        func isSatisfied(_ transcript: [Message]) async throws -> Bool {
            if makesNoEffects, let satisfied = termination.isSatisfied(state(transcript, elapsed: nil)) {
                return satisfied
            }
            var elapsed: Double?
            if let startTime { elapsed = try await checks.now() - startTime }
            return try await termination.isSatisfied(state(transcript, elapsed: elapsed),
                                                     signal: { try await checks.check($0) })
        }

        /// ``isSatisfied(_:)`` for a condition that ``makesNoEffects``, without
        /// suspending; nil for one that reads the clock or a signal.
        func isSatisfiedNow(_ transcript: [Message]) -> Bool? {
            guard makesNoEffects else { return nil }
            return termination.isSatisfied(state(transcript, elapsed: nil))
        }

        /// What the condition sees now; moves the incremental progress on.
        private func state(_ transcript: [Message], elapsed: Double?) -> TerminationState {
            let from = min(checked.load(ordering: .relaxed), transcript.count)
            var added = 0
            // In place: iterating messages, or reading one through the array's
            // subscript, copies each whole message.
            transcript.withUnsafeBufferPointer { messages in
                for index in from..<messages.count { added += messages[index].usage.totalTokens }
            }
            checked.store(transcript.count, ordering: .relaxed)
            let tokens = self.tokens.add(added, ordering: .relaxed).newValue
            return TerminationState(
                messages: transcript[min(start, transcript.count)...], newMessages: transcript[from...],
                tokens: tokens, elapsed: elapsed)
        }
    }

    /// Runs `nodes` in order; returns true when `watch` ended them early.
    @discardableResult
    func execute(_ nodes: [Node], path: String, transcript: inout [Message], parentSpan: String,
                 watch: Watch? = nil) async throws -> Bool {
        try Task.checkCancellation()
        var pathHash: UInt64?
        for node in nodes {
            if case .sequence(nil, let children) = node {
                if try await execute(children, path: path, transcript: &transcript,
                                     parentSpan: parentSpan, watch: watch) { return true }
                continue
            }
            // A step served from the recording runs nothing that could be cancelled;
            // everything else checks first (and every call checks once, above).
            if !serveFromRecording(node, path: path, pathHash: &pathHash, transcript: &transcript) {
                try Task.checkCancellation()
                try await execute(node, path: path, transcript: &transcript, parentSpan: parentSpan)
            }
            if let watch {
                if let satisfied = watch.isSatisfiedNow(transcript) {
                    if satisfied { return true }
                } else if try await watch.isSatisfied(transcript) {
                    return true
                }
            }
        }
        return false
    }

    func execute(_ node: Node, path: String, transcript: inout [Message], parentSpan: String) async throws {
        let nodePath = node.key.map { StepPath.child($0, of: path) } ?? path
        switch node {
        case .agent(_, let agent):
            let message = try await turn(of: agent, key: nodePath, transcript: transcript,
                                         parentSpan: parentSpan, handoffs: [])
            transcript.append(message)

        case .function(_, let body):
            let step = run.step(nodePath, parentSpan: parentSpan)
            let start = RunContext.wallClock()
            let output = try await runFunction(body, step: step, transcript: transcript)
            let message = Message(id: nodePath, sender: node.key ?? "step", content: output, spanID: step.spanID)
            if !run.discards {
                // The message, the step record, the span and its link in one append.
                var entries = [run.messageEntry(message, step: nodePath), stepEntry(step, start: start, output: output)]
                entries.reserveCapacity(4)
                run.add(spanRecord(step.spanID, parent: parentSpan, name: nodePath, start: start),
                        links: transcript.last?.spanID.map { [$0] } ?? [], live: step.didRunLive, to: &entries)
                await run.journal.append(entries)
            }
            run.emit(.stepFinished(step: nodePath, output: output, served: !step.didRunLive))
            transcript.append(message)

        case .sequence(_, let children):
            try await container(nodePath, parentSpan) { spanID in
                try await execute(children, path: nodePath, transcript: &transcript, parentSpan: spanID)
            }

        case .parallel(_, let children):
            try await container(nodePath, parentSpan) { spanID in
                let branches = children.map { [$0] }
                transcript += try await fanOut(branches, base: transcript, path: { _ in nodePath }, parentSpan: spanID)
            }

        case .branch(_, let condition, let then, let otherwise):
            try await container(nodePath, parentSpan) { spanID in
                let chosen = condition(StepInput(key: nodePath, messages: transcript, context: nil))
                try await execute(chosen ? then : otherwise, path: StepPath.child(chosen ? "then" : "else", of: nodePath),
                                  transcript: &transcript, parentSpan: spanID)
            }

        case .loop(_, let max, let until, let body):
            try await container(nodePath, parentSpan) { spanID in
                let watch = try await makeWatch(until, key: StepPath.child("until", of: nodePath), start: transcript.count, parentSpan: spanID)
                for iteration in 1...max {
                    if try await execute(body, path: StepPath.numbered(iteration, of: nodePath), transcript: &transcript,
                                         parentSpan: spanID, watch: watch) { break }
                }
            }

        case .map(_, let items, let body):
            try await container(nodePath, parentSpan) { spanID in
                let list = items(StepInput(key: nodePath, messages: transcript, context: nil))
                var branches: [[Node]] = []
                var seeds: [Message] = []
                for (index, item) in list.enumerated() {
                    branches.append(body)
                    seeds.append(Message(id: StepPath.numbered(index + 1, of: nodePath), sender: "user", role: .user,
                                         content: item, spanID: spanID))
                }
                transcript += try await fanOut(branches, base: transcript, seeds: seeds,
                                               path: { StepPath.numbered($0 + 1, of: nodePath) }, parentSpan: spanID)
            }

        case .subworkflow(_, let workflow):
            try await container(nodePath, parentSpan) { spanID in
                var inner = [Message(id: StepPath.child("input", of: nodePath), sender: "user", role: .user,
                                     content: transcript.last?.content ?? "", spanID: transcript.last?.spanID)]
                try await execute(workflow.nodes, path: nodePath, transcript: &inner, parentSpan: spanID)
                let result = workflow.output.select(from: inner)
                let output = Message(id: StepPath.child("output", of: nodePath), sender: workflow.name,
                                     content: result?.content ?? "", spanID: result?.spanID)
                await run.record(output, step: nodePath)
                transcript.append(output)
            }

        case .groupChat(let chat):
            try await container(nodePath, parentSpan) { spanID in
                try await converse(chat, path: nodePath, transcript: &transcript, parentSpan: spanID)
            }

        case .humanInput(_, let prompt):
            let step = run.step(nodePath, parentSpan: parentSpan)
            let start = RunContext.wallClock()
            let answer = try await step.ask(prompt)
            let message = Message(id: nodePath, sender: "user", role: .user, content: answer, spanID: step.spanID)
            await run.record(message, step: nodePath)
            await finish(step, start: start, output: answer)
            await span(step.spanID, parent: parentSpan, name: nodePath, kind: .humanInput, start: start,
                       live: step.didRunLive)
            transcript.append(message)
        }
    }

    // MARK: Pieces

    /// One agent's turn as a step of the run, delivered through the runtime.
    func turn(of agent: Agent, key: String, transcript: [Message], parentSpan: String,
              handoffs: [String]) async throws -> Message {
        let step = run.step(key, parentSpan: parentSpan)
        let start = RunContext.wallClock()
        let id = run.host(agent)
        let message = try await run.runtime.send(
            AgentTurn(step: step, transcript: transcript, handoffs: handoffs), to: id, as: Message.self)
        await run.record(message, step: key)
        await finish(step, start: start, output: message.content)
        await span(step.spanID, parent: parentSpan, name: key, start: start, live: step.didRunLive)
        return message
    }

    /// Runs branches at once, each on a copy of the conversation (plus its seed
    /// message, for map items); returns their new messages in branch order.
    private func fanOut(_ branches: [[Node]], base: [Message], seeds: [Message] = [],
                        path: @escaping @Sendable (Int) -> String, parentSpan: String) async throws -> [Message] {
        try await withThrowingTaskGroup(of: (Int, [Message]).self) { group in
            for (index, nodes) in branches.enumerated() {
                let seed = index < seeds.count ? seeds[index] : nil
                group.addTask {
                    var branch = base
                    if let seed {
                        branch.append(seed)
                        await run.record(seed, step: path(index))
                    }
                    let from = branch.count
                    try await execute(nodes, path: path(index), transcript: &branch, parentSpan: parentSpan)
                    return (index, Array(branch[from...]))
                }
            }
            var results = [[Message]](repeating: [], count: branches.count)
            for try await (index, messages) in group { results[index] = messages }
            return results.flatMap { $0 }
        }
    }

    /// Runs a function step's body as a compute effect. A function of its own so the
    /// conversation it sees is released before the caller appends to it.
    private func runFunction(_ body: @Sendable (StepInput) async throws -> String, step: StepContext,
                             transcript: [Message]) async throws -> String {
        // `{"input": …}` in canonical JSON, built directly: the same bytes
        // `Canonical.json` gives that dictionary, without the dynamic cast.
        let last = transcript.lastContent
        let request = Canonical.object("input", last)
        return try await step.perform(.compute, requestJSON: request) { _ in
            try await body(StepInput(key: step.key, messages: transcript, context: step))
        }
    }

    /// Queues the step's record; it rides along with the next commit.
    private func finish(_ step: StepContext, start: Double, output: String) async {
        guard !run.discards else { return }
        await run.journal.append([stepEntry(step, start: start, output: output)])
    }

    private func stepEntry(_ step: StepContext, start: Double, output: String) -> JournalEntry {
        .step(StepRecord(runID: run.runID, key: step.key, status: .completed, startedAt: start,
                         finishedAt: RunContext.wallClock(), output: output))
    }

    func makeWatch(_ termination: Termination?, key: String, start: Int, parentSpan: String) async throws -> Watch? {
        guard let termination else { return nil }
        let checks = run.step(key, parentSpan: parentSpan)
        let startTime = termination.needsClock ? try await checks.now() : nil
        return Watch(termination: termination, start: start, startTime: startTime, checks: checks)
    }

    /// Runs `body` under a span of kind step named after the node's path.
    private func container(_ path: String, _ parentSpan: String,
                           _ body: (String) async throws -> Void) async throws {
        let spanID = run.spanID(for: path)
        let start = RunContext.wallClock()
        let liveBefore = run.liveEffects
        var failure: (any Error)?
        do { try await body(spanID) } catch { failure = error }
        await span(spanID, parent: parentSpan, name: path, start: start,
                   live: run.liveEffects != liveBefore, error: failure)
        if let failure { throw failure }
    }

    func span(_ id: String, parent: String, name: String, kind: SpanKind = .step, start: Double,
              live: Bool, links: [String] = [], error: (any Error)? = nil) async {
        guard !run.discards else { return }
        await run.record(spanRecord(id, parent: parent, name: name, kind: kind, start: start, error: error),
                         links: links, live: live)
    }

    private func spanRecord(_ id: String, parent: String, name: String, kind: SpanKind = .step, start: Double,
                            error: (any Error)? = nil) -> SpanRecord {
        SpanRecord(runID: run.runID, spanID: id, parentID: parent, name: name, kind: kind,
                   startTime: start, endTime: RunContext.wallClock(),
                   status: error.map { .error(String(describing: $0)) } ?? .ok,
                   attributes: ["troupe.step.key": .string(name)])
    }
}
