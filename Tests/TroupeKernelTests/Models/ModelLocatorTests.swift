import Foundation
import Testing
@testable import TroupeKernel

@Suite("Model locator and summary")
struct ModelLocatorTests {
    @Test("finds the default model through TROUPE_MODELS, by name, by prefix and by path")
    func locates() throws {
        let folder = Fixtures.modelURL.deletingLastPathComponent()
        let locator = ModelLocator(environment: ["TROUPE_MODELS": folder.path])
        #expect(locator.directory.standardizedFileURL == folder.standardizedFileURL)
        #expect(try locator.url(for: nil).lastPathComponent == ModelLocator.defaultFileName)
        #expect(try locator.url(for: "SmolLM2-135M-Instruct.Q4_1").lastPathComponent == ModelLocator.defaultFileName)
        #expect(try locator.url(for: "smollm2").lastPathComponent == ModelLocator.defaultFileName)
        #expect(try locator.url(for: Fixtures.modelURL.path) == Fixtures.modelURL)
        #expect(locator.localModels().contains { $0.lastPathComponent == ModelLocator.defaultFileName })
        let cwd = ModelLocator(environment: [:])
        #expect(cwd.directory.lastPathComponent == "models")
    }

    @Test("a missing model is an error that says to run scripts/setup")
    func missing() throws {
        let empty = Fixtures.temporaryFile("models")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let locator = ModelLocator(directory: empty)
        #expect(locator.localModels().isEmpty)
        #expect(throws: ModelLocatorError.notFound(name: ModelLocator.defaultFileName, searched: empty.path)) {
            try locator.url(for: nil)
        }
        do {
            _ = try locator.url(for: nil)
        } catch {
            #expect(error.description.contains("scripts/setup"))
        }
        #expect(throws: ModelLocatorError.self) { try locator.url(for: "nope") }
        #expect(ModelLocator(directory: empty.appendingPathComponent("absent")).localModels().isEmpty)
    }

    @Test("summarises the default model")
    func summary() throws {
        let summary = ModelSummary(file: try Fixtures.model.get())
        #expect(summary.name == "Smollm2 135M 8k Lc100K Mix1 Ep2")
        #expect(summary.quantization == "Q4_1")
        #expect(summary.contextLength == 8192)
        #expect(summary.architecture == "llama")
        #expect(summary.layerCount == 30)
        #expect(summary.embeddingLength == 576)
        #expect(summary.vocabularySize == 49152)
        #expect(summary.tensorCount == 272)
        #expect((134_000_000...136_000_000).contains(summary.parameterCount))
        #expect(summary.fileSize > 80_000_000)
    }
}
