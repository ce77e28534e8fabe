import Foundation
import Testing
import TroupeCore
import TroupeStore

/// Several `troupe` processes share one store: they race to create it, then
/// contend for its write lock on every commit. None may fail with "database is
/// locked", and every commit must be there afterwards.
@Suite("Several processes, one store")
struct MultiProcessStoreTests {
    @Test("four processes write one store at once with no lock failure")
    func fourWriters() async throws {
        let binary = try #require(Self.troupeBinary(), "the built troupe binary was not found next to the tests")
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("troupe-multiprocess-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("shared.sqlite").path
        let writes = 400

        let results = try await withThrowingTaskGroup(of: ChildResult.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await Self.launch(binary, ["store-stress", "--store", store, "--writes", "\(writes)"])
                }
            }
            return try await group.reduce(into: [ChildResult]()) { $0.append($1) }
        }

        var runIDs: [String] = []
        for result in results {
            #expect(result.status == 0, "store-stress failed: \(result.standardError)")
            #expect(!result.standardError.localizedCaseInsensitiveContains("locked"))
            let report = try JSONDecoder().decode(StoreStress.Report.self, from: Data(result.standardOutput.utf8))
            #expect(report.writes == writes)
            runIDs.append(report.runID)
        }
        #expect(Set(runIDs).count == 4)

        let journal = try SQLiteJournal(path: store)
        let runs = try await journal.runs()
        #expect(Set(runs.map(\.id)) == Set(runIDs))
        for run in runs {
            #expect(run.status == .completed)
            let effects = try await journal.effects(runID: run.id)
            #expect(effects.count == writes)
            #expect(Set(effects.map(\.seq)) == Set(0..<writes))
        }
        try await journal.close()
    }

    struct ChildResult: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `binary` with `arguments` to completion, without blocking a thread of
    /// the cooperative pool while it runs. Output goes to files, not pipes, so a
    /// chatty child can never block on a full pipe.
    static func launch(_ binary: URL, _ arguments: [String]) async throws -> ChildResult {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("troupe-child-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.finish() }
        try process.run()
        for await _ in finished.stream {}
        return ChildResult(
            status: process.terminationStatus,
            standardOutput: try String(contentsOf: outURL, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines),
            standardError: try String(contentsOf: errURL, encoding: .utf8))
    }

    /// `troupe` as built next to this test bundle (`.build/debug/troupe`).
    static func troupeBinary() -> URL? {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            testBinary.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
            testBinary.deletingLastPathComponent().deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("troupe") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
