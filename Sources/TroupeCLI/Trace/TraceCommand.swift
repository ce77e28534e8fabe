import ArgumentParser
import Troupe

/// `troupe trace RUN`: the run's span tree, or the causal chain behind one span.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show a run's span tree with durations and tokens; --why SPAN walks the causal chain back to the input.")

    @Argument(help: "The run's id (or a unique prefix).")
    var run: String

    @Option(help: ArgumentHelp("A span id (or prefix) or a step key, e.g. review/loop[1]/critic.", valueName: "span"))
    var why: String?

    @Flag(help: "Print spans and links as JSON.")
    var json = false

    @OptionGroup var storeOption: StoreOption

    func run() async throws {
        let store = try storeOption.open()
        let record: RunRecord
        do { record = try await store.resolveRun(run) } catch { throw CLIFailure.failed("\(error)") }
        let trace = TraceView(spans: try await store.spans(runID: record.id),
                              links: try await store.links(runID: record.id))
        if let why {
            guard let span = trace.find(why) else {
                throw CLIFailure.failed("no span '\(why)' in run \(record.id); 'troupe trace \(record.id)' lists them")
            }
            if json { return try Terminal.json(trace.causes(of: span).map(TraceView.JSONSpan.init)) }
            Terminal.out(trace.renderWhy(span))
            return
        }
        if json { return try Terminal.json(TraceView.JSONTrace(trace)) }
        Terminal.out(trace.renderTree())
    }
}
