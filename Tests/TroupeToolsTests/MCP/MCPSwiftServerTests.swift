import Foundation
import Testing
import TroupeCore
@testable import TroupeTools

/// Against `mcp-echo-server`, a stdio server built with the same swift-sdk.
@Suite("MCP client against a swift-sdk server over stdio")
struct MCPSwiftServerTests {
    let server = MCPServer.command(MCPTestServers.echoServer).timeouts(startup: .seconds(10), call: .seconds(10))

    @Test func listsToolsWithTheirSchemas() async throws {
        let toolbox = try await server.connect()
        defer { Task { await toolbox.disconnect() } }
        let tools = try await toolbox.tools()
        #expect(tools.map(\.name) == ["echo", "add", "fail", "crash", "sleep"])
        let echo = try #require(tools.first)
        #expect(echo.description == "Returns its text unchanged.")
        #expect(echo.parameters["properties"]?["text"]?["type"] == "string")
        #expect(echo.parameters["required"] == ["text"])
    }

    @Test func callsToolsAndJoinsTheirText() async throws {
        let toolbox = MCPToolbox(server)
        defer { Task { await toolbox.disconnect() } }
        #expect(try await toolbox.call("echo", arguments: ["text": "hello"]) == MCPToolResult(text: "hello"))
        #expect(try await toolbox.call("add", arguments: ["a": 2, "b": 40]).text == "42")
        // Calls run at once over one connection.
        async let first = toolbox.call("add", arguments: ["a": 1, "b": 1])
        async let second = toolbox.call("echo", arguments: ["text": "x"])
        #expect(try await (first.text, second.text) == ("2", "x"))
    }

    @Test func anErrorResultFailsTheTool() async throws {
        let tools = try await server.tools()
        let fail = try #require(tools.first { $0.name == "fail" })
        #expect(try await fail.toolbox.call("fail").isError)
        await #expect(throws: ToolError.failed(tool: "fail", reason: "this tool always fails")) {
            try await fail.call(arguments: [:])
        }
        // Through the type-erased tool an agent holds, with the model's JSON.
        let add = try #require(tools.first { $0.name == "add" })
        #expect(try await AnyTool(add).call(arguments: #"{"a": 3, "b": 4}"#) == "7")
        await add.toolbox.disconnect()
    }

    @Test func aServerDyingMidCallIsAClearErrorAndTheNextCallRestartsIt() async throws {
        let toolbox = MCPToolbox(server)
        defer { Task { await toolbox.disconnect() } }
        _ = try await toolbox.call("echo", arguments: ["text": "warm up"])
        let (error, elapsed) = await measure {
            await #expect(throws: MCPClientError.self) { try await toolbox.call("crash") }
        }
        #expect(elapsed < .seconds(30))
        guard case .exitedDuringCall(_, let tool, let exit) = error else {
            Issue.record("expected exitedDuringCall, got \(String(describing: error))")
            return
        }
        #expect(tool == "crash")
        #expect(exit.status == 3 && !exit.signaled)
        #expect(exit.stderr.contains("crashing on purpose"))
        let message = String(describing: try #require(error))
        #expect(message.contains("exited (status 3) while running tool 'crash'"))
        #expect(message.contains("its stderr said: mcp-echo-server: crashing on purpose"))
        // The next call starts a fresh server.
        #expect(try await toolbox.call("echo", arguments: ["text": "again"]).text == "again")
    }

    @Test func aSlowCallTimesOutAndTheSessionLivesOn() async throws {
        let toolbox = try await server.connect()
        defer { Task { await toolbox.disconnect() } }
        let (error, elapsed) = await measure {
            await #expect(throws: MCPClientError.self) {
                try await toolbox.call("sleep", arguments: ["seconds": 120], timeout: .milliseconds(300))
            }
        }
        #expect(elapsed < .seconds(30))
        guard case .timedOut(_, let operation, _) = error else {
            Issue.record("expected timedOut, got \(String(describing: error))")
            return
        }
        #expect(operation == "tools/call 'sleep'")
        #expect(try await toolbox.call("echo", arguments: ["text": "still here"]).text == "still here")
    }

    @Test func anUnknownToolIsTheServersError() async throws {
        let toolbox = MCPToolbox(server)
        defer { Task { await toolbox.disconnect() } }
        await #expect {
            try await toolbox.call("nope")
        } throws: { error in
            guard case .serverError(_, let code, let message) = error as? MCPClientError else { return false }
            return code == -32602 && message.contains("no tool named nope")
        }
    }

    @Test func aMissingCommandSaysSo() async throws {
        await #expect(throws: MCPClientError.serverNotFound(command: "/nonexistent/mcp-server", searched: [])) {
            _ = try await MCPServer.command(["/nonexistent/mcp-server"]).tools()
        }
        await #expect {
            _ = try await MCPServer.command(["troupe-no-such-mcp-server"]).tools()
        } throws: { error in
            String(describing: error).contains("'troupe-no-such-mcp-server' was not found on PATH")
        }
    }

    @Test func aServerThatExitsAtStartShowsItsStderr() async throws {
        let broken = MCPServer.command(["/bin/sh", "-c", "echo 'no config file' >&2; exit 7"])
        await #expect(throws: MCPClientError.self) { _ = try await broken.tools() }
        do {
            _ = try await broken.tools()
        } catch let error as MCPClientError {
            #expect(error == .exitedAtStart(server: "'/bin/sh -c echo 'no config file' >&2; exit 7'",
                                            exit: MCPServerExit(status: 7, stderr: "no config file")))
        }
    }

    @Test func aServerThatNeverAnswersTimesOutAtStart() async throws {
        let silent = MCPServer.command(["/bin/sh", "-c", "exec sleep 120"]).timeouts(startup: .milliseconds(400))
        let (result, elapsed) = await measure { () -> Result<[MCPTool], any Error> in
            do { return .success(try await silent.tools()) } catch { return .failure(error) }
        }
        #expect(elapsed < .seconds(30))
        guard case .failure(let error) = result, case .timedOut(_, let operation, _) = error as? MCPClientError else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(operation == "the initialize handshake")
    }

    @Test func toolsPlugIntoTheDSL() async throws {
        let tools: [any Tool] = try await .mcp(command: MCPTestServers.echoServer)
        let agent = Agent("helper", instructions: "Use the tools.", tools: tools)
        #expect(agent.tools.map(\.name).contains("add"))
        let prefixed = try await MCPServer.command(MCPTestServers.echoServer).prefixed("calc.").tools()
        #expect(prefixed.first?.name == "calc_echo" && prefixed.first?.remoteName == "echo")
        await prefixed.first?.toolbox.disconnect()
        for case let tool as MCPTool in tools { await tool.toolbox.disconnect(); break }
    }
}
