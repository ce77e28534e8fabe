import Foundation
import TroupeCore

/// Runs an allowed command in a working folder, with a timeout. **Off by
/// default**: without a ``ShellConfiguration`` every call fails and says how
/// to enable it.
///
/// ```swift
/// let shell = Shell(ShellConfiguration(workingDirectory: "workspace", allowedExecutables: ["ls", "wc"]))
/// let agent = Agent("ops", instructions: "…", tools: [shell])
/// ```
///
/// The command runs with Foundation's `Process` (no shell in between, see
/// ``ShellConfiguration``). Its output goes to temporary files, so a chatty
/// command never blocks on a full pipe; each stream is cut at
/// ``ShellConfiguration/maximumOutputBytes``. Past the timeout the command
/// gets SIGTERM, then SIGKILL two seconds later. Children it starts in the
/// background are not tracked: allow only executables that do not daemonize.
/// A non-zero exit status is a result for the model, not a failure.
public struct Shell: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var command: String
        public var arguments: [String]?
        public init(command: String, arguments: [String]? = nil) {
            self.command = command
            self.arguments = arguments
        }
        public static let propertyDescriptions = [
            "command": "The executable to run, e.g. ls (must be on the allowlist)",
            "arguments": "Its arguments, one string each (no shell syntax: no pipes, globs or quotes)",
        ]
    }

    /// What the model gets back.
    public struct Result: Codable, Sendable, Hashable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
        public var truncated: Bool
    }

    public let configuration: ShellConfiguration?
    public let name = "shell"
    public var description: String {
        guard let configuration else { return "Runs a command (disabled)." }
        return "Runs one of these commands in the working folder: \(configuration.allowedExecutables.sorted().joined(separator: ", "))."
    }

    /// A shell tool; `nil` (the default) leaves it disabled.
    public init(_ configuration: ShellConfiguration? = nil) {
        self.configuration = configuration
    }

    /// The command's own timeout plus time to stop it.
    public var timeout: Duration { (configuration?.timeout ?? .seconds(1)) + .seconds(5) }

    public func call(arguments: Arguments) async throws -> Result {
        guard let configuration else { throw ShellToolError.disabled }
        let executable = try configuration.executable(for: arguments.command)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: configuration.workingDirectory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw ShellToolError.noWorkingDirectory(configuration.workingDirectory)
        }
        return try await ShellRun(configuration: configuration, executable: executable,
                                  arguments: arguments.arguments ?? []).run()
    }
}

/// One command run: a process, two output files, and a race against the timeout.
struct ShellRun {
    let configuration: ShellConfiguration
    let executable: String
    let arguments: [String]

    func run() async throws(ShellToolError) -> Shell.Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-shell-\(UUID().uuidString)")
        let outURL = folder.appendingPathComponent("stdout")
        let errURL = folder.appendingPathComponent("stderr")
        let process = Process()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for url in [outURL, errURL] where !FileManager.default.createFile(atPath: url.path, contents: nil) {
                throw ShellToolError.launchFailed(executable, reason: "cannot create \(url.path) for its output")
            }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: configuration.workingDirectory, isDirectory: true)
            process.environment = [
                "PATH": configuration.searchPath.joined(separator: ":"),
                "HOME": configuration.workingDirectory,
                "LANG": "C.UTF-8",
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw .launchFailed(executable, reason: error.localizedDescription)
        }
        defer { try? FileManager.default.removeItem(at: folder) }

        let finished = await Self.wait(for: process, upTo: configuration.timeout)
        if !finished {
            process.terminate()
            if await !Self.wait(for: process, upTo: .seconds(2)) {
                kill(process.processIdentifier, SIGKILL)
                _ = await Self.wait(for: process, upTo: .seconds(2))
            }
        }
        let limit = configuration.maximumOutputBytes
        let (stdout, outTruncated) = Self.read(outURL, limit: limit)
        let (stderr, errTruncated) = Self.read(errURL, limit: limit)
        return Shell.Result(exitCode: process.isRunning ? -1 : process.terminationStatus, stdout: stdout,
                            stderr: stderr, timedOut: !finished, truncated: outTruncated || errTruncated)
    }

    /// Whether the process exited within `limit` (false as soon as the task is cancelled).
    /// Polls, with a pause growing from 2 to 50 ms: simpler than a termination
    /// handler that two waits would have to share, and cheap next to a process launch.
    private static func wait(for process: Process, upTo limit: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var pause = Duration.milliseconds(2)
        while process.isRunning {
            guard clock.now < deadline, !Task.isCancelled else { return false }
            do { try await Task.sleep(for: pause) } catch { return false }
            pause = min(pause * 2, .milliseconds(50))
        }
        return true
    }

    private static func read(_ url: URL, limit: Int) -> (String, Bool) {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return ("", false) }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        return (String(decoding: data.prefix(limit), as: UTF8.self), data.count > limit)
    }
}

/// What went wrong with a shell call.
public enum ShellToolError: Error, Sendable, Hashable, CustomStringConvertible {
    case disabled
    case notAllowed(String, allowed: Set<String>)
    case notFound(String)
    case noWorkingDirectory(String)
    case launchFailed(String, reason: String)

    public var description: String {
        switch self {
        case .disabled:
            "the shell tool is disabled; enable it with Shell(ShellConfiguration(workingDirectory:allowedExecutables:timeout:))"
        case .notAllowed(let command, let allowed):
            "'\(command)' is not allowed; allowed commands: \(allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", "))"
        case .notFound(let command):
            "'\(command)' is allowed but was not found on the search path; install it or allow its absolute path"
        case .noWorkingDirectory(let folder):
            "the shell's working folder \(folder) does not exist; create it"
        case .launchFailed(let command, let reason):
            "\(command) could not be started: \(reason)"
        }
    }
}
