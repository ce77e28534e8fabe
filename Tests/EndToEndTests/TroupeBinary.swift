import Foundation
import Testing

/// Runs the built `troupe` binary as a child process, the way a user would.
struct TroupeBinary {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The binary next to this test bundle (same build folder), else the package's.
    static let url: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("troupe")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/troupe")
    }()

    let store: String
    var environment: [String: String] = [:]

    /// Where every test's folder goes: one folder per test process, removed when
    /// the process exits, so repeated runs leave nothing behind.
    private static let parent: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-e2e-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TroupeBinary.parent) }
        return url
    }()

    /// A binary bound to a fresh store in a fresh temporary folder.
    static func withFreshStore() throws -> TroupeBinary {
        let folder = parent.appendingPathComponent(String(UUID().uuidString.prefix(8)))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return TroupeBinary(store: folder.appendingPathComponent("store.sqlite").path)
    }

    var folder: String { (store as NSString).deletingLastPathComponent }

    /// Starts `troupe ARGS --store STORE` without waiting.
    func start(_ arguments: [String], store useStore: Bool = true) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = Self.url
        process.arguments = arguments + (useStore ? ["--store", store] : [])
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        env["TROUPE_STORE"] = nil
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Runs `troupe ARGS --store STORE` to the end.
    ///
    /// The child is waited for on a thread of its own: blocking one of Swift's
    /// cooperative threads (two on this machine) would stall every other test.
    @discardableResult
    func run(_ arguments: [String], store useStore: Bool = true) async throws -> Output {
        let (process, out, err) = try start(arguments, store: useStore)
        return await withCheckedContinuation { continuation in
            let waiter = Thread {
                // Read before waiting so a full pipe cannot block the child.
                let stdout = out.fileHandleForReading.readDataToEndOfFile()
                let stderr = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: Output(
                    status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                    stderr: String(decoding: stderr, as: UTF8.self)))
            }
            waiter.start()
        }
    }

    /// Runs and decodes stdout as JSON.
    func json(_ arguments: [String]) async throws -> [String: Any] {
        let output = try await run(arguments)
        guard output.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        else {
            Issue.record("troupe \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
            return [:]
        }
        return object
    }
}
