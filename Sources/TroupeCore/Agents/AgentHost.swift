import Foundation

/// An agent hosted in the runtime for one run: it takes turns in the conversation,
/// one at a time.
actor AgentHost: RuntimeAgent {
    let agent: Agent

    init(agent: Agent) { self.agent = agent }

    func handle(_ message: any Sendable, context: MessageContext) async throws -> (any Sendable)? {
        guard let turn = message as? AgentTurn else {
            throw RuntimeError.unexpectedReply(context.recipient, expected: "AgentTurn",
                                               got: String(describing: type(of: message)))
        }
        return try await turn.take(by: agent)
    }
}

/// A request to an agent to take its turn in a conversation.
struct AgentTurn: Sendable {
    let step: StepContext
    let transcript: [Message]
    /// Handoff targets this turn may use (group chats); empty elsewhere.
    let handoffs: [String]

    /// Asks the agent's model and returns the agent's message.
    func take(by agent: Agent) async throws -> Message {
        let run = step.run
        let turnPath = step.key + "/turn"
        let turnSpan = run.spanID(for: turnPath)
        let start = RunContext.wallClock()
        run.emit(.turnStarted(agent: agent.name, step: step.key))

        let (response, usage) = try await converse(as: agent, turnSpan: turnSpan)
        let text = response.text.trimmingWhitespace()
        let message = Message(
            id: step.key, sender: agent.name, role: .assistant, content: text, spanID: turnSpan,
            usage: usage, handoff: Self.handoff(in: response, allowed: handoffs))

        // The turn was caused by the messages delivered since the agent last spoke.
        let lastOwn = transcript.lastIndex { $0.sender == agent.name } ?? -1
        let causes = transcript[(lastOwn + 1)...].compactMap(\.spanID)
        var attributes: [String: JSONValue] = [
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": .string(agent.name),
            "gen_ai.usage.input_tokens": .number(Double(usage.inputTokens)),
            "gen_ai.usage.output_tokens": .number(Double(usage.outputTokens)),
            "troupe.step.key": .string(step.key),
            "troupe.message.preview": .string(String(text.prefix(120))),
        ]
        if let target = message.handoff { attributes["troupe.handoff"] = .string(target) }
        await run.record(
            SpanRecord(runID: run.runID, spanID: turnSpan, parentID: step.spanID,
                       name: "invoke_agent \(agent.name)", kind: .agentTurn, startTime: start,
                       endTime: RunContext.wallClock(), attributes: attributes),
            links: causes, live: step.didRunLive)
        run.emit(.turnFinished(agent: agent.name, step: step.key, message: message, served: !step.didRunLive))
        return message
    }

    /// Asks the model, runs the tools it calls (at once, each journaled), gives it
    /// their results and asks again, until it answers without calling a tool or
    /// `maxToolIterations` rounds have passed.
    private func converse(as agent: Agent, turnSpan: String) async throws -> (ChatResponse, TokenUsage) {
        var messages = agent.conversation(of: transcript, handoffs: handoffs)
        let specs = agent.tools.map(\.spec) + handoffs.map { target in
            ToolSpec(name: "transfer_to_\(target)", description: "Hand the conversation to \(target).")
        }
        let byName = Dictionary(agent.tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var usage = TokenUsage()
        var round = 0
        while true {
            let request = ChatRequest(messages: messages, tools: specs, sampling: agent.sampling)
            let response = try await step.complete(request, model: agent.model, agent: agent.name,
                                                   parentSpan: turnSpan)
            usage += response.usage
            let calls = response.toolCalls.filter { !$0.name.hasPrefix("transfer_to_") }
            guard !calls.isEmpty, !agent.tools.isEmpty, round < agent.maxToolIterations else {
                return (response, usage)
            }
            round += 1
            messages.append(ChatMessage(role: .assistant, content: response.text, name: agent.name, toolCalls: calls))
            let results = try await runTools(calls, tools: byName, turnSpan: turnSpan)
            for (call, result) in zip(calls, results) {
                messages.append(ChatMessage(role: .tool, content: result, name: call.name, toolCallID: call.id))
            }
        }
    }

    /// Runs the calls concurrently; effect numbers are reserved in call order first,
    /// so journal keys do not depend on which call finishes first.
    private func runTools(_ calls: [ToolCall], tools: [String: AnyTool], turnSpan: String) async throws -> [String] {
        let available = tools.keys.sorted()
        let plans = calls.map { call -> (ToolCall, AnyTool?, Int?, Int) in
            let tool = tools[call.name]
            let approval = tool?.requiresApproval == true ? step.reserveSequence() : nil
            return (call, tool, approval, step.reserveSequence())
        }
        return try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, plan) in plans.enumerated() {
                group.addTask { [step] in
                    let result = try await step.invoke(plan.0, tool: plan.1, available: available,
                                                       approvalSeq: plan.2, toolSeq: plan.3, parentSpan: turnSpan)
                    return (index, result)
                }
            }
            var results = [String](repeating: "", count: plans.count)
            for try await (index, result) in group { results[index] = result }
            return results
        }
    }

    /// The member a response hands off to: a `transfer_to_NAME` tool call or a
    /// `HANDOFF: NAME` line naming an allowed target.
    static func handoff(in response: ChatResponse, allowed: [String]) -> String? {
        guard !allowed.isEmpty else { return nil }
        for call in response.toolCalls where call.name.hasPrefix("transfer_to_") {
            let target = String(call.name.dropFirst("transfer_to_".count))
            if allowed.contains(target) { return target }
        }
        for line in response.text.split(separator: "\n").reversed() {
            let trimmed = line.trimmingWhitespace()
            guard trimmed.uppercased().hasPrefix("HANDOFF:") else { continue }
            let target = trimmed.dropFirst("HANDOFF:".count).trimmingWhitespace()
            if let match = allowed.first(where: { $0.caseInsensitiveCompare(target) == .orderedSame }) {
                return match
            }
        }
        return nil
    }
}
