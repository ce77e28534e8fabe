import Foundation
import Testing
@testable import TroupeTools

/// The real MCP servers the MCP tests start: one built with the same swift-sdk
/// (`mcp-echo-server`) and one written with the reference Python SDK.
enum MCPTestServers {
    /// The `mcp-echo-server` built beside this test bundle.
    static let echoServer: [String] = {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = folder.appendingPathComponent("mcp-echo-server").path
        if FileManager.default.isExecutableFile(atPath: beside) { return [beside] }
        // `swift test` runs an .xctest bundle whose binary sits deeper on some platforms.
        let up = folder.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("mcp-echo-server").path
        return [up]
    }()

    /// The Python fixture server's file.
    static let pythonFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/Fixtures/mcp_fixture_server.py").path

    /// The Python fixture over stdio.
    static var pythonStdio: [String] { ["python3", pythonFixture, "stdio"] }

    /// True when Python's `mcp` package (with FastMCP) can be imported.
    static let pythonMCPInstalled: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import mcp.server.fastmcp"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let pythonMissing = "Python's mcp package is not installed: run scripts/setup (it installs \"mcp<2\")"
}

/// The Python fixture serving streamable HTTP on a free loopback port, for one test.
final class PythonHTTPServer: @unchecked Sendable {
    let process: Process
    let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    /// Starts the server and waits (on a thread of its own, not the cooperative pool)
    /// for it to report its port.
    static func start(json: Bool = false) async throws -> PythonHTTPServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", MCPTestServers.pythonFixture, "http"] + (json ? ["--json"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread {
                // The first line is `PORT <n>`; read byte by byte so nothing else is consumed.
                var bytes = [UInt8]()
                while let byte = try? handle.read(upToCount: 1)?.first, byte != 0x0A { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }.start()
        }
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw MCPClientError.invalidServer("the Python fixture did not report a port (got '\(line)')")
        }
        return PythonHTTPServer(process: process, url: "http://127.0.0.1:\(port)/mcp")
    }

    /// Stops the server (it is ours: killed by its own pid).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}

/// Runs `body` and returns how long it took.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    return (value, clock.now - start)
}
