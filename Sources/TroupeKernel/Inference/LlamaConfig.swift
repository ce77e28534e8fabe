/// The hyperparameters of a llama-architecture model, read from GGUF metadata.
///
/// Nothing is assumed about a particular model: every value comes from the
/// `<architecture>.*` keys, with llama.cpp's defaults where a key is optional.
public struct LlamaConfig: Sendable, Hashable {
    public var layerCount: Int
    public var embeddingLength: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDimension: Int
    public var feedForwardLength: Int
    public var vocabularySize: Int
    public var contextLength: Int
    public var ropeDimension: Int
    public var ropeFreqBase: Float
    public var rmsEpsilon: Float

    /// Width of one position's K (or V) across the KV heads.
    public var kvDimension: Int { kvHeadCount * headDimension }

    /// Reads and checks the hyperparameters of `file`.
    public init(file: GGUFFile) throws(InferenceError) {
        let path = file.path
        guard let arch = file.architecture else { throw .missingMetadata(path: path, key: "general.architecture") }
        guard arch == "llama" else {
            throw .unsupportedModel(path: path, problem: "architecture '\(arch)' is not 'llama'")
        }
        func required(_ key: String) throws(InferenceError) -> Int {
            guard let value = file.int("\(arch).\(key)"), value > 0 else {
                throw .missingMetadata(path: path, key: "\(arch).\(key)")
            }
            return value
        }
        layerCount = try required("block_count")
        embeddingLength = try required("embedding_length")
        headCount = try required("attention.head_count")
        kvHeadCount = file.int("\(arch).attention.head_count_kv") ?? headCount
        feedForwardLength = try required("feed_forward_length")
        contextLength = file.int("\(arch).context_length") ?? 2048
        headDimension = file.int("\(arch).attention.key_length") ?? embeddingLength / headCount
        ropeDimension = file.int("\(arch).rope.dimension_count") ?? headDimension
        ropeFreqBase = Float(file.float("\(arch).rope.freq_base") ?? 10000)
        rmsEpsilon = Float(file.float("\(arch).attention.layer_norm_rms_epsilon") ?? 1e-5)
        guard let embd = file.tensors["token_embd.weight"], embd.shape.count == 2 else {
            throw .missingTensor(path: path, tensor: "token_embd.weight")
        }
        vocabularySize = file.int("\(arch).vocab_size") ?? embd.shape[1]

        guard headCount * headDimension == embeddingLength else {
            throw .unsupportedModel(path: path, problem: "\(headCount) heads of \(headDimension) do not make the embedding length \(embeddingLength)")
        }
        guard kvHeadCount > 0, headCount % kvHeadCount == 0 else {
            throw .unsupportedModel(path: path, problem: "\(headCount) query heads cannot be grouped over \(kvHeadCount) KV heads")
        }
        guard ropeDimension % 2 == 0, ropeDimension <= headDimension, headDimension <= 256,
              headDimension % 8 == 0 else {
            throw .unsupportedModel(path: path, problem: "head dimension \(headDimension) with RoPE over \(ropeDimension) is not supported")
        }
        guard embeddingLength % 32 == 0, feedForwardLength % 32 == 0 else {
            throw .unsupportedModel(path: path, problem: "embedding (\(embeddingLength)) and feed-forward (\(feedForwardLength)) lengths must be multiples of 32")
        }
    }
}
