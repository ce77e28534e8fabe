import Testing
import TroupeCore
import TroupeTesting

@Suite("Conversation windows")
struct ConversationWindowTests {
    static func messages(_ texts: [String]) -> [Message] {
        texts.enumerated().map { Message(id: "m\($0.offset)", sender: "user", role: .user, content: $0.element) }
    }

    @Test func keepsTheHeadAndTheLatestMessages() {
        let all = Self.messages(["task", "a", "b", "c", "d"])
        #expect(ConversationWindow.last(3).apply(to: all).map(\.content) == ["task", "c", "d"])
        #expect(ConversationWindow.last(3, head: 0).apply(to: all).map(\.content) == ["b", "c", "d"])
        #expect(ConversationWindow.last(10).apply(to: all).map(\.content) == ["task", "a", "b", "c", "d"])
        #expect(ConversationWindow.last(1).apply(to: all).map(\.content) == ["task", "d"])
        #expect(ConversationWindow.last(3).apply(to: []).isEmpty)
        #expect(ConversationWindow.last(3, head: 5).apply(to: Self.messages(["x", "y"])).map(\.content) == ["x", "y"])
    }

    @Test func staysWithinATokenBudget() {
        let long = String(repeating: "word ", count: 40)   // 200 bytes, 50 tokens
        let all = Self.messages(["task", long, "short one", long, "latest"])
        let window = ConversationWindow(maxTokens: 60)
        #expect(window.apply(to: all).map(\.content) == ["task", "short one", long, "latest"])
        // The latest message is kept even when it alone is over budget.
        #expect(ConversationWindow(maxTokens: 5, head: 0).apply(to: all).map(\.content) == ["latest"])
        #expect(ConversationWindow(maxTokens: 5, head: 0).apply(to: Self.messages(["task", long])).map(\.content) == [long])
        #expect(ConversationWindow.estimatedTokens("") == 1)
        #expect(ConversationWindow.estimatedTokens("abcdefgh") == 2)
    }

    @Test func anAgentSeesOnlyItsWindow() async throws {
        let model = ScriptedModel(replies: [.text("1"), .text("2"), .text("3"), .text("4")])
        let windowed = Agent("w", instructions: "you are w", window: .last(2))
        let workflow = try Workflow("win") {
            Step(Agent("a", instructions: "you are a"))
            Step(Agent("b", instructions: "you are b"))
            Step(Agent("c", instructions: "you are c"))
            Step(windowed)
        }
        _ = try await run(workflow, input: "the task", model: model)
        let seen = model.requests.last?.messages.map(\.content) ?? []
        #expect(seen == ["you are w", "the task", "c: 3"])
        #expect(model.requests[2].messages.count == 4)
    }
}
