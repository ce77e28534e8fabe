/// What went wrong talking to an MCP server: each case says what happened and what
/// to do about it. Thrown by ``MCPToolbox``; an ``MCPTool`` lets it reach the model
/// as the call's result, like any tool error.
public enum MCPClientError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The server's command is not an executable file, nor found on `PATH`.
    case serverNotFound(command: String, searched: [String])
    /// The process could not be started at all.
    case launchFailed(server: String, reason: String)
    /// The server exited before answering the `initialize` handshake.
    case exitedAtStart(server: String, exit: MCPServerExit)
    /// The server exited while a request was in flight (`tool` is nil for a listing).
    case exitedDuringCall(server: String, tool: String?, exit: MCPServerExit)
    /// The server did not answer in time.
    case timedOut(server: String, operation: String, after: Duration)
    /// The connection broke while a request was in flight (`tool` is nil for a listing).
    case connectionLost(server: String, tool: String?, detail: String)
    /// The HTTP exchange failed: connection refused, reset, or a status that is not 2xx.
    case http(server: String, status: Int?, detail: String)
    /// The server answered something that is not valid MCP.
    case protocolError(server: String, detail: String)
    /// The server answered the request with a JSON-RPC error.
    case serverError(server: String, code: Int, message: String)
    /// The server has no tool by that name.
    case unknownTool(server: String, tool: String, available: [String])
    /// The server description cannot be used (an empty command, a bad URL).
    case invalidServer(String)

    public var description: String {
        switch self {
        case .serverNotFound(let command, let searched):
            return "the MCP server command '\(command)' was not found"
                + (searched.isEmpty ? "" : " on PATH (\(searched.joined(separator: ":")))")
                + "; install it or give its full path"
        case .launchFailed(let server, let reason):
            return "the MCP server \(server) could not be started: \(reason)"
        case .exitedAtStart(let server, let exit):
            return "the MCP server \(server) \(exit.summary) before it finished starting"
                + exit.stderrClause + "; run the command by hand to see why"
        case .exitedDuringCall(let server, let tool, let exit):
            let doing = tool.map { "while running tool '\($0)'" } ?? "while listing its tools"
            return "the MCP server \(server) \(exit.summary) \(doing)" + exit.stderrClause
        case .timedOut(let server, let operation, let after):
            return "the MCP server \(server) did not answer \(operation) within \(after); "
                + "check that it is healthy or raise the timeout"
        case .connectionLost(let server, let tool, let detail):
            let doing = tool.map { " while running tool '\($0)'" } ?? ""
            return "the connection to the MCP server \(server) was lost\(doing): \(detail)"
        case .http(let server, let status, let detail):
            let code = status.map { "HTTP \($0): " } ?? ""
            return "the MCP server \(server) could not be reached: \(code)\(detail)"
        case .protocolError(let server, let detail):
            return "the MCP server \(server) answered something that is not valid MCP: \(detail)"
        case .serverError(let server, let code, let message):
            return "the MCP server \(server) refused the request (JSON-RPC error \(code)): \(message)"
        case .unknownTool(let server, let tool, let available):
            return "the MCP server \(server) has no tool named '\(tool)'; it offers: "
                + (available.isEmpty ? "none" : available.joined(separator: ", "))
        case .invalidServer(let reason):
            return "invalid MCP server: \(reason)"
        }
    }
}

/// How a server process ended, and the last things it wrote to stderr.
public struct MCPServerExit: Sendable, Hashable {
    /// The exit status, or the signal number when `signaled` is true.
    public var status: Int32
    /// True when a signal ended the process.
    public var signaled: Bool
    /// The tail of its standard error (at most a few kilobytes), trimmed.
    public var stderr: String

    public init(status: Int32, signaled: Bool = false, stderr: String = "") {
        self.status = status
        self.signaled = signaled
        self.stderr = stderr
    }

    var summary: String {
        signaled ? "was killed (signal \(status))" : "exited (status \(status))"
    }

    var stderrClause: String {
        stderr.isEmpty ? "; it wrote nothing to stderr" : "; its stderr said: \(stderr)"
    }
}
