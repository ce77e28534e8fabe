import Foundation
import Logging
import MCP
import Synchronization

/// The streamable HTTP transport: each JSON-RPC message is POSTed to the server's
/// endpoint, and the answer comes back either as one `application/json` body or as a
/// `text/event-stream` whose events are parsed as they arrive.
///
/// - The session id the server assigns at `initialize` (`Mcp-Session-Id`) and the
///   negotiated protocol version (`MCP-Protocol-Version`) go with every later request.
/// - A POST runs until its answer is complete, so a failed exchange (connection
///   refused or reset, a status that is not 2xx) fails the request that sent it.
/// - `disconnect()` aborts exchanges in flight and ends the session with a DELETE.
/// - The optional GET stream for server-initiated messages is not opened: tool
///   listing and calls never need it.
actor MCPHTTPTransport: MCP.Transport {
    nonisolated let logger: Logger
    private let url: String
    private let extraHeaders: [String: String]
    private let connectTimeout: Duration
    private let messages: AsyncThrowingStream<Data, any Error>
    private let sink: AsyncThrowingStream<Data, any Error>.Continuation
    private let session = SessionState()
    private var inFlight: [ObjectIdentifier: MCPHTTPExchange] = [:]
    private var closed = false

    init(url: String, headers: [String: String] = [:], connectTimeout: Duration) {
        self.url = url
        self.extraHeaders = headers
        self.connectTimeout = connectTimeout
        self.logger = MCPLogging.silent
        (messages, sink) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw MCPClientError.invalidServer("'\(url)' is not an http:// or https:// URL; give the server's full URL, or a command to run it over stdio")
        }
    }

    func disconnect() async {
        guard !closed else { return }
        closed = true
        for exchange in inFlight.values { exchange.cancel() }
        inFlight = [:]
        sink.finish(throwing: MCPTransportClosed(exit: nil))
        if let id = session.current.id {
            // Ending the session is a courtesy to the server: best effort, briefly.
            let end = MCPHTTPExchange(url: url, method: "DELETE", headerLines: ["Mcp-Session-Id: \(id)"],
                                      connectTimeout: .seconds(1))
            Task { _ = try? await end.perform() }
            Task {
                try? await Task.sleep(for: .seconds(2))
                end.cancel()
            }
        }
    }

    func send(_ data: Data) async throws {
        guard !closed else { throw MCPTransportClosed(exit: nil) }
        let state = session.current
        var lines = ["Content-Type: application/json", "Accept: application/json, text/event-stream"]
        if let id = state.id { lines.append("Mcp-Session-Id: \(id)") }
        if let version = state.protocolVersion { lines.append("MCP-Protocol-Version: \(version)") }
        lines += extraHeaders.map { "\($0.key): \($0.value)" }

        let reader = AnswerReader(sink: sink, session: session)
        let exchange = MCPHTTPExchange(
            url: url, headerLines: lines, body: data, connectTimeout: connectTimeout,
            onHead: { reader.begin($0) }, onBody: { reader.consume($0) })
        let key = ObjectIdentifier(exchange)
        inFlight[key] = exchange
        defer { inFlight[key] = nil }

        let head: MCPHTTPExchange.Head
        do {
            head = try await exchange.perform()
        } catch let failure as MCPHTTPExchange.Failure {
            throw MCPHTTPFailure(status: nil, detail: failure.description)
        }
        reader.end()
        guard (200..<300).contains(head.status) else {
            let text = reader.errorText
            var detail = text.isEmpty ? "no explanation in the body" : text
            if head.status == 404, state.id != nil {
                detail = "the server no longer knows this session (\(detail)); reconnect"
            }
            throw MCPHTTPFailure(status: head.status, detail: detail)
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { messages }
}

/// An HTTP exchange with the server failed.
struct MCPHTTPFailure: Error, CustomStringConvertible {
    var status: Int?
    var detail: String
    var description: String { (status.map { "HTTP \($0): " } ?? "") + detail }
}

/// The session id and protocol version, learnt from answers on transfer threads.
private final class SessionState: Sendable {
    struct Values {
        var id: String?
        var protocolVersion: String?
    }

    private let values = Mutex(Values())

    var current: Values { values.withLock { $0 } }

    func learn(sessionID: String) { values.withLock { $0.id = sessionID } }

    /// Picks the protocol version out of the `initialize` answer, the first that has one.
    func learnVersion(from message: Data) {
        guard values.withLock({ $0.protocolVersion == nil }),
              let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
              let result = object["result"] as? [String: Any],
              let version = result["protocolVersion"] as? String
        else { return }
        values.withLock { $0.protocolVersion = version }
    }
}

/// Reads one answer on its transfer thread: a JSON body whole, an event stream event
/// by event, an error body as text.
private final class AnswerReader: @unchecked Sendable {
    private enum Mode { case json, events, error }

    private let sink: AsyncThrowingStream<Data, any Error>.Continuation
    private let session: SessionState
    // Transfer-thread state: one thread per exchange, callbacks one at a time.
    private var mode = Mode.error
    private var body: [UInt8] = []
    private var parser = SSEParser()

    init(sink: AsyncThrowingStream<Data, any Error>.Continuation, session: SessionState) {
        self.sink = sink
        self.session = session
    }

    func begin(_ head: MCPHTTPExchange.Head) {
        if let id = head.headers["mcp-session-id"], !id.isEmpty { session.learn(sessionID: id) }
        guard (200..<300).contains(head.status) else { mode = .error; return }
        mode = head.contentType.hasPrefix("text/event-stream") ? .events : .json
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        switch mode {
        case .json:
            body.append(contentsOf: bytes)
        case .error:
            if body.count < 2048 { body.append(contentsOf: bytes.prefix(2048 - body.count)) }
        case .events:
            for event in parser.feed(bytes) where event.type == "message" && !event.data.isEmpty {
                deliver(Data(event.data.utf8))
            }
        }
    }

    /// The answer is complete.
    func end() {
        if mode == .json, body.contains(where: { !Self.isSpace($0) }) {
            deliver(Data(body))
        }
    }

    /// The body of an answer that failed, as text.
    var errorText: String {
        mode == .error ? String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }

    private func deliver(_ message: Data) {
        session.learnVersion(from: message)
        sink.yield(message)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
