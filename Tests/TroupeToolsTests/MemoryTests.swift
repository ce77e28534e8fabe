import Foundation
import Synchronization
import Testing
import TroupeCore
import TroupeStore
import TroupeTesting
import TroupeTools

@Suite("Long-term memory in the SQLite store", .serialized)
struct MemoryTests {
    static let faq = [
        MemoryEntry(namespace: "faq", id: "refund", text: "Refunds are paid back to the original card within 5 business days."),
        MemoryEntry(namespace: "faq", id: "password", text: "Reset a forgotten password from the login page with Forgot password."),
        MemoryEntry(namespace: "faq", id: "invoice", text: "Invoices are emailed on the first day of each month; refunds appear on the next invoice."),
        MemoryEntry(namespace: "other", id: "refund", text: "Refund refund refund: a different namespace."),
    ]

    func withStore<T>(_ body: (SQLiteJournal, String) async throws -> T) async throws -> T {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            let result = try await body(journal, path)
            try await journal.close()
            return result
        }
    }

    @Test func searchIsRankedStemmedAndScopedToANamespace() async throws {
        try await withStore { store, _ in
            try await store.add(Self.faq)
            let hits = try await store.search("How long do refunds take?", namespace: "faq", limit: 5)
            #expect(hits.map(\.entry.id) == ["refund", "invoice"])
            #expect(hits[0].score > hits[1].score)
            #expect(try await store.search("password", namespace: "faq", limit: 5).map(\.entry.id) == ["password"])
            #expect(try await store.search("refund", namespace: "other", limit: 5).map(\.entry.id) == ["refund"])
            #expect(try await store.search("refund", namespace: "faq", limit: 1).count == 1)
            // FTS5 syntax is only words; punctuation-only queries find nothing.
            #expect(try await store.search("\"refund* OR NEAR(", namespace: "faq", limit: 5).first?.entry.id == "refund")
            #expect(try await store.search("?!", namespace: "faq", limit: 5).isEmpty)
        }
    }

    @Test func addReplacesByIdAndDeleteWorksByIdOrNamespace() async throws {
        try await withStore { store, _ in
            try await store.add(Self.faq)
            try await store.add([MemoryEntry(namespace: "faq", id: "refund", text: "Refunds now take 2 days.",
                                             metadata: ["source": "policy-2025"])])
            let refund = try await store.search("refunds", namespace: "faq", limit: 5)
            #expect(refund.first?.entry.text == "Refunds now take 2 days.")
            #expect(refund.first?.entry.metadata == ["source": "policy-2025"])
            #expect(try await store.search("original card", namespace: "faq", limit: 5).isEmpty)
            #expect(try await store.delete(namespace: "faq", ids: ["password", "nope"]) == 1)
            #expect(try await store.search("password", namespace: "faq", limit: 5).isEmpty)
            #expect(try await store.delete(namespace: "faq", ids: nil) == 2)
            #expect(try await store.search("refund", namespace: "faq", limit: 5).isEmpty)
            #expect(try await store.search("refund", namespace: "other", limit: 5).count == 1)
            #expect(try await store.memoryNamespaces().map(\.namespace) == ["other"])
        }
    }

    @Test func memoryPersistsAcrossReopening() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let first = try SQLiteJournal(path: path)
            try await first.add(Self.faq)
            try await first.close()
            let second = try SQLiteJournal(path: path)
            #expect(try await second.search("invoice", namespace: "faq", limit: 5).map(\.entry.id) == ["invoice"])
            try await second.close()
        }
    }

    /// A step that remembers and recalls, then a step that fails the first time.
    static func notesWorkflow(failOnce: FailOnce) throws -> Workflow {
        try Workflow("notes") {
            Step("note") { input in
                guard let context = input.context else { return "" }
                try await context.remember("The customer prefers email.", namespace: "notes")
                try await context.remember("Order 42 shipped late.", namespace: "notes", id: "order-42")
                let hits = try await context.recall("email", namespace: "notes")
                return hits.map(\.entry.text).joined(separator: "|")
            }
            Step("flaky") { input in
                try failOnce.check()
                return input.text
            }
        }
    }

    @Test func journaledWritesAreNotRepeatedOnResume() async throws {
        try await withStore { store, _ in
            let failOnce = FailOnce()
            let runner = WorkflowRunner(journal: store, models: SingleModelProvider(ScriptedModel()))
            let workflow = try Self.notesWorkflow(failOnce: failOnce)
            await #expect(throws: FailOnce.Failure.self) {
                _ = try await runner.run(workflow, input: "go", runID: "r1")
            }
            // Someone edits the memory between the crash and the resume: a resumed run
            // must not write its entries again.
            #expect(try await store.delete(namespace: "notes", ids: ["order-42"]) == 1)
            let result = try await runner.resume(workflow, runID: "r1")
            #expect(result.output == "The customer prefers email.")
            #expect(try await store.search("order shipped", namespace: "notes", limit: 5).isEmpty)
            let effects = try await store.load(runID: "r1")?.effects ?? []
            #expect(effects.filter { $0.kind == .tool }.count == 3)
            #expect(effects.filter { $0.kind == .tool }.allSatisfy { $0.executions == 1 })
            // The default id is the effect key: stable, so a re-executed write replaces.
            let ids = try await store.search("email", namespace: "notes", limit: 5).map(\.entry.id)
            #expect(ids == ["notes/note#2"])   // #1 is the function step itself
        }
    }

    @Test func agentsUseTheMemoryToolsThroughTheRunsStore() async throws {
        try await withStore { store, _ in
            try await store.add(Self.faq)
            let agent = Agent("helper", instructions: "you are helper",
                              tools: [MemorySearch(namespace: "faq"), Remember(namespace: "learned")])
            let model = ScriptedModel(replies: [
                .toolCalls([ToolCall(id: "c1", name: "memory_search", arguments: #"{"query":"refund"}"#),
                            ToolCall(id: "c2", name: "remember", arguments: #"{"text":"Customer 7 asked about refunds."}"#)]),
                .text("Refunds take 5 business days."),
            ])
            let runner = WorkflowRunner(journal: store, models: SingleModelProvider(model))
            let result = try await runner.run(try Workflow("w") { Step(agent) }, input: "refund?", runID: "r2")
            #expect(result.output == "Refunds take 5 business days.")
            let toolResults = model.requests.last?.messages.filter { $0.role == .tool }.map(\.content) ?? []
            #expect(toolResults.first?.hasPrefix("[refund] Refunds are paid back") == true)
            #expect(toolResults.last == "remembered as w/helper#3")
            let learned = try await store.search("refunds", namespace: "learned", limit: 5)
            #expect(learned.map(\.entry.id) == ["w/helper#3"])
            #expect(learned.first?.entry.metadata["run"] == "r2")

            // Outside a run, a tool with no store says what to do.
            await #expect(throws: MemoryUnavailable.self) {
                try await MemorySearch(namespace: "faq").call(arguments: .init(query: "x"))
            }
            #expect(try await MemorySearch(namespace: "faq", store: store).call(arguments: .init(query: "password"))
                .hasPrefix("[password]"))
        }
    }
}

/// Throws the first time it is checked.
final class FailOnce: Sendable {
    struct Failure: Error {}
    private let failed = Mutex(false)
    func check() throws {
        let first = failed.withLock { failed in
            defer { failed = true }
            return !failed
        }
        if first { throw Failure() }
    }
}
