import ArgumentParser
import Foundation
import Troupe

/// `troupe runs`: list runs, show one, export one as a cassette.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show and export recorded runs.",
        subcommands: [List.self, Show.self, Export.self],
        defaultSubcommand: List.self)

    /// `troupe runs [list]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first.")

        @Option(help: "Show at most this many runs.")
        var limit: Int = 20

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var storeOption: StoreOption

        func run() async throws {
            let runs = try await storeOption.open().runs(limit: limit)
            if json { return try Terminal.json(runs.map(RunListing.init)) }
            guard !runs.isEmpty else {
                return Terminal.line("no runs yet; start one with 'troupe run review'")
            }
            Terminal.line(Terminal.dim("ID                WORKFLOW    STATUS      STARTED              TOKENS  OUTPUT"))
            for run in runs {
                let started = Self.format(run.createdAt)
                let output = (run.output ?? run.error ?? "").replacingOccurrences(of: "\n", with: " ")
                Terminal.line([
                    run.id.padding(toLength: 16, withPad: " ", startingAt: 0),
                    run.workflow.padding(toLength: 10, withPad: " ", startingAt: 0),
                    run.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
                    started,
                    String(run.usage.totalTokens).leftPadded(6),
                    String(output.prefix(50)),
                ].joined(separator: "  "))
            }
        }

        static func format(_ time: Double) -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return formatter.string(from: Date(timeIntervalSince1970: time))
        }
    }

    /// `troupe runs show RUN`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a run: its status, output and effects in order.")

        @Argument(help: "The run's id (or a unique prefix).")
        var run: String

        @Flag(help: "Print JSON: id, workflow, status, output, and effects with key, kind and executions.")
        var json = false

        @OptionGroup var storeOption: StoreOption

        func run() async throws {
            let store = try storeOption.open()
            let record: RunRecord
            do { record = try await store.resolveRun(run) } catch { throw CLIFailure.failed("\(error)") }
            let effects = try await store.effects(runID: record.id)
            let detail = RunDetail(record, effects: effects)
            if json { return try Terminal.json(detail) }
            Terminal.line("\(Terminal.bold(record.id))  \(record.workflow)  \(record.status.rawValue)"
                + (record.parentRunID.map { "  (forked from \($0))" } ?? ""))
            Terminal.line("input:  \(record.input)")
            if let output = record.output { Terminal.line("output: \(output)") }
            if let error = record.error { Terminal.line("error:  \(error)") }
            Terminal.line("tokens: \(record.usage.inputTokens) in, \(record.usage.outputTokens) out")
            Terminal.line(Terminal.dim("\nEFFECT                                        KIND     STATUS     RUNS"))
            for effect in effects {
                Terminal.line("\(effect.key.padding(toLength: 44, withPad: " ", startingAt: 0))  \(effect.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(effect.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(effect.executions)")
            }
        }
    }

    /// `troupe runs export RUN > run.jsonl`
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a run as a cassette (JSON Lines) to standard output.",
            discussion: "troupe runs export RUN > run.jsonl; then troupe replay run.jsonl replays it into any store.")

        @Argument(help: "The run's id (or a unique prefix).")
        var run: String

        @OptionGroup var storeOption: StoreOption

        func run() async throws {
            let store = try storeOption.open()
            do {
                let record = try await store.resolveRun(run)
                Terminal.out(try await store.cassette(runID: record.id).jsonLines())
            } catch {
                throw CLIFailure.failed("\(error)")
            }
        }
    }
}

/// A run in `runs --json`.
struct RunListing: Encodable {
    let id: String
    let workflow: String
    let status: String
    let createdAt: Double
    let output: String?
    let usage: TokenUsage

    init(_ run: RunRecord) {
        id = run.id
        workflow = run.workflow
        status = run.status.rawValue
        createdAt = run.createdAt
        output = run.output
        usage = run.usage
    }

    enum CodingKeys: String, CodingKey { case id, workflow, status, createdAt = "created_at", output, usage }
}

/// A run in `runs show --json`.
struct RunDetail: Encodable {
    let id: String
    let workflow: String
    let status: String
    let input: String
    let output: String?
    let error: String?
    let parentRunID: String?
    let usage: TokenUsage
    let effects: [Effect]

    enum CodingKeys: String, CodingKey {
        case id, workflow, status, input, output, error, parentRunID = "parent_run_id", usage, effects
    }

    struct Effect: Encodable {
        let key: String
        let step: String
        let kind: String
        let status: String
        let executions: Int
        let fingerprint: String
    }

    init(_ run: RunRecord, effects: [EffectRecord]) {
        id = run.id
        workflow = run.workflow
        status = run.status.rawValue
        input = run.input
        output = run.output
        error = run.error
        parentRunID = run.parentRunID
        usage = run.usage
        self.effects = effects.map {
            Effect(key: $0.key, step: $0.stepKey, kind: $0.kind.rawValue, status: $0.status.rawValue,
                   executions: $0.executions, fingerprint: $0.fingerprint)
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
