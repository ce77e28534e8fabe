/// The byte-level BPE tokenizer of a GGUF model, giving llama.cpp's token ids.
///
/// Everything comes from the file: the vocabulary (`tokenizer.ggml.tokens`),
/// the merge ranks (`tokenizer.ggml.merges`), token types, the special ids and
/// the pre-tokenizer named by `tokenizer.ggml.pre`.
///
/// ```swift
/// let tokenizer = try Tokenizer(file: GGUFFile(path: modelPath))
/// let ids = tokenizer.encode("Hello, world!")          // [19556, 28, 905, 17]
/// tokenizer.decode(ids)                               // "Hello, world!"
/// tokenizer.encode("<|im_start|>user", parseSpecial: true).first  // 1
/// ```
///
/// With `parseSpecial: false` control-token text such as `<|im_start|>` is
/// ordinary text (how user content must be treated); with `true` it becomes
/// the control token, which is how a rendered chat prompt is tokenized.
///
/// A tokenizer is an immutable value: share it freely across tasks.
public struct Tokenizer: Sendable {
    /// Number of entries in the vocabulary.
    public var vocabularySize: Int { pieces.count }
    /// Beginning-of-sequence token, if the model has one.
    public let bosID: Int32?
    /// End-of-sequence token (`<|im_end|>` for SmolLM2).
    public let eosID: Int32
    /// Padding token, if the model names one.
    public let padID: Int32?
    /// Whether prompts should start with ``bosID`` (`tokenizer.ggml.add_bos_token`).
    public let addsBOS: Bool
    /// Every token that ends a generation: the end-of-sequence token plus the
    /// end-of-turn tokens llama.cpp recognises by their text.
    public let endOfGenerationIDs: Set<Int32>

    let pieces: [String]
    let index: VocabularyIndex
    let types: [TokenType]
    /// Merge rank and result for each adjacent pair of ids, keyed by `left << 32 | right`.
    let merges: [UInt64: Merge]
    /// The single-byte token for each byte value, or -1.
    let idForByte: [Int32]
    /// What each token decodes to: bytes of token `i` are `tokenBytes[tokenOffsets[i]..<tokenOffsets[i+1]]`.
    let tokenBytes: [UInt8]
    let tokenOffsets: [Int32]
    /// Tokens matched as whole strings before BPE, longest first.
    let specialTokens: [SpecialToken]
    let preTokenizer: PreTokenizer

    struct Merge: Sendable {
        var rank: Int32
        var id: Int32
    }

    struct SpecialToken: Sendable {
        var bytes: [UInt8]
        var id: Int32
        /// Control and unknown tokens are matched only when parsing special tokens.
        var onlyWhenParsingSpecial: Bool
    }

