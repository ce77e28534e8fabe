#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CKernel

/// The llama-architecture forward pass over one memory-mapped weight set.
///
/// ```swift
/// let model = try Transformer(file: GGUFFile(path: path))
/// let cache = model.makeCache()
/// var logits = [Float](repeating: 0, count: model.config.vocabularySize)
/// try model.forward([Token(id: 1, cache: cache, wantsLogits: true)], logits: &logits)
/// ```
///
/// A forward pass takes a batch of tokens that may belong to different
/// sequences (each with its own ``KVCache``) and runs on the transformer's own
/// pool of dedicated threads: the calling thread plus `threads - 1` workers.
/// Each token's numbers are the same whatever else is in its batch.
///
/// Concurrency: forward passes must not overlap; call them from one thread at
/// a time (``InferenceEngine`` does). Weights are shared read-only.
public final class Transformer: @unchecked Sendable {
    /// A token to run: appended at the next position of `cache`.
    public struct Token {
        public var id: Int32
        public var cache: KVCache
        public var wantsLogits: Bool
        public init(id: Int32, cache: KVCache, wantsLogits: Bool) {
            self.id = id
            self.cache = cache
            self.wantsLogits = wantsLogits
        }
    }

    public let file: GGUFFile
    public let config: LlamaConfig
    /// The instruction-set path the products run on.
    public let isa: KernelISA
    /// Threads a forward pass uses, the caller's included.
    public let threads: Int
    /// Most tokens one call to the C pass takes; longer batches are split.
    public let maxBatch: Int
    /// Longest sequence a cache may hold.
    public let contextLength: Int

    private let layers: UnsafeMutablePointer<tk_layer>
    private let norms: UnsafeMutablePointer<Float>
    private let engine: OpaquePointer
    private var model: tk_model
    /// Threads for decode-sized passes; prompt-sized passes always use all.
    private var tuner: ThreadTuner
    /// Passes of at most this many tokens are tuned (decode steps, small batches of them).
    static let smallPass = 8

    /// Loads the weights of `file` (they stay memory-mapped) and starts the thread pool.
    ///
    /// - Parameters:
    ///   - threads: threads per forward pass; defaults to the active processor count.
    ///   - isa: the SIMD path; defaults to ``KernelISA/default``.
    ///   - contextLength: the longest sequence; defaults to the model's, capped at 8192.
    public init(file: GGUFFile, threads: Int? = nil, isa: KernelISA = .default, maxBatch: Int = 256,
                contextLength: Int? = nil) throws(InferenceError) {
        guard isa.isSupported else { throw .unsupportedISA(isa) }
        let config = try LlamaConfig(file: file)
        self.file = file
        self.config = config
        self.isa = isa
        self.threads = Swift.max(1, threads ?? Self.defaultThreads)
        self.maxBatch = Swift.max(1, maxBatch)
        self.contextLength = Swift.max(1, Swift.min(contextLength ?? Swift.min(config.contextLength, 8192),
                                                    config.contextLength))
        self.tuner = ThreadTuner(maximum: self.threads)

        let dim = config.embeddingLength
        let norms = UnsafeMutablePointer<Float>.allocate(capacity: dim * (2 * config.layerCount + 1))
        let layers = UnsafeMutablePointer<tk_layer>.allocate(capacity: config.layerCount)
        var normIndex = 0
        func norm(_ name: String) throws(InferenceError) -> UnsafePointer<Float> {
            guard let info = file.tensors[name] else { throw .missingTensor(path: file.path, tensor: name) }
            guard info.shape == [dim], info.type.isSupportedByKernel else {
                throw .badTensor(path: file.path, tensor: name, problem: "should be \(dim) floats, is \(info.type) \(info.shape)")
            }
            let out = norms + normIndex * dim
            normIndex += 1
            tk_dequantize_row(Int32(info.type.rawValue), file.data(for: info), out, Int32(dim))
            return UnsafePointer(out)
        }
        func matrix(_ name: String, rows: Int, cols: Int) throws(InferenceError) -> tk_tensor {
            guard let info = file.tensors[name] else { throw .missingTensor(path: file.path, tensor: name) }
            guard info.shape == [cols, rows] else {
                throw .badTensor(path: file.path, tensor: name, problem: "should have shape [\(cols), \(rows)], has \(info.shape)")
            }
            guard tk_type_supported(Int32(info.type.rawValue)) != 0 else {
                throw .badTensor(path: file.path, tensor: name, problem: "has type \(info.type), which the kernel cannot multiply")
            }
            return tk_tensor(type: Int32(info.type.rawValue), rows: Int32(rows), cols: Int32(cols),
                             data: file.data(for: info))
        }

        do throws(InferenceError) {
            let kv = config.kvDimension, ffn = config.feedForwardLength
            for l in 0..<config.layerCount {
                let p = "blk.\(l)."
                layers[l] = tk_layer(
                    attn_norm: try norm(p + "attn_norm.weight"),
                    wq: try matrix(p + "attn_q.weight", rows: dim, cols: dim),
                    wk: try matrix(p + "attn_k.weight", rows: kv, cols: dim),
                    wv: try matrix(p + "attn_v.weight", rows: kv, cols: dim),
                    wo: try matrix(p + "attn_output.weight", rows: dim, cols: dim),
                    ffn_norm: try norm(p + "ffn_norm.weight"),
                    w_gate: try matrix(p + "ffn_gate.weight", rows: ffn, cols: dim),
                    w_up: try matrix(p + "ffn_up.weight", rows: ffn, cols: dim),
                    w_down: try matrix(p + "ffn_down.weight", rows: dim, cols: ffn))
            }
            let embd = try matrix("token_embd.weight", rows: config.vocabularySize, cols: dim)
            // Tied embeddings: without an output matrix the embedding is the LM head.
            let output = file.tensors["output.weight"] == nil
                ? embd : try matrix("output.weight", rows: config.vocabularySize, cols: dim)
            var model = tk_model(
                n_layer: Int32(config.layerCount), dim: Int32(dim), n_head: Int32(config.headCount),
                n_kv_head: Int32(config.kvHeadCount), head_dim: Int32(config.headDimension),
                ffn_dim: Int32(ffn), vocab: Int32(config.vocabularySize),
                rope_dim: Int32(config.ropeDimension), rope_theta: config.ropeFreqBase,
                rms_eps: config.rmsEpsilon, tok_embd: embd, out_norm: try norm("output_norm.weight"),
                output: output, layers: UnsafePointer(layers))
            guard let engine = tk_engine_create(&model, Int32(self.threads), Int32(self.maxBatch),
                                                Int32(self.contextLength), isa.rawValue) else {
                throw InferenceError.outOfMemory(what: "scratch buffers for batches of \(self.maxBatch) tokens")
            }
            self.model = model
            self.engine = engine
            self.norms = norms
            self.layers = layers
        } catch {
            norms.deallocate()
            layers.deallocate()
            throw error
        }
    }

