import Synchronization

/// A tokenizer's vocabulary prepared for guided decoding: every token's bytes
/// in a ``TokenTrie``, the end-of-generation ids, and the compiled grammars
/// used with it so far (each with its automaton and masks, which later
/// requests with the same schema reuse).
///
/// ```swift
/// let vocabulary = GuidedVocabulary.shared(for: runtime)
/// let constraint = JSONConstraint(try vocabulary.grammar(JSONGrammar(schema: schema)))
/// ```
///
/// Concurrency: immutable but for its grammar cache, which a lock guards.
/// Building one takes tens of milliseconds; ``shared(for:)`` does it once per runtime.
public final class GuidedVocabulary: Sendable {
    /// Entries in the vocabulary (the logits' length).
    public let count: Int
    /// Tokens that end generation; allowed only once the value is complete.
    public let endOfGeneration: Set<Int32>
    let trie: TokenTrie
    /// Each token's bytes, empty for control tokens (which are never allowed).
    let tokenBytes: [[UInt8]]
    /// Tokens whose text does not open an object (after leading whitespace):
    /// the ones that start a plain-text answer when a tool call is optional.
    let textStarts: TokenMask

    private let grammars = Mutex<[JSONGrammar: GuidedGrammar]>([:])
    /// Grammars kept at most; the cache is emptied when it is full.
    static let grammarCacheLimit = 32

    public init(tokenizer: Tokenizer) {
        count = tokenizer.vocabularySize
        endOfGeneration = tokenizer.endOfGenerationIDs
        var bytes: [[UInt8]] = []
        bytes.reserveCapacity(count)
        var textStarts = TokenMask(count: count)
        for id in 0..<Int32(count) {
            let tokenBytes = Array(tokenizer.bytes(for: id))
            bytes.append(tokenBytes)
            let first = tokenBytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }
            if !tokenBytes.isEmpty, first != UInt8(ascii: "{") { textStarts.insert(id) }
        }
        tokenBytes = bytes
        self.textStarts = textStarts
        trie = TokenTrie(bytes.enumerated().map { (Int32($0.offset), $0.element) })
    }

    /// The prepared form of `grammar`, from the cache when it was used before.
    public func grammar(_ grammar: JSONGrammar) -> GuidedGrammar {
        grammars.withLock { cache in
            if let guided = cache[grammar] { return guided }
            if cache.count >= Self.grammarCacheLimit { cache.removeAll() }
            let guided = GuidedGrammar(grammar: grammar, vocabulary: self)
            cache[grammar] = guided
            return guided
        }
    }

    private static let shared = Mutex<[ObjectIdentifier: GuidedVocabulary]>([:])

    /// The vocabulary of `runtime`'s tokenizer, built on first use and kept for the process.
    public static func shared(for runtime: LocalRuntime) -> GuidedVocabulary {
        // Runtimes are shared and live as long as the process, so their identity is a stable key.
        shared.withLock { table in
            let key = ObjectIdentifier(runtime)
            if let vocabulary = table[key] { return vocabulary }
            let vocabulary = GuidedVocabulary(tokenizer: runtime.tokenizer)
            table[key] = vocabulary
            return vocabulary
        }
    }
}
