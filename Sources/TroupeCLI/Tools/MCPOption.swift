import ArgumentParser
import Troupe

/// `--mcp SERVER` for `troupe tools list` and `call`: the tools of an MCP server
/// instead of the built-in ones.
struct MCPOption: ParsableArguments {
    @Option(name: .customLong("mcp"),
            help: ArgumentHelp("Use the tools of this MCP server instead of the built-ins: a command line "
                               + "('python3 server.py', started over stdio) or an http(s) URL (streamable HTTP).",
                               valueName: "server"))
    var server: String?

    /// The server's tools, or nil without `--mcp`. `timeout` bounds each call; starting
    /// the server may take up to 20 seconds.
    func tools(callTimeout timeout: Int) async throws -> [MCPTool]? {
        guard let server else { return nil }
        let description: MCPServer
        do {
            description = try MCPServer(parsing: server).timeouts(call: .seconds(timeout))
        } catch {
            throw CLIFailure.usage(String(describing: error))
        }
        do {
            return try await description.tools()
        } catch {
            throw CLIFailure.failed(String(describing: error))
        }
    }
}
