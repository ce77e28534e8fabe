import Foundation
import Testing

@Suite("troupe models list, info and tokenize, end to end")
struct ModelsCommandTests {
    struct TokenizeCase: Decodable {
        var text: String
        var ids: [Int]
        var pieces: [String]
        var ids_parse_special: [Int]
    }

    struct Reference: Decodable {
        var tokenize: [TokenizeCase]
    }

    static let reference = Result {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/reference/smollm2-llamacpp.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    @Test("tokenize --json prints llama.cpp's ids and vocabulary pieces for every reference text")
    func tokenizeMatchesReference() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        for sample in try Self.reference.get().tokenize {
            let plain = try await troupe.run(["models", "tokenize", sample.text, "--json"], store: false)
            #expect(plain.status == 0, "\(plain.stderr)")
            let parsed = try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any]
            #expect(parsed?["ids"] as? [Int] == sample.ids, "\(sample.text.debugDescription)")
            #expect(parsed?["pieces"] as? [String] == sample.pieces)
            #expect(plain.stdout.filter { $0 == "\n" }.count == 1, "one JSON object on one line")

            let special = try await object(troupe, ["models", "tokenize", sample.text, "--parse-special", "--json"])
            #expect(special["ids"] as? [Int] == sample.ids_parse_special)
        }
    }

    @Test("tokenize without --json prints one token per line and a count")
    func tokenizeHuman() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["models", "tokenize", "<|im_start|>Hi", "--parse-special"], store: false)
        #expect(output.status == 0)
        #expect(output.stdout.contains("1  \"<|im_start|>\""))
        #expect(output.stdout.contains("2 tokens"))
    }

    @Test("models lists the default model with its quantization and context length")
    func listsModels() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["models"], store: false)
        #expect(output.status == 0)
        #expect(output.stdout.contains("SmolLM2-135M-Instruct.Q4_1.gguf"))
        #expect(output.stdout.contains("Q4_1"))
        #expect(output.stdout.contains("8192"))
        let json = try await troupe.run(["models", "list", "--json"], store: false)
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let summary = entries?.first { $0["file"] as? String == "SmolLM2-135M-Instruct.Q4_1.gguf" }?["summary"] as? [String: Any]
        #expect(summary?["quantization"] as? String == "Q4_1")
        #expect(summary?["context_length"] as? Int == 8192)
    }

    @Test("models info prints the GGUF metadata")
    func info() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["models", "info"], store: false)
        #expect(output.status == 0)
        #expect(output.stdout.contains("general.architecture = \"llama\""))
        #expect(output.stdout.contains("tokenizer.ggml.pre = \"smollm\""))
        let info = try await object(troupe, ["models", "info", "--json"])
        let metadata = info["metadata"] as? [String: Any]
        #expect(metadata?["llama.block_count"] as? Int == 30)
        #expect((metadata?["tokenizer.ggml.tokens"] as? [String: Any])?["count"] as? Int == 49152)
    }

    @Test("a missing model says to run scripts/setup; a corrupt one names the problem")
    func missingAndCorrupt() async throws {
        var troupe = try TroupeBinary.withFreshStore()
        troupe.environment["TROUPE_MODELS"] = troupe.folder
        let missing = try await troupe.run(["models", "tokenize", "hi"], store: false)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("scripts/setup"))

        let corrupt = (troupe.folder as NSString).appendingPathComponent("broken.gguf")
        try Data("GGUF not really".utf8).write(to: URL(fileURLWithPath: corrupt))
        let info = try await troupe.run(["models", "info", corrupt], store: false)
        #expect(info.status == 1)
        #expect(info.stderr.contains("truncated"))
        #expect(info.stderr.contains(corrupt))
    }

    /// Runs a `models` command (they take no `--store`) and decodes its JSON object.
    private func object(_ troupe: TroupeBinary, _ arguments: [String]) async throws -> [String: Any] {
        let output = try await troupe.run(arguments, store: false)
        #expect(output.status == 0, "\(output.stderr)")
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
    }
}
