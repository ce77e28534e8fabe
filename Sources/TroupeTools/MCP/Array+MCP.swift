import TroupeCore

// MARK: - DSL entry points

extension Array where Element == any Tool {
    /// The tools of an MCP server Troupe starts and talks to over stdio.
    ///
    /// ```swift
    /// let agent = Agent("helper", instructions: "…",
    ///                   tools: try await .mcp(command: ["python3", "server.py"]))
    /// ```
    /// The server starts now (tools are listed when the agent is defined) and stays
    /// up while the tools are alive; a replayed run serves tool results from its
    /// journal, so the server is only started, not called.
    public static func mcp(command: [String], environment: [String: String] = [:],
                           workingDirectory: String? = nil) async throws -> [any Tool] {
        try await mcp(.command(command, environment: environment, workingDirectory: workingDirectory))
    }

    /// The tools of an MCP server at a streamable HTTP endpoint.
    ///
    /// ```swift
    /// let agent = Agent("helper", instructions: "…",
    ///                   tools: try await .mcp(url: "http://127.0.0.1:8000/mcp"))
    /// ```
    public static func mcp(url: String, headers: [String: String] = [:]) async throws -> [any Tool] {
        try await mcp(.url(url, headers: headers))
    }

    /// The tools of `server`, with its timeouts and tool prefix.
    public static func mcp(_ server: MCPServer) async throws -> [any Tool] {
        try await server.tools()
    }
}
