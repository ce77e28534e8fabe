import Synchronization
import TroupeCore
import TroupeTesting

/// Runs `workflow` on `model` with an in-memory journal.
func run(_ workflow: Workflow, input: String = "go", model: any ChatModel,
         journal: InMemoryJournal = InMemoryJournal(), runID: String = "run-1",
         runtime: AgentRuntime = AgentRuntime(), observer: RunObserver? = nil) async throws -> RunResult {
    try await WorkflowRunner(journal: journal, models: SingleModelProvider(model), runtime: runtime,
                             observer: observer)
        .run(workflow, input: input, runID: runID)
}

/// A model that answers `agent: <last message>` and, when asked, waits longer
/// for earlier agents so parallel branches finish in reverse order.
struct EchoModel: ChatModel {
    var id: ModelID { "test/echo" }
    var delays: [String: Duration] = [:]

    func respond(to request: ChatRequest) async throws -> ChatResponse {
        let agent = Self.agent(of: request)
        if let delay = delays[agent] { try await Task.sleep(for: delay) }
        let last = request.messages.last?.content ?? ""
        return ChatResponse(text: "\(agent) saw [\(last)]", usage: TokenUsage(inputTokens: 10, outputTokens: 5))
    }

    /// Agents' instructions in these tests are `you are NAME`.
    static func agent(of request: ChatRequest) -> String {
        let system = request.messages.first?.content ?? ""
        return system.hasPrefix("you are ") ? String(system.dropFirst(8).prefix { $0 != "\n" }) : "?"
    }
}

/// An agent whose instructions name it, for EchoModel.
func agent(_ name: String, handoffs: [String] = []) -> Agent {
    Agent(name, instructions: "you are \(name)", description: "the \(name)", handoffs: handoffs)
}

/// Collects run events.
final class EventLog: Sendable {
    private let events = Mutex<[RunEvent]>([])
    var observer: RunObserver { { [self] event in events.withLock { $0.append(event) } } }
    var all: [RunEvent] { events.withLock { $0 } }
}
