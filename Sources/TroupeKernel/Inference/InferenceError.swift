import TroupeCore

/// Why the local kernel could not load a model or run a sequence, and what to do.
public enum InferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A hyperparameter the forward pass needs is absent from the GGUF metadata.
    case missingMetadata(path: String, key: String)
    /// A weight the architecture needs is absent from the file.
    case missingTensor(path: String, tensor: String)
    /// A weight exists but its type or shape does not fit the hyperparameters.
    case badTensor(path: String, tensor: String, problem: String)
    /// The hyperparameters contradict each other or what the kernel supports.
    case unsupportedModel(path: String, problem: String)
    /// A token id outside the vocabulary.
    case invalidToken(id: Int, vocabularySize: Int)
    /// The sequence would grow past the context the model was loaded with.
    case contextFull(limit: Int)
    /// The scratch memory or the threads for the forward pass could not be set up.
    case outOfMemory(what: String)
    /// The requested instruction-set path cannot run on this CPU.
    case unsupportedISA(KernelISA)
    /// A call that needs at least one token got none.
    case emptyInput(what: String)

    public var description: String {
        switch self {
        case .missingMetadata(let path, let key):
            return "GGUF file \(path) lacks metadata key '\(key)', which the forward pass needs. Re-convert the model with a recent llama.cpp."
        case .missingTensor(let path, let tensor):
            return "GGUF file \(path) has no tensor '\(tensor)'. The file is not a complete llama-architecture model; re-download or re-convert it."
        case .badTensor(let path, let tensor, let problem):
            return "GGUF file \(path): tensor '\(tensor)' \(problem). The file does not match its own hyperparameters; re-convert it."
        case .unsupportedModel(let path, let problem):
            return "GGUF file \(path): \(problem). The local kernel cannot run this model; use a llama-architecture GGUF such as SmolLM2."
        case .invalidToken(let id, let size):
            return "token id \(id) is outside the vocabulary (0..<\(size)). Use ids produced by this model's tokenizer."
        case .contextFull(let limit):
            return "the sequence reached the context limit of \(limit) tokens. Shorten the conversation or lower max tokens."
        case .outOfMemory(let what):
            return "could not allocate \(what) for the local model. Free memory, or lower the context length or batch size."
        case .emptyInput(let what):
            return "\(what) is empty; give at least one token."
        case .unsupportedISA(let isa):
            return "this CPU cannot run the \(isa) kernels; choose one of \(KernelISA.supported.map(\.description)) (TROUPE_KERNEL_ISA)."
        }
    }
}

extension InferenceError: ClassifiedError {
    /// Loading and context errors do not go away by trying again.
    public var isRetryable: Bool { false }
}