    deinit {
        tk_engine_destroy(engine)
        norms.deallocate()
        layers.deallocate()
    }

    /// Threads used when none are asked for: every active processor, at most 8.
    public static var defaultThreads: Int { Swift.min(8, Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// An empty cache for a new sequence.
    public func makeCache() -> KVCache {
        KVCache(empty: tk_kv_empty(&model), limit: contextLength)
    }

    /// Runs `tokens`, appending each to its cache, and writes one row of
    /// `vocabularySize` logits for each token that wants them, in order.
    ///
    /// Tokens of one sequence must appear in order. `logits` must hold a row for
    /// every token that wants logits.
    public func forward(_ tokens: [Token], logits: UnsafeMutablePointer<Float>?) throws(InferenceError) {
        let vocab = config.vocabularySize
        // Positions are assigned in order; reserve cache room first so a failure leaves caches unchanged.
        var pending: [ObjectIdentifier: Int] = [:]
        for token in tokens {
            guard token.id >= 0, Int(token.id) < vocab else { throw .invalidToken(id: Int(token.id), vocabularySize: vocab) }
            pending[ObjectIdentifier(token.cache), default: token.cache.tokens.count] += 1
        }
        for token in tokens {
            try token.cache.reserve(pending[ObjectIdentifier(token.cache)] ?? 0)
        }

        var start = 0
        var logitRow = 0
        while start < tokens.count {
            let chunk = tokens[start..<Swift.min(tokens.count, start + maxBatch)]
            var ids = [Int32](), positions = [Int32](), wants = [UInt8]()
            var caches = [UnsafeMutablePointer<tk_kv>?]()
            ids.reserveCapacity(chunk.count)
            for token in chunk {
                ids.append(token.id)
                positions.append(Int32(token.cache.tokens.count))
                wants.append(token.wantsLogits ? 1 : 0)
                caches.append(token.cache.raw)
                token.cache.append(token.id)
            }
            let rows = wants.reduce(0) { $0 + Int($1) }
            let status = ids.withUnsafeBufferPointer { ids in
                positions.withUnsafeBufferPointer { positions in
                    wants.withUnsafeBufferPointer { wants in
                        caches.withUnsafeBufferPointer { caches in
                            let small = ids.count <= Self.smallPass
                            let threads = small ? tuner.next() : self.threads
                            var batch = tk_batch(
                                n_tokens: Int32(ids.count), tokens: ids.baseAddress, pos: positions.baseAddress,
                                kv: caches.baseAddress, want_logits: wants.baseAddress,
                                logits: rows > 0 ? logits.map { $0 + logitRow * vocab } : nil,
                                threads: Int32(threads))
                            let start = ThreadTuner.now()
                            let status = tk_forward(engine, &batch)
                            if small { tuner.record(threads: threads, tokens: ids.count, seconds: ThreadTuner.now() - start) }
                            return status
                        }
                    }
                }
            }
            guard status == 0 else {
                for token in chunk { token.cache.truncate(to: token.cache.tokens.count - 1) }
                throw .contextFull(limit: contextLength)
            }
            logitRow += rows
            start += chunk.count
        }
    }
}
