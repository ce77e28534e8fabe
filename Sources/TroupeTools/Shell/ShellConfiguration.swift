import Foundation

/// What the ``Shell`` tool may run, where, and for how long. Without one the
/// tool is off.
///
/// ```swift
/// let shell = Shell(ShellConfiguration(
///     workingDirectory: "/srv/workspace", allowedExecutables: ["ls", "grep", "wc"], timeout: .seconds(10)))
/// ```
///
/// Commands run directly (no `sh -c`, so no globbing, pipes or substitution),
/// with the working directory as their current folder and an environment of
/// `PATH`, `HOME` (the working directory) and `LANG` only. The allowlist holds
/// executable names (looked up in ``searchPath``) or absolute paths.
public struct ShellConfiguration: Sendable, Hashable {
    /// The folder commands run in.
    public var workingDirectory: String
    /// Names (`ls`) or absolute paths (`/usr/bin/ls`) the model may run.
    public var allowedExecutables: Set<String>
    /// How long a command may run before it is terminated.
    public var timeout: Duration
    /// Folders searched for allowed names, in order.
    public var searchPath: [String]
    /// Output bytes kept from each of stdout and stderr.
    public var maximumOutputBytes: Int

    public init(workingDirectory: String, allowedExecutables: Set<String>, timeout: Duration = .seconds(10),
                searchPath: [String] = ["/usr/local/bin", "/usr/bin", "/bin"], maximumOutputBytes: Int = 64 * 1024) {
        self.workingDirectory = workingDirectory
        self.allowedExecutables = allowedExecutables
        self.timeout = timeout
        self.searchPath = searchPath
        self.maximumOutputBytes = maximumOutputBytes
    }

    /// The executable `command` names, when it is allowed.
    func executable(for command: String) throws(ShellToolError) -> String {
        guard !command.isEmpty, !command.contains("\0") else { throw .notAllowed(command, allowed: allowedExecutables) }
        if command.hasPrefix("/") {
            guard allowedExecutables.contains(command) else { throw .notAllowed(command, allowed: allowedExecutables) }
            guard FileManager.default.isExecutableFile(atPath: command) else { throw .notFound(command) }
            return command
        }
        guard !command.contains("/"), allowedExecutables.contains(command) else {
            throw .notAllowed(command, allowed: allowedExecutables)
        }
        for folder in searchPath {
            let candidate = (folder as NSString).appendingPathComponent(command)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw .notFound(command)
    }
}
