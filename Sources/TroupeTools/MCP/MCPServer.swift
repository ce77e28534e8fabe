import Foundation

/// Where an MCP server lives and how to reach it: a command Troupe starts and talks
/// to over stdio, or a streamable HTTP endpoint. A plain value; nothing starts until
/// ``connect()`` or ``tools()``.
///
/// ```swift
/// let files = MCPServer.command(["python3", "server.py"])
/// let search = MCPServer.url("http://127.0.0.1:8000/mcp")
/// let agent = Agent("helper", instructions: "…", tools: try await files.tools())
/// ```
///
/// Timeouts: ``startupTimeout`` bounds starting the server and the `initialize`
/// handshake (and a listing); ``callTimeout`` bounds one tool call.
public struct MCPServer: Sendable, Hashable, CustomStringConvertible {
    /// How the server is reached.
    public enum Endpoint: Sendable, Hashable {
        /// A program and its arguments, started as a child process speaking MCP on
        /// stdin/stdout. `environment` adds to (and overrides) the parent's.
        case command([String], environment: [String: String], workingDirectory: String?)
        /// A streamable HTTP endpoint, e.g. `http://127.0.0.1:8000/mcp`, with extra
        /// request headers (such as `Authorization`).
        case url(String, headers: [String: String])
    }

    public var endpoint: Endpoint
    /// How long starting the server and the handshake may take.
    public var startupTimeout: Duration
    /// How long one tool call may take (also each ``MCPTool``'s `timeout`).
    public var callTimeout: Duration
    /// Prepended to every tool name, to keep tools of several servers apart.
    public var toolPrefix: String

    public init(_ endpoint: Endpoint, startupTimeout: Duration = .seconds(20),
                callTimeout: Duration = .seconds(60), toolPrefix: String = "") {
        self.endpoint = endpoint
        self.startupTimeout = startupTimeout
        self.callTimeout = callTimeout
        self.toolPrefix = toolPrefix
    }

    /// A server Troupe starts itself and talks to over stdio.
    public static func command(_ command: [String], environment: [String: String] = [:],
                               workingDirectory: String? = nil) -> MCPServer {
        MCPServer(.command(command, environment: environment, workingDirectory: workingDirectory))
    }

    /// A server already listening on a streamable HTTP endpoint.
    public static func url(_ url: String, headers: [String: String] = [:]) -> MCPServer {
        MCPServer(.url(url, headers: headers))
    }

    /// A server from one line of text, as the CLI's `--mcp` takes it: an `http://` or
    /// `https://` URL, or else a command line split on whitespace (quotes group words).
    public init(parsing line: String) throws {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") {
            self = .url(trimmed)
            return
        }
        let words = try Self.split(trimmed)
        guard !words.isEmpty else {
            throw MCPClientError.invalidServer("empty; give a command such as 'python3 server.py' or an http:// URL")
        }
        self = .command(words)
    }

    /// The same server with other timeouts.
    public func timeouts(startup: Duration? = nil, call: Duration? = nil) -> MCPServer {
        var copy = self
        if let startup { copy.startupTimeout = startup }
        if let call { copy.callTimeout = call }
        return copy
    }

    /// The same server, its tools named `prefix` + their own name.
    public func prefixed(_ prefix: String) -> MCPServer {
        var copy = self
        copy.toolPrefix = prefix
        return copy
    }

    /// Starts (or reaches) the server and completes the handshake.
    public func connect() async throws -> MCPToolbox {
        let toolbox = MCPToolbox(self)
        try await toolbox.connect()
        return toolbox
    }

    /// The server's tools, ready for an `Agent`. The connection stays open while
    /// any of them is alive; a server that died is restarted by the next call.
    public func tools() async throws -> [MCPTool] {
        try await MCPToolbox(self).tools()
    }

    /// How error messages name the server: its command line or URL, quoted.
    public var description: String {
        switch endpoint {
        case .command(let words, _, _): "'\(words.joined(separator: " "))'"
        case .url(let url, _): "at \(url)"
        }
    }

    /// Splits a command line on whitespace; single or double quotes group words.
    private static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quote != nil {
            throw MCPClientError.invalidServer("unbalanced quote in '\(line)'; close the quote (quotes group words, they are not kept)")
        }
        if inWord { words.append(current) }
        return words
    }
}
