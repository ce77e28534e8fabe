/// A ``JSONGrammar``'s automaton, determinised lazily: each configuration met
/// gets a number, and each (state, byte) transition is computed once and then
/// read from a table.
///
/// Not thread-safe: ``GuidedGrammar`` owns one behind a lock.
final class GrammarDFA {
    let grammar: JSONGrammar
    /// The state a generation starts in.
    let start: Int32
    static let dead: Int32 = -1
    private static let unknown: Int32 = -2

    private var configurations: [JSONAutomaton.Configuration] = []
    private var ids: [JSONAutomaton.Configuration: Int32] = [:]
    /// 256 entries per state: the next state, ``dead``, or not yet computed.
    private var table: [Int32] = []
    /// Whether a state holds a complete value.
    private(set) var isAccepting: [Bool] = []
    /// Whether a state can take no more bytes (the value is complete and closed).
    private(set) var isFinal: [Bool] = []
    /// The fewest bytes from a state to a complete value.
    private(set) var distance: [Int32] = []

    init(grammar: JSONGrammar) {
        self.grammar = grammar
        start = 0
        _ = intern(JSONAutomaton.start(grammar))
    }

    var stateCount: Int { configurations.count }

    /// The state after `byte`, or ``dead``.
    @inline(__always)
    func next(_ state: Int32, _ byte: UInt8) -> Int32 {
        let cached = table[Int(state) << 8 | Int(byte)]
        return cached != Self.unknown ? cached : compute(state, byte)
    }

    /// The state after all of `bytes`, or ``dead``.
    func next(_ state: Int32, _ bytes: some Sequence<UInt8>) -> Int32 {
        var state = state
        for byte in bytes {
            state = next(state, byte)
            if state < 0 { return Self.dead }
        }
        return state
    }

    private func compute(_ state: Int32, _ byte: UInt8) -> Int32 {
        let stepped = JSONAutomaton.step(configurations[Int(state)], byte, in: grammar)
        let result = stepped.isEmpty ? Self.dead : intern(stepped)
        table[Int(state) << 8 | Int(byte)] = result
        return result
    }

    private func intern(_ configuration: JSONAutomaton.Configuration) -> Int32 {
        if let id = ids[configuration] { return id }
        let id = Int32(configurations.count)
        configurations.append(configuration)
        ids[configuration] = id
        table.append(contentsOf: repeatElement(Self.unknown, count: 256))
        let accepting = configuration.contains([])
        isAccepting.append(accepting)
        isFinal.append(accepting && configuration.count == 1)
        distance.append(Int32(clamping: JSONAutomaton.distance(configuration, in: grammar)))
        return id
    }
}
