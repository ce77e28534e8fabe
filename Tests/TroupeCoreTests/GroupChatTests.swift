import Testing
import TroupeCore
import TroupeTesting

@Suite("Group chats: speakers, handoffs and termination")
struct GroupChatTests {
    @Test func roundRobinTakesTurnsInOrder() async throws {
        let chat = try Workflow("w") {
            GroupChat("pair", members: [agent("coder"), agent("tester")], until: .maxMessages(5))
        }
        let result = try await run(chat, model: EchoModel())
        #expect(result.messages.dropFirst().map(\.sender) == ["coder", "tester", "coder", "tester", "coder"])
    }

    @Test func aHandoffPicksTheNextSpeaker() async throws {
        let model = ScriptedModel(replies: [
            .text("billing problem\nHANDOFF: billing"), .text("refund issued. RESOLVED"),
        ])
        let chat = try Workflow("w") {
            GroupChat("desk", members: [agent("dispatcher", handoffs: ["billing", "tech"]), agent("tech"), agent("billing")],
                      until: .mentions("RESOLVED"))
        }
        let result = try await run(chat, model: model)
        try model.verifyAllRepliesUsed()
        #expect(result.messages.dropFirst().map(\.sender) == ["dispatcher", "billing"])
        #expect(result.messages[1].handoff == "billing")
    }

    @Test func aToolCallHandoffWorksToo() async throws {
        let model = ScriptedModel(replies: [
            .toolCalls([ToolCall(id: "1", name: "transfer_to_tech", arguments: "{}")]), .text("fixed"),
        ])
        let chat = try Workflow("w") {
            GroupChat("desk", members: [agent("dispatcher", handoffs: ["tech"]), agent("billing"), agent("tech")],
                      until: .handoff() || .maxMessages(2))
        }
        let result = try await run(chat, model: model)
        #expect(result.messages[1].handoff == "tech")
        // .handoff() ends the chat right after the handoff message.
        #expect(result.messages.count == 2)
    }

    @Test func aModelChoosesTheSpeakerAndItsChoiceIsJournaled() async throws {
        let selector = ScriptedModel(id: "test/selector", replies: [.text("tester"), .text("I think coder")])
        let chat = try Workflow("w") {
            GroupChat("room", members: [agent("coder"), agent("tester")], speaker: .model(.model(selector)),
                      until: .maxMessages(2))
        }
        let journal = InMemoryJournal()
        let result = try await run(chat, model: EchoModel(), journal: journal)
        try selector.verifyAllRepliesUsed()
        #expect(result.messages.dropFirst().map(\.sender) == ["tester", "coder"])
        let keys = await journal.effects(of: "run-1").map(\.key)
        #expect(keys == ["w/room/select[1]#1", "w/room/turn[1]#1", "w/room/select[2]#1", "w/room/turn[2]#1"])
        // The selector saw the roster.
        #expect(selector.requests.first?.messages.first?.content.contains("- coder: the coder") == true)
    }

    @Test func maxTurnsBoundsAChatThatNeverTerminates() async throws {
        let chat = try Workflow("w") {
            GroupChat("room", members: [agent("a")], until: .mentions("never"), maxTurns: 4)
        }
        #expect(try await run(chat, model: EchoModel()).messages.count == 5)
    }
}
