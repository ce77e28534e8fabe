import ArgumentParser
import Troupe

/// `--store PATH`, shared by every command that reads or writes runs.
struct StoreOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite store to use.", discussion: "Default: $TROUPE_STORE, else traces/troupe.sqlite.", valueName: "path"))
    var store: String?

    @Option(name: .long, help: "normal: safe if the process is killed (default); full: fsync every commit, safe on power loss.")
    var durability: StoreOptions.Durability = .normal

    /// Opens the store, turning its errors into CLI failures that say what to do.
    func open() throws -> SQLiteJournal {
        do {
            let path = try StoreLocation.resolve(explicit: store)
            return try SQLiteJournal(path: path, options: StoreOptions(durability: durability))
        } catch {
            throw CLIFailure.failed(String(describing: error))
        }
    }
}

extension StoreOptions.Durability: ExpressibleByArgument {}
