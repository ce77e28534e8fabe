import Foundation
import Testing
import TroupeStore

@Suite("Where the store lives")
struct StoreLocationTests {
    @Test("--store wins over TROUPE_STORE, which wins over traces/troupe.sqlite")
    func precedence() async throws {
        try await withTemporaryDirectory { folder in
            let cwd = folder.path
            let env = ["TROUPE_STORE": "/env/store.sqlite"]
            #expect(try StoreLocation.resolve(explicit: "/x/flag.sqlite", environment: env, workingDirectory: cwd)
                    == "/x/flag.sqlite")
            #expect(try StoreLocation.resolve(explicit: "rel/flag.sqlite", environment: env, workingDirectory: cwd)
                    == folder.appendingPathComponent("rel/flag.sqlite").standardizedFileURL.path)
            #expect(try StoreLocation.resolve(explicit: nil, environment: env, workingDirectory: cwd)
                    == "/env/store.sqlite")
            let fallback = try StoreLocation.resolve(explicit: nil, environment: [:], workingDirectory: cwd)
            #expect(fallback == folder.appendingPathComponent("traces/troupe.sqlite").path)
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("traces").path, isDirectory: &isDirectory))
            #expect(isDirectory.boolValue)
        }
    }
}
