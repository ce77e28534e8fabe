import Foundation
import Testing
import TroupeCore
@testable import TroupeTools

/// Against a server that is not ours: the reference Python SDK's FastMCP, over stdio
/// and over streamable HTTP (SSE answers, and plain JSON answers).
@Suite("MCP client against the Python SDK's server", .enabled(if: MCPTestServers.pythonMCPInstalled,
                                                             Comment(rawValue: MCPTestServers.pythonMissing)))
struct MCPPythonServerTests {
    static let expectedTools = ["add", "crash", "echo", "fail", "sleep"]

    /// List, call, an error result and a timeout on one session.
    func exercise(_ toolbox: MCPToolbox) async throws {
        let tools = try await toolbox.tools()
        #expect(tools.map(\.name).sorted() == Self.expectedTools)
        let add = try #require(tools.first { $0.name == "add" })
        #expect(add.parameters["required"] == ["a", "b"])
        #expect(add.description == "Adds two integers.")
        #expect(try await add.call(arguments: ["a": 20, "b": 22]) == "42")
        #expect(try await toolbox.call("echo", arguments: ["text": "héllo\nworld"]).text == "héllo\nworld")

        let failed = try await toolbox.call("fail", arguments: ["reason": "testing"])
        #expect(failed.isError)
        #expect(failed.text.contains("fail was asked to fail: testing"))
        let fail = try #require(tools.first { $0.name == "fail" })
        await #expect {
            try await fail.call(arguments: [:])
        } throws: { error in
            guard case .failed(let tool, let reason) = error as? ToolError else { return false }
            return tool == "fail" && reason.contains("fail was asked to fail")
        }

        let (error, elapsed) = await measure {
            await #expect(throws: MCPClientError.self) {
                try await toolbox.call("sleep", arguments: ["seconds": 120], timeout: .milliseconds(300))
            }
        }
        #expect(elapsed < .seconds(30))
        if case .timedOut = error {} else { Issue.record("expected a timeout, got \(String(describing: error))") }
        #expect(try await toolbox.call("echo", arguments: ["text": "after the timeout"]).text == "after the timeout")
    }

    @Test func overStdio() async throws {
        let toolbox = MCPToolbox(.command(MCPTestServers.pythonStdio).timeouts(startup: .seconds(20)))
        defer { Task { await toolbox.disconnect() } }
        try await exercise(toolbox)
    }

    @Test func overStdioAServerDyingMidCallIsAClearError() async throws {
        let toolbox = MCPToolbox(.command(MCPTestServers.pythonStdio).timeouts(startup: .seconds(20)))
        defer { Task { await toolbox.disconnect() } }
        try await toolbox.connect()
        let (error, elapsed) = await measure {
            await #expect(throws: MCPClientError.self) { try await toolbox.call("crash") }
        }
        #expect(elapsed < .seconds(30))
        let message = String(describing: try #require(error))
        #expect(message.contains("exited (status 3) while running tool 'crash'"), "\(message)")
        #expect(message.contains("fixture: crashing on purpose"), "\(message)")
    }

    @Test func overStreamableHTTPWithSSEAnswers() async throws {
        let server = try await PythonHTTPServer.start()
        defer { server.stop() }
        let toolbox = MCPToolbox(.url(server.url).timeouts(startup: .seconds(20)))
        defer { Task { await toolbox.disconnect() } }
        try await exercise(toolbox)
    }

    @Test func overStreamableHTTPWithJSONAnswers() async throws {
        let server = try await PythonHTTPServer.start(json: true)
        defer { server.stop() }
        let tools: [any Tool] = try await .mcp(url: server.url)
        #expect(tools.map(\.name).sorted() == Self.expectedTools)
        let echo = try #require(tools.first { $0.name == "echo" })
        #expect(try await AnyTool(echo).call(arguments: #"{"text": "plain json"}"#) == "plain json")
    }

    @Test func overStreamableHTTPAServerDyingMidCallIsAClearError() async throws {
        let server = try await PythonHTTPServer.start()
        defer { server.stop() }
        let toolbox = MCPToolbox(.url(server.url).timeouts(startup: .seconds(20)))
        defer { Task { await toolbox.disconnect() } }
        try await toolbox.connect()
        let (error, elapsed) = await measure {
            await #expect(throws: MCPClientError.self) { try await toolbox.call("crash") }
        }
        #expect(elapsed < .seconds(30))
        guard case .connectionLost(_, let tool, _) = error else {
            Issue.record("expected connectionLost, got \(String(describing: error))")
            return
        }
        #expect(tool == "crash")
        // Nothing listens any more: the next request says the server cannot be reached.
        await #expect {
            try await toolbox.call("echo", arguments: ["text": "anyone?"])
        } throws: { error in
            String(describing: error).contains("could not be reached") || String(describing: error).contains("was lost")
        }
    }
}

@Suite("MCP over HTTP without a server")
struct MCPHTTPUnreachableTests {
    @Test func aClosedPortIsAClearError() async throws {
        // Port 9 (discard) is closed on loopback here; the refusal is immediate.
        await #expect {
            _ = try await MCPServer.url("http://127.0.0.1:9/mcp").tools()
        } throws: { error in
            guard case .http(_, let status, let detail) = error as? MCPClientError else { return false }
            return status == nil && detail.lowercased().contains("connect")
        }
    }
}
