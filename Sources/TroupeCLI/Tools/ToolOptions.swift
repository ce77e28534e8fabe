import ArgumentParser
import Foundation
import Troupe

/// How the built-in tools are configured for `troupe tools list` and `call`.
struct ToolOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The folder the file tools may use (nothing outside it).", valueName: "dir"))
    var sandbox: String?

    @Option(help: ArgumentHelp("The memory namespace for memory_search and remember.", valueName: "name"))
    var namespace: String = "default"

    @Option(name: .customLong("shell-allow"),
            help: ArgumentHelp("Enable the shell tool for this executable (repeatable); off otherwise.", valueName: "name"))
    var shellAllow: [String] = []

    @Option(name: .customLong("shell-dir"), help: ArgumentHelp("The shell tool's working folder (default: --sandbox, else the current folder).", valueName: "dir"))
    var shellDirectory: String?

    @Option(help: ArgumentHelp("Seconds a call may take (HTTP and shell).", valueName: "seconds"))
    var timeout: Int = 15

    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    /// The built-in tools; the store is opened only when `needsMemory`.
    func builtins(needsMemory: Bool) throws -> BuiltinTools {
        let fileSandbox: FileSandbox?
        do {
            fileSandbox = try sandbox.map { try FileSandbox(root: $0) }
        } catch {
            throw CLIFailure.usage(String(describing: error))
        }
        let shell = shellAllow.isEmpty ? nil : ShellConfiguration(
            workingDirectory: shellDirectory ?? sandbox ?? FileManager.default.currentDirectoryPath,
            allowedExecutables: Set(shellAllow), timeout: .seconds(timeout))
        return BuiltinTools(sandbox: fileSandbox, memory: needsMemory ? try storeOption.open() : nil,
                            namespace: namespace, shell: shell, http: HTTPGet(timeout: .seconds(timeout)))
    }
}
