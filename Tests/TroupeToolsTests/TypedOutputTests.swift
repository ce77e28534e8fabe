import Foundation
import Testing
import TroupeCore
import TroupeTesting
import TroupeTools

struct Verdict: Codable, Sendable, Equatable {
    enum Grade: String, Codable, Sendable, SchemaEnum { case pass, fail }
    var grade: Grade
    var reasons: [String]
}

@Suite("Typed output")
struct TypedOutputTests {
    static let judge = Agent("judge", instructions: "Judge it.")

    func run(_ model: ScriptedModel) async throws -> RunResult {
        let workflow = try Workflow("typed") { Step(Self.judge, output: Verdict.self) }
        return try await WorkflowRunner(journal: InMemoryJournal(), models: SingleModelProvider(model))
            .run(workflow, input: "an essay", runID: "t1")
    }

    @Test func asksWithTheDerivedSchemaAndDecodes() async throws {
        let model = ScriptedModel(replies: [.text(#" {"grade": "pass", "reasons": ["clear"]} "#)])
        let result = try await run(model)
        #expect(result.output == #"{"grade":"pass","reasons":["clear"]}"#)
        let request = try #require(model.requests.first)
        #expect(request.responseFormat == .jsonSchema(name: "Verdict", schema: try JSONSchema.derive(Verdict.self)))
    }

    @Test func anAnswerThatDoesNotMatchTheSchemaIsAClearError() async throws {
        let model = ScriptedModel(replies: [.text(#"{"grade": "maybe", "reasons": []}"#)])
        await #expect(performing: { _ = try await run(model) }, throws: { error in
            "\(error)".contains("does not match the output type") && "\(error)".contains("maybe")
        })
    }

    @Test func theDemoModelAnswersAnySchemaValidly() async throws {
        let result = try await run(DemoScript.model())
        let verdict = try JSONDecoder().decode(Verdict.self, from: Data(result.output.utf8))
        #expect(verdict == Verdict(grade: .pass, reasons: ["an essay"]))
    }
}
