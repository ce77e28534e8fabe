import Foundation
import Testing

/// `troupe tools list/call --mcp`, against the Python SDK's fixture server over stdio.
@Suite("troupe tools --mcp, end to end", .enabled(if: PythonMCPFixture.installed,
                                                  "Python's mcp package is missing: run scripts/setup"))
struct ToolsMCPTests {
    static var server: String { "python3 \(PythonMCPFixture.path) stdio" }

    @Test func listsTheServersTools() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["tools", "list", "--mcp", Self.server], store: false)
        #expect(output.status == 0, "\(output.stderr)")
        for name in ["add", "echo", "fail", "crash", "sleep"] { #expect(output.stdout.contains(name)) }
        #expect(output.stdout.contains("Adds two integers."))
    }

    @Test func callsATool() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["tools", "call", "add", "--args", #"{"a": 2, "b": 40}"#, "--mcp", Self.server],
                                    store: false)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "42\n")
    }

    @Test func aToolErrorAndADyingServerExitOne() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let failed = try await troupe.run(["tools", "call", "fail", "--args", #"{"reason": "e2e"}"#, "--mcp", Self.server],
                                    store: false)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("fail was asked to fail: e2e"))
        let crashed = try await troupe.run(["tools", "call", "crash", "--mcp", Self.server], store: false)
        #expect(crashed.status == 1)
        #expect(crashed.stderr.contains("exited (status 3) while running tool 'crash'"), "\(crashed.stderr)")
        #expect(crashed.stderr.contains("fixture: crashing on purpose"))
    }

    @Test func aMissingServerIsAClearError() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["tools", "list", "--mcp", "troupe-no-such-server --flag"], store: false)
        #expect(output.status == 1)
        #expect(output.stderr.contains("'troupe-no-such-server' was not found on PATH"))
    }
}

/// The Python SDK's fixture server (see Tests/Support/Fixtures) and whether it can run.
enum PythonMCPFixture {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/Fixtures/mcp_fixture_server.py").path

    static let installed: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import mcp.server.fastmcp"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
