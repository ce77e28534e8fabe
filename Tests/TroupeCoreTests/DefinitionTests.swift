import Testing
import TroupeCore

@Suite("Workflow definitions are checked when built")
struct DefinitionTests {
    let writer = Agent("writer", instructions: "write")
    let critic = Agent("critic", instructions: "criticise")

    @Test func loopWithMaxZeroIsRejectedNamingTheLoop() {
        #expect {
            try Workflow("w") { Loop("polish", max: 0) { Step(writer) } }
        } throws: { error in
            let error = error as? WorkflowDefinitionError
            return error?.path == "w/polish" && error?.problem.contains("at least once") == true
        }
    }

    @Test func groupChatWithoutMembersIsRejected() {
        #expect {
            try Workflow("w") { GroupChat("room", members: [], until: .maxMessages(3)) }
        } throws: { ($0 as? WorkflowDefinitionError)?.path == "w/room" }
    }

    @Test func twoStepsWithOneKeyAreRejected() {
        #expect {
            try Workflow("w") {
                Step(writer)
                Step(critic)
                Step(writer)
            }
        } throws: { error in
            let error = error as? WorkflowDefinitionError
            return error?.path == "w/writer" && error?.description.contains("key: \"writer-2\"") == true
        }
    }

    @Test func duplicateKeysInsideAnUnnamedSequenceClashWithTheParentScope() {
        #expect(throws: WorkflowDefinitionError.self) {
            try Workflow("w") {
                Step(writer)
                Sequential { Step(writer) }
            }
        }
    }

    @Test func sameAgentUnderDifferentKeysIsFine() throws {
        let workflow = try Workflow("w") {
            Step(writer)
            Step(writer, key: "revise")
            Loop(max: 2) { Step(writer) }
        }
        #expect(workflow.nodes.count == 3)
    }

    @Test func handoffToANonMemberIsRejected() {
        let dispatcher = Agent("dispatcher", instructions: "route", handoffs: ["billing"])
        #expect {
            try Workflow("w") { GroupChat("desk", members: [dispatcher, writer], until: .maxMessages(4)) }
        } throws: { ($0 as? WorkflowDefinitionError)?.problem.contains("'billing'") == true }
    }

    @Test func reservedCharactersInKeysAreRejected() {
        #expect(throws: WorkflowDefinitionError.self) {
            try Workflow("w") { Step("a/b") { $0.text } }
        }
    }

    @Test func emptyWorkflowIsRejected() {
        #expect(throws: WorkflowDefinitionError.self) { try Workflow("w") {} }
    }

    @Test func catalogListsKnownNamesForAnUnknownOne() throws {
        let catalog = try Catalog([try Workflow("a") { Step(writer) }, try Workflow("b") { Step(critic) }])
        #expect {
            try catalog.workflow(named: "c")
        } throws: { String(describing: $0) == "no workflow named 'c'; known workflows: a, b" }
    }
}