    /// Texts llama.cpp treats as end-of-turn markers wherever they appear in a vocabulary.
    static let endOfTurnTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
        "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
    ]

    /// Builds the tokenizer stored in `file`.
    ///
    /// - Throws: ``TokenizerError`` when the file has no byte-level BPE
    ///   vocabulary, names an unknown pre-tokenizer, or is inconsistent.
    public init(file: GGUFFile) throws(TokenizerError) {
        let path = file.path
        guard let model = file.string("tokenizer.ggml.model") else {
            throw .missingMetadata(path: path, key: "tokenizer.ggml.model")
        }
        guard model == "gpt2" else { throw .unsupportedModel(path: path, model: model) }
        let preName = file.string("tokenizer.ggml.pre") ?? "default"
        guard let pre = PreTokenizer(name: preName) else {
            throw .unsupportedPreTokenizer(path: path, name: preName)
        }
        guard let pieces = file.strings("tokenizer.ggml.tokens"), !pieces.isEmpty else {
            throw .missingMetadata(path: path, key: "tokenizer.ggml.tokens")
        }
        guard pieces.count < Int(Int32.max) else {
            throw .badVocabulary(path: path, problem: "\(pieces.count) tokens")
        }
        guard let mergeTexts = file.strings("tokenizer.ggml.merges") else {
            throw .missingMetadata(path: path, key: "tokenizer.ggml.merges")
        }
        var types = [TokenType](repeating: .normal, count: pieces.count)
        if let rawTypes = file.ints("tokenizer.ggml.token_type") {
            guard rawTypes.count == pieces.count else {
                throw .badVocabulary(path: path, problem: "\(rawTypes.count) token types for \(pieces.count) tokens")
            }
            for (index, raw) in rawTypes.enumerated() {
                types[index] = Int32(exactly: raw).flatMap(TokenType.init(rawValue:)) ?? .undefined
            }
        }

        func specialID(_ key: String) throws(TokenizerError) -> Int32? {
            guard let value = file.int(key) else { return nil }
            guard value >= 0, value < pieces.count else {
                throw .badVocabulary(path: path, problem: "\(key) is \(value), outside the vocabulary")
            }
            return Int32(value)
        }

        let index = VocabularyIndex(pieces: pieces)

        // End of generation: the eos/eot/eom ids plus end-of-turn texts, which
        // llama.cpp also forces to control type.
        var endIDs = Set<Int32>()
        for key in ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"] {
            if let id = try specialID(key) { endIDs.insert(id) }
        }
        for text in Self.endOfTurnTexts {
            if let id = index.id(of: text) {
                endIDs.insert(id)
                if types[Int(id)] != .control { types[Int(id)] = .control }
            }
        }
        guard let eos = try specialID("tokenizer.ggml.eos_token_id") ?? index.id(of: "<|endoftext|>") else {
            throw .missingMetadata(path: path, key: "tokenizer.ggml.eos_token_id")
        }

        self.pieces = pieces
        self.index = index
        self.types = types
        self.bosID = try specialID("tokenizer.ggml.bos_token_id")
        self.eosID = eos
        self.padID = try specialID("tokenizer.ggml.padding_token_id")
        self.addsBOS = file.bool("tokenizer.ggml.add_bos_token") ?? false
        self.endOfGenerationIDs = endIDs
        self.preTokenizer = pre
        self.merges = try Self.mergeTable(mergeTexts, index: index, path: path)
        self.idForByte = ByteLevelEncoding.scalarForByte.map { index.id(of: String($0)) ?? -1 }
        (self.tokenBytes, self.tokenOffsets) = Self.decodedBytes(pieces, types: types)
        self.specialTokens = pieces.indices.compactMap { index in
            let type = types[index]
            guard type == .control || type == .userDefined || type == .unknown, !pieces[index].isEmpty else { return nil }
            return SpecialToken(bytes: Array(pieces[index].utf8), id: Int32(index),
                                onlyWhenParsingSpecial: type != .userDefined)
        }.sorted { $0.bytes.count > $1.bytes.count }
    }

    private static func mergeTable(_ texts: [String], index: VocabularyIndex,
                                   path: String) throws(TokenizerError) -> [UInt64: Merge] {
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(texts.count)
        for (rank, text) in texts.enumerated() {
            var text = text
            let parts: (Int32, Int32, Int32)?? = text.withUTF8 { utf8 in
                // The separator is the first space after the first byte, as llama.cpp splits.
                guard utf8.count >= 3, let space = utf8[1...].firstIndex(of: 0x20) else { return .none }
                let left = UnsafeBufferPointer(rebasing: utf8[..<space])
                let right = UnsafeBufferPointer(rebasing: utf8[(space + 1)...])
                let none = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
                // A merge whose parts or result are not tokens can never apply.
                guard let l = index.id(of: left, none), let r = index.id(of: right, none),
                      let id = index.id(of: left, right) else { return .some(nil) }
                return .some((l, r, id))
            }
            guard let resolved = parts else {
                throw .badVocabulary(path: path, problem: "merge \(rank) '\(text)' is not two pieces")
            }
            guard let (l, r, id) = resolved else { continue }
            let key = UInt64(UInt32(bitPattern: l)) << 32 | UInt64(UInt32(bitPattern: r))
            if table[key] == nil { table[key] = Merge(rank: Int32(rank), id: id) }
        }
        return table
    }

    private static func decodedBytes(_ pieces: [String], types: [TokenType]) -> ([UInt8], [Int32]) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        bytes.reserveCapacity(pieces.count * 6)
        offsets.reserveCapacity(pieces.count + 1)
        for (index, piece) in pieces.enumerated() {
            switch types[index] {
            case .normal, .byte, .undefined: ByteLevelEncoding.decode(piece, into: &bytes)
            default: bytes += piece.utf8
            }
            offsets.append(Int32(bytes.count))
        }
        return (bytes, offsets)
    }

    // MARK: Queries

    /// The token's vocabulary entry as stored, such as `Ġworld` for " world".
    public func vocabularyPiece(for id: Int32) -> String {
        pieces.indices.contains(Int(id)) ? pieces[Int(id)] : ""
    }

    /// The id of a vocabulary entry spelled as stored (`Ġworld`), if any.
    public func id(forVocabularyPiece piece: String) -> Int32? { index.id(of: piece) }

    /// The kind of token `id` is; `.undefined` for ids outside the vocabulary.
    public func tokenType(for id: Int32) -> TokenType {
        types.indices.contains(Int(id)) ? types[Int(id)] : .undefined
    }

    /// Whether generation stops after `id` (end of sequence or end of turn).
    public func isEndOfGeneration(_ id: Int32) -> Bool { endOfGenerationIDs.contains(id) }

    /// Whether `id` is a control token, which plain decoding leaves out.
    public func isControl(_ id: Int32) -> Bool { tokenType(for: id) == .control }
}
