extension WorkflowExecutor {
    /// Runs a group chat: picks a speaker, lets it take its turn, checks the
    /// termination condition, and so on until it holds or `maxTurns` is reached.
    func converse(_ chat: GroupChat, path: String, transcript: inout [Message], parentSpan: String) async throws {
        let watch = try await makeWatch(chat.until, key: StepPath.child("until", of: path), start: transcript.count,
                                        parentSpan: parentSpan)
        let names = chat.members.map(\.name)
        var speaker: Agent?
        for turn in 1...chat.maxTurns {
            let next = try await nextSpeaker(chat, after: speaker, turn: turn, transcript: transcript,
                                             path: path, parentSpan: parentSpan)
            speaker = next
            let message = try await self.turn(
                of: next, key: StepPath.numbered(turn, of: StepPath.child("turn", of: path)), transcript: transcript, parentSpan: parentSpan,
                handoffs: next.handoffs.filter { names.contains($0) })
            transcript.append(message)
            if let watch, try await watch.isSatisfied(transcript) { return }
        }
    }

    private func nextSpeaker(_ chat: GroupChat, after previous: Agent?, turn: Int, transcript: [Message],
                             path: String, parentSpan: String) async throws -> Agent {
        let members = chat.members
        if let previous, let target = transcript.last?.handoff,
           let member = members.first(where: { $0.name == target && $0.name != previous.name }) {
            return member
        }
        let afterPrevious: Agent = {
            guard let previous, let index = members.firstIndex(where: { $0.name == previous.name }) else {
                return members[0]
            }
            return members[(index + 1) % members.count]
        }()
        switch chat.speaker {
        case .roundRobin:
            return afterPrevious
        case .handoffs(let start):
            if let previous { return previous }
            return members.first { $0.name == start } ?? members[0]
        case .model(let ref):
            return try await select(from: members, using: ref, turn: turn, transcript: transcript,
                                    path: path, parentSpan: parentSpan) ?? afterPrevious
        }
    }

    /// Asks the selector model who speaks next; nil when its answer names no member.
    private func select(from members: [Agent], using ref: ModelRef, turn: Int, transcript: [Message],
                        path: String, parentSpan: String) async throws -> Agent? {
        let step = run.step(StepPath.numbered(turn, of: StepPath.child("select", of: path)), parentSpan: parentSpan)
        let roster = members.map { "- \($0.name): \($0.description.isEmpty ? $0.instructions : $0.description)" }
        let history = transcript.suffix(8).map { "\($0.sender): \($0.content)" }
        let request = ChatRequest(messages: [
            .system("You choose who speaks next in a conversation. The participants are:\n\(roster.joined(separator: "\n"))\nReply with one name only."),
            .user("Conversation so far:\n\(history.joined(separator: "\n"))\n\nWho speaks next? Answer with one of: \(members.map(\.name).joined(separator: ", ")).")
        ], sampling: Sampling(temperature: 0, maxTokens: 8))
        let response = try await step.complete(request, model: ref, agent: nil, parentSpan: parentSpan)
        let answer = response.text.lowercased()
        let mentioned = members.compactMap { member -> (Agent, String.Index)? in
            answer.range(of: member.name.lowercased()).map { (member, $0.lowerBound) }
        }
        return mentioned.min { $0.1 < $1.1 }?.0
    }
}
