import Foundation

/// Runs `body` with a fresh temporary folder (symbolic links resolved), removed afterwards.
func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let base = FileManager.default.temporaryDirectory
        .appendingPathComponent("troupe-tools-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: base) }
    return try await body(base.resolvingSymlinksInPath())
}
