import Foundation

/// llama.cpp's outputs for the default model, decoded from ../shared/reference/smollm2-llamacpp.json.
struct Reference: Decodable {
    struct TokenizeCase: Decodable {
        var text: String
        var ids: [Int32]
        var pieces: [String]
        var ids_parse_special: [Int32]
        var detok_roundtrip_ok: Bool
    }

    struct Message: Decodable {
        var role: String
        var content: String
    }

    struct Prompt: Decodable {
        var id: String
        var messages: [Message]
        var prompt_text: String
        var prompt_token_ids: [Int32]
        var generated_token_ids: [Int32]
        var generated_text: String
        var stop_reason: String
    }

    var tokenize: [TokenizeCase]
    var prompts: [Prompt]
    var template: String

    /// The reference, decoded once.
    static let shared = Result { try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Fixtures.referenceURL)) }
}
