import Foundation
@testable import TroupeKernel

/// Paths the kernel tests share: the package root, the default model, the reference data.
enum Fixtures {
    /// The package root, found from this file's location (Tests/TroupeKernelTests/).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The default model, from `$TROUPE_MODELS` or `models/` (run scripts/setup).
    static let modelURL: URL = {
        let folder = ProcessInfo.processInfo.environment["TROUPE_MODELS"]
            .map { URL(fileURLWithPath: $0) } ?? packageRoot.appendingPathComponent("models")
        return folder.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf")
    }()

    /// llama.cpp's outputs for the default model (../shared/reference/).
    static let referenceURL: URL = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/reference/smollm2-llamacpp.json")

    /// The default model, opened once for all tests.
    static let model = Result { try GGUFFile(url: modelURL) }

    /// The default model's tokenizer, built once for all tests.
    static let tokenizer = Result { try Tokenizer(file: model.get()) }

    /// A fresh path in the temporary directory; the caller removes it.
    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("troupe-kernel-tests-\(UUID().uuidString)-\(name)")
    }

    /// Writes `data` to a fresh temporary file, runs `body` with its path, removes it.
    static func withFile<T>(_ data: Data, _ body: (String) throws -> T) throws -> T {
        let url = temporaryFile("file.gguf")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }
}
