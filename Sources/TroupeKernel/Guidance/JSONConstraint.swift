import Synchronization

/// Guided decoding for one sequence: only tokens that keep the output a
/// prefix of a value of the grammar survive, and an end-of-generation token
/// only once the value is complete.
///
/// ```swift
/// let vocabulary = GuidedVocabulary.shared(for: runtime)
/// let grammar = vocabulary.grammar(try JSONGrammar(schema: schema))
/// let generation = try await runtime.generate(prompt: ids, sampler: Sampler(sampling), maxTokens: 200,
///                                             constraint: JSONConstraint(grammar))
/// ```
///
/// The output has no whitespace and ends complete whenever the token budget
/// allows it: as the remaining tokens run short, only tokens after which the
/// value can still be closed within the budget (counted in bytes, one per
/// token at worst: the vocabulary has a token for every byte) are allowed.
/// A budget short from the start gets the tokens that close fastest, which
/// usually, but not provably, suffices.
///
/// With `allowsText` (a tool call that is optional), the first token decides:
/// one that starts the value commits to the grammar; any other token that
/// does not open an object starts free text, and the constraint steps aside.
///
/// A constraint belongs to one sequence; make a new one per generation.
public final class JSONConstraint: TokenConstraint {
    public let grammar: GuidedGrammar
    private let state: Mutex<Progress>

    private struct Progress {
        enum Phase { case undecided, constrained, text, finished }
        var phase: Phase
        var automatonState: Int32
    }

    /// A constraint to a complete value of `grammar`, or free text when `allowsText` and
    /// the first token says so.
    public init(_ grammar: GuidedGrammar, allowsText: Bool = false) {
        self.grammar = grammar
        state = Mutex(Progress(phase: allowsText ? .undecided : .constrained, automatonState: grammar.start))
    }

    /// Whether the output so far is free text rather than a value of the grammar.
    public var choseText: Bool { state.withLock { $0.phase == .text } }

    /// Whether the output so far is a complete value of the grammar.
    public var isComplete: Bool {
        let progress = state.withLock { $0 }
        switch progress.phase {
        case .finished: return true
        case .constrained: return grammar.status(progress.automatonState).isAccepting
        case .undecided, .text: return false
        }
    }

    public func mask(_ logits: UnsafeMutableBufferPointer<Float>, remainingTokens: Int) {
        let progress = state.withLock { $0 }
        let vocabulary = grammar.vocabulary
        switch progress.phase {
        case .text, .finished:
            return
        case .undecided:
            var mask = grammar.mask(from: progress.automatonState)
            for (index, word) in vocabulary.textStarts.words.enumerated() where word != 0 {
                mask.formUnion(word: word, at: index)
            }
            mask.apply(to: logits)
        case .constrained:
            let status = grammar.status(progress.automatonState)
            var mask = TokenMask(count: vocabulary.count)
            if !status.isFinal {
                // Keep one token for the end of generation and the rest for closing the value.
                let budget = Swift.max(0, remainingTokens - 2)
                if status.distance + 32 >= budget {
                    mask = grammar.mask(from: progress.automatonState, budget: budget)
                }
                if mask.isEmpty { mask = grammar.mask(from: progress.automatonState) }
            }
            if status.isAccepting {
                for id in vocabulary.endOfGeneration { mask.insert(id) }
            }
            // An empty mask means the automaton is stuck (it should never be): leave the logits alone.
            if !mask.isEmpty { mask.apply(to: logits) }
        }
    }

    public func accept(_ token: Int32) {
        state.withLock { progress in
            switch progress.phase {
            case .text, .finished:
                return
            case .undecided, .constrained:
                if grammar.vocabulary.endOfGeneration.contains(token) {
                    progress.phase = .finished
                    return
                }
                let next = grammar.next(progress.automatonState, token: token)
                if next >= 0 {
                    progress.automatonState = next
                    progress.phase = .constrained
                } else {
                    progress.phase = progress.phase == .undecided ? .text : .finished
                }
            }
        }
    }
}
