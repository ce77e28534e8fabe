import Foundation
import Testing
import TroupeCore
import TroupeTools

@Suite("Shell tool")
struct ShellTests {
    @Test func disabledByDefault() async {
        await #expect(throws: ShellToolError.disabled) {
            try await Shell().call(arguments: .init(command: "echo", arguments: ["hi"]))
        }
        #expect(Shell().description.contains("disabled"))
    }

    @Test func runsAllowedCommandsInItsFolder() async throws {
        try await withTemporaryFolder { folder in
            try "one\ntwo\n".write(to: folder.appendingPathComponent("f.txt"), atomically: true, encoding: .utf8)
            let shell = Shell(ShellConfiguration(workingDirectory: folder.path, allowedExecutables: ["wc", "pwd", "ls"]))
            let count = try await shell.call(arguments: .init(command: "wc", arguments: ["-l", "f.txt"]))
            #expect(count.exitCode == 0)
            #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2 f.txt")
            #expect(try await shell.call(arguments: .init(command: "pwd")).stdout == folder.path + "\n")
            let missing = try await shell.call(arguments: .init(command: "ls", arguments: ["nope"]))
            #expect(missing.exitCode != 0)
            #expect(!missing.stderr.isEmpty)
            // Arguments are not shell syntax.
            let literal = try await shell.call(arguments: .init(command: "ls", arguments: ["*; rm -rf f.txt"]))
            #expect(literal.exitCode != 0)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("f.txt").path))
        }
    }

    @Test func theAllowlistIsEnforced() async throws {
        try await withTemporaryFolder { folder in
            let shell = Shell(ShellConfiguration(workingDirectory: folder.path, allowedExecutables: ["echo"]))
            for command in ["rm", "/bin/rm", "../bin/echo", "/usr/bin/echo", "sh", ""] {
                await #expect(performing: { _ = try await shell.call(arguments: .init(command: command)) },
                              throws: { error in
                    guard case ShellToolError.notAllowed = error else { return false }
                    return true
                })
            }
            let echoed = try await shell.call(arguments: .init(command: "echo", arguments: ["a b"]))
            #expect(echoed.stdout == "a b\n")
        }
    }

    @Test func aCommandPastItsTimeoutIsStopped() async throws {
        try await withTemporaryFolder { folder in
            let shell = Shell(ShellConfiguration(workingDirectory: folder.path, allowedExecutables: ["sleep"],
                                                 timeout: .milliseconds(300)))
            let start = ContinuousClock.now
            let result = try await shell.call(arguments: .init(command: "sleep", arguments: ["30"]))
            #expect(result.timedOut)
            #expect(ContinuousClock.now - start < .seconds(20))   // not the 30 s it asked for
        }
    }

    @Test func outputIsCapped() async throws {
        try await withTemporaryFolder { folder in
            let shell = Shell(ShellConfiguration(workingDirectory: folder.path, allowedExecutables: ["seq"],
                                                 maximumOutputBytes: 10))
            let result = try await shell.call(arguments: .init(command: "seq", arguments: ["1", "1000"]))
            #expect(result.truncated)
            #expect(result.stdout == "1\n2\n3\n4\n5\n")
        }
    }
}
