import Foundation
import MCP
import TroupeCore

/// A connection to one MCP server: starts or reaches it, completes the `initialize`
/// handshake, lists its tools and calls them.
///
/// ```swift
/// let toolbox = try await MCPServer.command(["python3", "server.py"]).connect()
/// let tools = try await toolbox.tools()          // [MCPTool], ready for an Agent
/// let sum = try await toolbox.call("add", arguments: ["a": 2, "b": 3])
/// await toolbox.disconnect()
/// ```
///
/// - Concurrency: an actor; calls may run at once over the one connection.
/// - Connecting is lazy and shared: the first request connects, later ones reuse the
///   session. If the server dies, requests in flight fail with
///   ``MCPClientError/exitedDuringCall(server:tool:exit:)`` and the next request
///   starts it again.
/// - Every request is bounded: ``MCPServer/startupTimeout`` for the handshake and
///   listings, ``MCPServer/callTimeout`` for a tool call. A timed-out call is
///   cancelled on the server (`notifications/cancelled`); the session stays open.
/// - Cancelling the calling task cancels the request the same way.
/// - `disconnect()` (or the last reference going away) ends a server Troupe started.
public actor MCPToolbox {
    /// The server this toolbox talks to.
    public nonisolated let server: MCPServer

    private struct Session: Sendable {
        let id: Int
        let client: Client
    }

    private enum State {
        case idle
        case connecting(id: Int, Task<Session, any Error>)
        case ready(Session)
    }

    private var state = State.idle
    private var nextSessionID = 0
    /// Clients of sessions not yet shut down, by session id.
    private var clients: [Int: Client] = [:]
    /// How each server process that ended did so, by session id.
    private var exits: [Int: MCPServerExit] = [:]

    public init(_ server: MCPServer) {
        self.server = server
    }

    deinit {
        for client in clients.values { Task { await client.disconnect() } }
    }

    /// Connects now rather than at the first request; does nothing when connected.
    public func connect() async throws {
        _ = try await session()
    }

    /// The server's tools as Troupe tools, named with the server's ``MCPServer/toolPrefix``.
    public func tools() async throws -> [MCPTool] {
        let session = try await session()
        var listed: [MCP.Tool] = []
        var cursor: String?
        repeat {
            let request = cursor.map { ListTools.request(.init(cursor: $0)) } ?? ListTools.request(.init())
            let page = try await perform(request, on: session, timeout: server.startupTimeout,
                                         operation: "tools/list", tool: nil)
            listed += page.tools
            cursor = page.nextCursor
        } while cursor != nil && listed.count < 10_000
        return listed.map { tool in
            MCPTool(name: MCPTool.localName(server.toolPrefix + tool.name), remoteName: tool.name,
                    description: tool.description ?? tool.title ?? "",
                    parameters: JSONValue(mcp: tool.inputSchema), timeout: server.callTimeout, toolbox: self)
        }
    }

    /// Calls the tool the server names `name` with `arguments` (a JSON object).
    ///
    /// - Returns: the answer; an answer flagged `isError` is returned, not thrown.
    /// - Throws: ``MCPClientError`` when the server cannot be reached, exits, times out
    ///   or refuses the request; `ToolError.invalidArguments` when `arguments` is not
    ///   an object.
    public func call(_ name: String, arguments: JSONValue = [:], timeout: Duration? = nil) async throws
        -> MCPToolResult
    {
        let members: [String: MCP.Value]?
        switch arguments {
        case .object(let object): members = object.mapValues(\.mcpValue)
        case .null: members = nil
        default:
            throw ToolError.invalidArguments(tool: name, reason: "the arguments must be a JSON object")
        }
        let session = try await session()
        let request = CallTool.request(.init(name: name, arguments: members))
        let result = try await perform(request, on: session, timeout: timeout ?? server.callTimeout,
                                       operation: "tools/call '\(name)'", tool: name)
        return MCPToolResult(result)
    }

    /// Ends the session; a server Troupe started is stopped. A later request reconnects.
    public func disconnect() async {
        if case .connecting(_, let task) = state { task.cancel() }
        state = .idle
        let open = Array(clients.values)
        clients = [:]
        for client in open { await client.disconnect() }
    }

    // MARK: - Sessions

    private func session() async throws -> Session {
        switch state {
        case .ready(let session):
            return session
        case .connecting(_, let task):
            return try await task.value
        case .idle:
            nextSessionID += 1
            let id = nextSessionID
            let task = Task { try await self.open(id) }
            state = .connecting(id: id, task)
            do {
                let session = try await task.value
                if case .connecting(let current, _) = state, current == id { state = .ready(session) }
                return session
            } catch {
                if case .connecting(let current, _) = state, current == id { state = .idle }
                throw error
            }
        }
    }

    private func open(_ id: Int) async throws -> Session {
        let transport: any MCP.Transport
        switch server.endpoint {
        case .command(let words, let environment, let directory):
            transport = MCPStdioTransport(
                command: words, environment: environment, workingDirectory: directory,
                onExit: { [weak self] exit in Task { await self?.ended(session: id, exit: exit) } })
        case .url(let url, let headers):
            transport = MCPHTTPTransport(url: url, headers: headers, connectTimeout: server.startupTimeout)
        }
        let client = Client(name: "troupe", version: "1.0")
        clients[id] = client
        let deadline = MCPDeadline(after: server.startupTimeout) { await client.disconnect() }
        defer { deadline.cancel() }
        do {
            _ = try await client.connect(transport: transport)
            return Session(id: id, client: client)
        } catch {
            let explained = await explain(error, session: id, operation: "the initialize handshake", tool: nil,
                                          timedOut: deadline.expired, after: server.startupTimeout, starting: true)
            clients[id] = nil
            await client.disconnect()
            throw explained
        }
    }

    /// The server process of session `id` ended: fail its requests in flight (the SDK
    /// client would otherwise wait for answers that cannot come).
    private func ended(session id: Int, exit: MCPServerExit) async {
        exits[id] = exit
        if case .ready(let session) = state, session.id == id { state = .idle }
        if let client = clients.removeValue(forKey: id) { await client.disconnect() }
    }

    // MARK: - Requests

    private func perform<M: MCP.Method>(_ request: Request<M>, on session: Session, timeout: Duration,
                                        operation: String, tool: String?) async throws -> M.Result {
        let client = session.client
        let context: RequestContext<M.Result>
        do {
            context = try await client.send(request)
        } catch {
            throw await explain(error, session: session.id, operation: operation, tool: tool,
                                timedOut: false, after: timeout, starting: false)
        }
        let requestID = context.requestID
        let deadline = MCPDeadline(after: timeout) {
            try? await client.cancelRequest(requestID, reason: "timed out")
        }
        defer { deadline.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await context.value
            } onCancel: {
                Task { try? await client.cancelRequest(requestID, reason: "cancelled by the client") }
            }
        } catch {
            throw await explain(error, session: session.id, operation: operation, tool: tool,
                                timedOut: deadline.expired, after: timeout, starting: false)
        }
    }

    /// Turns whatever failed into an ``MCPClientError`` that says what happened.
    private func explain(_ error: any Error, session id: Int, operation: String, tool: String?,
                         timedOut: Bool, after timeout: Duration, starting: Bool) async -> any Error {
        if let error = error as? MCPClientError { return error }
        if let error = error as? ToolError { return error }
        if timedOut { return MCPClientError.timedOut(server: server.description, operation: operation, after: timeout) }
        if let exit = exits[id] {
            return starting ? MCPClientError.exitedAtStart(server: server.description, exit: exit)
                : MCPClientError.exitedDuringCall(server: server.description, tool: tool, exit: exit)
        }
        if error is CancellationError { return error }
        if let failure = error as? MCPHTTPFailure {
            if failure.status == nil, !starting {
                return MCPClientError.connectionLost(server: server.description, tool: tool, detail: failure.detail)
            }
            return MCPClientError.http(server: server.description, status: failure.status, detail: failure.detail)
        }
        if error is MCPTransportClosed {
            return MCPClientError.connectionLost(server: server.description, tool: tool,
                                                 detail: "the connection was closed")
        }
        if let error = error as? MCPError {
            switch error {
            case .internalError(let detail) where detail == "Client disconnected":
                return MCPClientError.connectionLost(server: server.description, tool: tool,
                                                     detail: "the connection was closed")
            case .connectionClosed:
                return MCPClientError.connectionLost(server: server.description, tool: tool,
                                                     detail: "the connection was closed")
            case .transportError(let underlying):
                return MCPClientError.protocolError(server: server.description, detail: "\(underlying)")
            case .parseError(let detail):
                return MCPClientError.protocolError(server: server.description, detail: detail ?? "unparsable answer")
            default:
                return MCPClientError.serverError(server: server.description, code: error.code,
                                                  message: Self.message(of: error))
            }
        }
        if error is DecodingError {
            return MCPClientError.protocolError(server: server.description,
                                                detail: "an answer did not decode (\(error))")
        }
        return MCPClientError.protocolError(server: server.description, detail: "\(error)")
    }

    private static func message(of error: MCPError) -> String {
        switch error {
        case .invalidRequest(let detail), .methodNotFound(let detail), .invalidParams(let detail),
             .internalError(let detail), .parseError(let detail):
            return detail ?? "no details"
        case .serverError(_, let message):
            return message
        default:
            return "\(error)"
        }
    }
}
