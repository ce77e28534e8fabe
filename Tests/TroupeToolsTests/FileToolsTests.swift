import Foundation
import Testing
import TroupeCore
import TroupeTools

@Suite("File tools in a sandbox")
struct FileToolsTests {
    @Test func writeReadAndListInsideTheSandbox() async throws {
        try await withTemporaryFolder { folder in
            let root = folder.appendingPathComponent("box")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let sandbox = try FileSandbox(root: root.path)
            #expect(try await WriteFile(sandbox: sandbox).call(arguments: .init(path: "notes/a.txt", content: "héllo"))
                == "wrote 6 bytes to notes/a.txt")
            #expect(try await ReadFile(sandbox: sandbox).call(arguments: .init(path: "notes/./a.txt")) == "héllo")
            _ = try await WriteFile(sandbox: sandbox).call(arguments: .init(path: "b.txt", content: ""))
            #expect(try await ListFiles(sandbox: sandbox).call(arguments: .init()) == "b.txt\nnotes/")
            #expect(try await ListFiles(sandbox: sandbox).call(arguments: .init(path: "notes")) == "a.txt")
            #expect(sandbox.tools.map(\.name) == ["read_file", "write_file", "list_files"])
        }
    }

    @Test func escapesAreRefused() async throws {
        try await withTemporaryFolder { folder in
            let root = folder.appendingPathComponent("box")
            let outside = folder.appendingPathComponent("secret.txt")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try "top secret".write(to: outside, atomically: true, encoding: .utf8)
            let fm = FileManager.default
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("link.txt").path, withDestinationPath: outside.path)
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("up").path, withDestinationPath: folder.path)
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("inner").path,
                                      withDestinationPath: root.appendingPathComponent("sub").path)
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("dangling").path,
                                      withDestinationPath: folder.appendingPathComponent("new.txt").path)
            let sandbox = try FileSandbox(root: root.path)
            let read = ReadFile(sandbox: sandbox)
            let write = WriteFile(sandbox: sandbox)

            for path in ["../secret.txt", "sub/../../secret.txt", outside.path, "/etc/passwd", "~/x", "link.txt", "up/secret.txt"] {
                await #expect(performing: { _ = try await read.call(arguments: .init(path: path)) },
                              throws: { error in
                    guard case FileToolError.outsideSandbox = error else { return false }
                    return true
                })
            }
            for path in ["../escape.txt", "up/escape.txt", "dangling", "link.txt", "/tmp/escape.txt"] {
                await #expect(performing: { _ = try await write.call(arguments: .init(path: path, content: "x")) },
                              throws: { error in
                    guard case FileToolError.outsideSandbox = error else { return false }
                    return true
                })
            }
            #expect(!fm.fileExists(atPath: folder.appendingPathComponent("escape.txt").path))
            #expect(!fm.fileExists(atPath: folder.appendingPathComponent("new.txt").path))
            #expect(try String(contentsOf: outside, encoding: .utf8) == "top secret")
            await #expect(performing: { _ = try await ListFiles(sandbox: sandbox).call(arguments: .init(path: "up")) },
                          throws: { error in
                guard case FileToolError.outsideSandbox = error else { return false }
                return true
            })
            // A link that stays inside is fine.
            _ = try await write.call(arguments: .init(path: "inner/ok.txt", content: "fine"))
            #expect(try await read.call(arguments: .init(path: "sub/ok.txt")) == "fine")
        }
    }

    @Test func missingFilesFoldersAndSizeLimitsAreClearErrors() async throws {
        try await withTemporaryFolder { folder in
            var sandbox = try FileSandbox(root: folder.path)
            sandbox.maximumFileSize = 4
            await #expect(throws: FileToolError.notFound("nope.txt")) {
                try await ReadFile(sandbox: sandbox).call(arguments: .init(path: "nope.txt"))
            }
            await #expect(throws: FileToolError.tooLarge("big.txt", size: 5, limit: 4)) {
                try await WriteFile(sandbox: sandbox).call(arguments: .init(path: "big.txt", content: "12345"))
            }
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("dir"), withIntermediateDirectories: true)
            await #expect(throws: FileToolError.isAFolder("dir")) {
                try await ReadFile(sandbox: sandbox).call(arguments: .init(path: "dir"))
            }
            #expect(throws: FileToolError.noSuchFolder("/no/such/folder")) { try FileSandbox(root: "/no/such/folder") }
        }
    }
}
