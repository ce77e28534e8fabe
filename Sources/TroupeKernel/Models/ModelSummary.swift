/// The facts about a GGUF model a person wants first: what it is, how big, how quantized.
///
/// ```swift
/// let summary = ModelSummary(file: try GGUFFile(path: path))
/// print(summary.name, summary.quantization, summary.contextLength ?? 0)
/// ```
public struct ModelSummary: Sendable, Hashable, Codable {
    /// `general.name`, or the file name without extension.
    public var name: String
    /// The file's path.
    public var path: String
    /// Size of the file in bytes.
    public var fileSize: Int
    /// Model family (`general.architecture`), such as `llama`.
    public var architecture: String?
    /// The quantization, such as `Q4_1`: from `general.file_type`, else the
    /// tensor type holding the most bytes.
    public var quantization: String
    /// Trained context length in tokens (`<arch>.context_length`).
    public var contextLength: Int?
    /// Number of weights across all tensors.
    public var parameterCount: Int
    /// Number of transformer blocks (`<arch>.block_count`).
    public var layerCount: Int?
    /// Width of the hidden state (`<arch>.embedding_length`).
    public var embeddingLength: Int?
    /// Number of vocabulary entries.
    public var vocabularySize: Int?
    /// GGUF format version.
    public var ggufVersion: Int
    /// Number of tensors.
    public var tensorCount: Int

    enum CodingKeys: String, CodingKey {
        case name, path, architecture, quantization
        case fileSize = "file_size"
        case contextLength = "context_length"
        case parameterCount = "parameter_count"
        case layerCount = "layer_count"
        case embeddingLength = "embedding_length"
        case vocabularySize = "vocabulary_size"
        case ggufVersion = "gguf_version"
        case tensorCount = "tensor_count"
    }

    /// Summarises an opened file.
    public init(file: GGUFFile) {
        let arch = file.architecture
        let fileName = file.path.split(separator: "/").last.map(String.init) ?? file.path
        name = file.string("general.name")
            ?? (fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName)
        path = file.path
        fileSize = file.fileSize
        architecture = arch
        quantization = Self.quantization(of: file)
        contextLength = arch.flatMap { file.int("\($0).context_length") }
        parameterCount = file.tensors.values.reduce(0) { $0 + $1.elementCount }
        layerCount = arch.flatMap { file.int("\($0).block_count") }
        embeddingLength = arch.flatMap { file.int("\($0).embedding_length") }
        vocabularySize = file.array("tokenizer.ggml.tokens")?.count ?? arch.flatMap { file.int("\($0).vocab_size") }
        ggufVersion = Int(file.version)
        tensorCount = file.tensors.count
    }

    /// llama.cpp's names for `general.file_type` values.
    static let fileTypeNames: [Int: String] = [
        0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
        11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
        17: "Q5_K_M", 18: "Q6_K", 32: "BF16",
    ]

    private static func quantization(of file: GGUFFile) -> String {
        if let type = file.int("general.file_type"), let name = fileTypeNames[type] { return name }
        var bytesByType: [GGMLType: Int] = [:]
        for tensor in file.tensors.values { bytesByType[tensor.type, default: 0] += tensor.byteCount }
        let dominant = bytesByType.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }
        return dominant.map { "\($0.key)" } ?? "unknown"
    }
}
