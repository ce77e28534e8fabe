import Synchronization

/// A ``JSONGrammar`` bound to a ``GuidedVocabulary``: the lazily built
/// automaton and a cache of token masks per automaton state, shared by every
/// ``JSONConstraint`` generating with it.
///
/// Concurrency: a lock guards the automaton and the masks; the engine takes it
/// once per step of each constrained sequence.
public final class GuidedGrammar: Sendable {
    public let grammar: JSONGrammar
    let vocabulary: GuidedVocabulary
    private let state: Mutex<State>
    /// Masks kept at most (each is one bit per vocabulary entry); emptied when full.
    static let maskCacheLimit = 1024

    private struct State: ~Copyable {
        var dfa: GrammarDFA
        var masks: [Int32: TokenMask] = [:]
        var maskHits = 0, maskMisses = 0
    }

    init(grammar: JSONGrammar, vocabulary: GuidedVocabulary) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        state = Mutex(State(dfa: GrammarDFA(grammar: grammar)))
    }

    /// The automaton's start state.
    var start: Int32 { 0 }

    /// Masks served from the cache and computed, so far.
    public var maskStatistics: (hits: Int, misses: Int) { state.withLock { ($0.maskHits, $0.maskMisses) } }

    /// The state after `token`'s bytes from `from`, or a negative value when it is not allowed.
    func next(_ from: Int32, token: Int32) -> Int32 {
        let index = Int(token)
        guard index >= 0, index < vocabulary.tokenBytes.count, !vocabulary.tokenBytes[index].isEmpty else {
            return GrammarDFA.dead
        }
        return state.withLock { $0.dfa.next(from, vocabulary.tokenBytes[index]) }
    }

    /// What the automaton knows about `stateID`: complete, closed, bytes to completion.
    func status(_ stateID: Int32) -> (isAccepting: Bool, isFinal: Bool, distance: Int) {
        state.withLock { s in
            let index = Int(stateID)
            return (s.dfa.isAccepting[index], s.dfa.isFinal[index], Int(s.dfa.distance[index]))
        }
    }

    /// The tokens allowed from `stateID` (end-of-generation ones excluded).
    ///
    /// With a `budget`, only tokens after which the value can still be
    /// completed within `budget` bytes are allowed, or when there are none,
    /// the tokens that leave the fewest bytes to write; such masks are not cached.
    func mask(from stateID: Int32, budget: Int? = nil) -> TokenMask {
        state.withLock { s in
            if budget == nil, let cached = s.masks[stateID] {
                s.maskHits += 1
                return cached
            }
            s.maskMisses += 1
            var mask = TokenMask(count: vocabulary.count)
            let dfa = s.dfa
            if let budget {
                // Tokens that leave the value completable within the budget; when none
                // does (the budget was short from the start), those that get closest.
                var reachable: [(token: Int32, distance: Int32)] = []
                var closest = Int32.max
                // Read `distance` afresh: the walk adds states as it meets them.
                vocabulary.trie.walk(from: stateID, next: dfa.next) { token, end in
                    let left = dfa.distance[Int(end)]
                    reachable.append((token, left))
                    closest = min(closest, left)
                }
                let threshold = max(Int32(clamping: budget), closest)
                for entry in reachable where entry.distance <= threshold { mask.insert(entry.token) }
            } else {
                vocabulary.trie.walk(from: stateID, next: dfa.next) { token, _ in mask.insert(token) }
                if s.masks.count >= Self.maskCacheLimit { s.masks.removeAll() }
                s.masks[stateID] = mask
            }
            return mask
        }
    }
}
