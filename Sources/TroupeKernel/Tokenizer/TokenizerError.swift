/// Why a tokenizer could not be built from a GGUF file, and what to do about it.
public enum TokenizerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A required `tokenizer.ggml.*` entry is absent or has the wrong type.
    case missingMetadata(path: String, key: String)
    /// `tokenizer.ggml.model` names a tokenizer family other than byte-level BPE (`gpt2`).
    case unsupportedModel(path: String, model: String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer this implementation does not know.
    case unsupportedPreTokenizer(path: String, name: String)
    /// The vocabulary is inconsistent (sizes disagree, an id is out of range, a merge is malformed).
    case badVocabulary(path: String, problem: String)

    public var description: String {
        switch self {
        case .missingMetadata(let path, let key):
            "GGUF file \(path) has no usable '\(key)' entry, so its tokenizer cannot be built. Use a GGUF converted with a recent llama.cpp."
        case .unsupportedModel(let path, let model):
            "GGUF file \(path) uses the '\(model)' tokenizer; Troupe's local kernel supports byte-level BPE ('gpt2') vocabularies, such as SmolLM2's."
        case .unsupportedPreTokenizer(let path, let name):
            "GGUF file \(path) asks for the '\(name)' pre-tokenizer, which Troupe does not implement (it knows smollm, gpt2 and their aliases). Use a supported model, such as SmolLM2."
        case .badVocabulary(let path, let problem):
            "GGUF file \(path) has an inconsistent tokenizer vocabulary: \(problem). The file is corrupt; re-download it."
        }
    }
}
