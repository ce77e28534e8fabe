import Foundation
import Troupe

/// The shared part of run, resume and replay: wiring the runner to the console,
/// printing the outcome, and turning failures into exit codes.
struct RunSession {
    let journal: any Journal
    let models: any ModelProvider
    let json: Bool
    var approvals: [String: ApprovalDecision] = [:]

    func perform(_ workflow: Workflow,
                 _ body: @escaping @Sendable (WorkflowRunner) async throws -> RunResult) async throws {
        let reporter = ConsoleReporter()
        let started = Date()
        let streaming = reporter.observer
        let observer: RunObserver = { event in
            if case .runStarted(let id, let name, let mode) = event {
                Terminal.error(Terminal.dim("\(mode.rawValue) \(id) · \(name)"))
            }
            streaming(event)
        }
        var configured = WorkflowRunner(journal: journal, models: models, observer: json ? nil : observer,
                                        humanInput: StdinHumanInput())
        configured.approvals = approvals
        let runner = configured
        let result: RunResult
        do {
            result = try await Interrupt.cancellingOnSIGINT { try await body(runner) }
        } catch is CancellationError {
            try? await journal.flush()
            throw CLIFailure(message: "interrupted; the run is saved: continue it with 'troupe resume'", code: 130)
        } catch let pending as ApprovalRequired {
            try? await journal.flush()
            throw CLIFailure(message: "waiting: " + pending.description, code: 4)
        } catch let divergence as DivergenceError {
            try? await journal.flush()
            throw CLIFailure(message: "error: " + divergence.description, code: 3)
        } catch let error as CLIFailure {
            throw error
        } catch {
            try? await journal.flush()
            throw CLIFailure.failed("\(error)")
        }
        try await journal.flush()
        if json {
            try Terminal.json(RunSummary(result))
        } else {
            let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
            Terminal.error(Terminal.dim(
                "\(result.status.rawValue) \(result.runID) in \(seconds)s · \(result.usage.totalTokens) tokens · \(result.liveEffects) live, \(result.servedEffects) from journal"))
        }
    }
}

/// The JSON shape of a finished run for `run --json` and friends.
struct RunSummary: Encodable {
    let runID: String
    let workflow: String
    let status: String
    let output: String
    let usage: TokenUsage
    let liveEffects: Int
    let servedEffects: Int
    let messages: [SummaryMessage]

    struct SummaryMessage: Encodable {
        let id: String
        let sender: String
        let content: String
    }

    init(_ result: RunResult) {
        runID = result.runID
        workflow = result.workflow
        status = result.status.rawValue
        output = result.output
        usage = result.usage
        liveEffects = result.liveEffects
        servedEffects = result.servedEffects
        messages = result.messages.map { SummaryMessage(id: $0.id, sender: $0.sender, content: $0.content) }
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", workflow, status, output, usage
        case liveEffects = "live_effects", servedEffects = "served_effects", messages
    }
}

/// Answers `HumanInput` nodes from standard input.
struct StdinHumanInput: HumanInputProvider {
    func answer(prompt: String, step: String) async throws -> String {
        Terminal.out(Terminal.bold("\(prompt) ") + "› ")
        guard let line = readLine() else {
            throw CLIFailure.failed("step '\(step)' asked \"\(prompt)\" but standard input is closed; run it in a terminal or pipe the answer in")
        }
        return line
    }
}
