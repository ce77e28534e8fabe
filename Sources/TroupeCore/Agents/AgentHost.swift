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

        let request = ChatRequest(
            messages: Self.conversation(for: agent, transcript: transcript, handoffs: handoffs),
            tools: handoffs.map { target in
                ToolSpec(name: "transfer_to_\(target)", description: "Hand the conversation to \(target).")
            },
            sampling: agent.sampling)
        let response = try await step.complete(request, model: agent.model, agent: agent.name,
                                               parentSpan: turnSpan)
        let text = response.text.trimmingWhitespace()
        let message = Message(
            id: step.key, sender: agent.name, role: .assistant, content: text, spanID: turnSpan,
            usage: response.usage, handoff: Self.handoff(in: response, allowed: handoffs))

        // The turn was caused by the messages delivered since the agent last spoke.
        let lastOwn = transcript.lastIndex { $0.sender == agent.name } ?? -1
        let causes = transcript[(lastOwn + 1)...].compactMap(\.spanID)
        var attributes: [String: JSONValue] = [
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": .string(agent.name),
            "gen_ai.usage.input_tokens": .number(Double(response.usage.inputTokens)),
            "gen_ai.usage.output_tokens": .number(Double(response.usage.outputTokens)),
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

    /// The conversation as this agent sees it: its instructions, its own messages as
    /// the assistant's, everyone else's as user messages signed with their name.
    static func conversation(for agent: Agent, transcript: [Message], handoffs: [String]) -> [ChatMessage] {
        var system = agent.instructions
        if !handoffs.isEmpty {
            system += "\nTo hand the conversation to someone else, end with a line 'HANDOFF: <name>' where <name> is one of: \(handoffs.joined(separator: ", "))."
        }
        var messages: [ChatMessage] = [.system(system)]
        for message in transcript {
            if message.sender == agent.name {
                messages.append(.assistant(message.content, name: agent.name))
            } else if message.role == .user && message.sender == "user" {
                messages.append(.user(message.content))
            } else {
                messages.append(.user("\(message.sender): \(message.content)", name: message.sender))
            }
        }
        return messages
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
