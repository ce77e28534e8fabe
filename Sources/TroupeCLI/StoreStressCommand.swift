import ArgumentParser
import Foundation
import Troupe
import TroupeStore

/// `troupe store-stress --store PATH --writes N`: hidden; one of several processes
/// writing one store at once, for the multi-process store test.
///
/// Prints one JSON line, `{"runID":"stress-…","seconds":…,"writes":N}`, and exits
/// 0; a store failure (a lock held too long, a foreign file) exits 1 with the
/// store's message on standard error.
struct StoreStressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-stress",
        abstract: "Write effects to a store as fast as possible (for tests).",
        shouldDisplay: false)

    @Option(name: .long, help: ArgumentHelp("The store to write.", valueName: "path"))
    var store: String

    @Option(name: .long, help: "How many effects to commit, one per commit.")
    var writes: Int = 1_000

    @Option(name: .long, help: "How many tasks commit at once.")
    var concurrency: Int = 4

    func validate() throws {
        guard writes >= 0 else { throw ValidationError("--writes must be 0 or more") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let report: StoreStress.Report
        do {
            let path = try StoreLocation.resolve(explicit: store)
            report = try await StoreStress.run(path: path, writes: writes, concurrency: concurrency)
        } catch {
            throw CLIFailure.failed(String(describing: error))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
