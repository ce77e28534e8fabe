import Foundation
import Logging
import MCP

/// The stdio transport: starts the server as a child process and exchanges
/// newline-delimited JSON-RPC messages over its standard input and output.
///
/// Unlike the SDK's `StdioTransport`, it spawns the server itself and reads with a
/// blocking thread (no polling delay per message). The receive stream ends with
/// ``MCPTransportClosed`` when the server's output ends; `onExit` reports how the
/// process ended. `disconnect()` ends the child.
actor MCPStdioTransport: MCP.Transport {
    nonisolated let logger: Logger
    private let command: [String]
    private let environment: [String: String]
    private let workingDirectory: String?
    private let onExit: @Sendable (MCPServerExit) -> Void
    private let messages: AsyncThrowingStream<Data, any Error>
    private let sink: AsyncThrowingStream<Data, any Error>.Continuation
    private var process: MCPServerProcess?

    init(command: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
         onExit: @escaping @Sendable (MCPServerExit) -> Void) {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.onExit = onExit
        self.logger = MCPLogging.silent
        (messages, sink) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        guard process == nil else { return }
        let sink = self.sink, onExit = self.onExit
        process = try MCPServerProcess(
            command: command, environment: environment, workingDirectory: workingDirectory,
            onMessage: { sink.yield($0) },
            onExit: { exit in
                // Finishing with an error (not normally) also ends the SDK client's
                // receive loop, which would otherwise ask for the stream again.
                sink.finish(throwing: MCPTransportClosed(exit: exit))
                onExit(exit)
            })
    }

    func disconnect() async {
        process?.stop()
        process = nil
        sink.finish(throwing: MCPTransportClosed(exit: nil))
    }

    func send(_ data: Data) async throws {
        guard let process else { throw MCPTransportClosed(exit: nil) }
        do {
            try await process.write(data)
        } catch let error as POSIXError where error.code == .EPIPE {
            // The server is gone; its end (status, stderr) reaches the caller through
            // `onExit`, which says more than EPIPE would.
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { messages }
}

/// The transport's connection has ended; `exit` says how, when a process ended it.
struct MCPTransportClosed: Error, CustomStringConvertible {
    var exit: MCPServerExit?
    var description: String { "the connection to the MCP server is closed" }
}

/// Loggers for the SDK, which logs through the transport's logger: silent, since
/// every failure reaches the caller as an ``MCPClientError``.
enum MCPLogging {
    static let silent = Logger(label: "troupe.mcp", factory: { _ in SwiftLogNoOpLogHandler() })
}
