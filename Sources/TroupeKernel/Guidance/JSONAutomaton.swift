/// The byte-level pushdown automaton a ``JSONGrammar`` describes.
///
/// A configuration is the set of stacks the automaton may be in (alternatives
/// of an `anyOf`, optional properties and the end of a number are explored
/// side by side until the bytes tell them apart). Every stack in a
/// configuration is *closed*: its top frame consumes the next byte, or the
/// stack is empty, which means a complete value was read.
///
/// These operations are the slow path: ``GrammarDFA`` numbers the
/// configurations it meets and memoises their transitions, so generation only
/// looks bytes up in a table.
enum JSONAutomaton {
    /// One level of the stack.
    struct Frame: Hashable, Sendable {
        enum Kind: UInt8, Sendable {
            /// A value of node `id`, not started (only while closing).
            case value
            /// Literal `id`, `state` bytes matched.
            case literal
            /// Object node `id`; `state` is the next property index × 2, plus 1 once one was written.
            case object
            /// Free-key object node `id`; `state` is 1 once an entry was written.
            case map
            /// Array node `id`; `state` counts items started, capped where it stops mattering.
            case array
            /// Inside a string of node `id` (-1: an object key), after its opening quote.
            case string
            /// Inside a number of node `id`.
            case number
        }
        var kind: Kind
        var id: Int32
        var state: Int32
    }

    typealias Stack = [Frame]
    typealias Configuration = Set<Stack>

    /// Deeper stacks are dropped, so a left-recursive schema cannot loop forever.
    static let maximumDepth = 96

    static func start(_ grammar: JSONGrammar) -> Configuration {
        var configuration = Configuration()
        close([Frame(kind: .value, id: Int32(grammar.root), state: 0)], grammar, into: &configuration)
        return configuration
    }

    static func step(_ configuration: Configuration, _ byte: UInt8, in grammar: JSONGrammar) -> Configuration {
        var next = Configuration()
        for stack in configuration { advance(stack, byte, grammar, into: &next) }
        return next
    }

    /// The fewest bytes that complete some stack of `configuration` (0 when it is complete).
    static func distance(_ configuration: Configuration, in grammar: JSONGrammar) -> Int {
        configuration.map { distance($0, grammar) }.min() ?? Int.max / 4
    }

    // MARK: Closing

    private static func close(_ stack: Stack, _ grammar: JSONGrammar, into out: inout Configuration) {
        guard stack.count <= maximumDepth else { return }
        guard let top = stack.last else { out.insert(stack); return }
        var rest = stack
        rest.removeLast()
        let id = Int(top.id)
        switch top.kind {
        case .value:
            switch grammar.nodes[id] {
            case .object:
                close(rest + [Frame(kind: .object, id: top.id, state: 0), literal(grammar.openBrace)], grammar, into: &out)
            case .map:
                close(rest + [Frame(kind: .map, id: top.id, state: 0), literal(grammar.openBrace)], grammar, into: &out)
            case .array:
                close(rest + [Frame(kind: .array, id: top.id, state: 0), literal(grammar.openBracket)], grammar, into: &out)
            case .string:
                close(rest + [Frame(kind: .string, id: top.id, state: 0), literal(grammar.quote)], grammar, into: &out)
            case .number:
                close(rest + [Frame(kind: .number, id: top.id, state: 0)], grammar, into: &out)
            case .literals(let ids):
                for literalID in ids { close(rest + [literal(literalID)], grammar, into: &out) }
            case .anyOf(let alternatives):
                for alternative in alternatives {
                    close(rest + [Frame(kind: .value, id: Int32(alternative), state: 0)], grammar, into: &out)
                }
            }
        case .literal:
            if Int(top.state) < grammar.literals[id].count { out.insert(stack) } else { close(rest, grammar, into: &out) }
        case .string:
            out.insert(stack)
        case .number:
            out.insert(stack)
            if NumberPhase(rawValue: UInt8(top.state & 0xFF))?.canEnd == true { close(rest, grammar, into: &out) }
        case .object:
            guard case .object(let properties) = grammar.nodes[id] else { return }
            let written = top.state & 1 == 1
            var index = Int(top.state >> 1)
            while index < properties.count {
                let property = properties[index]
                close(rest + [Frame(kind: .object, id: top.id, state: Int32(index + 1) << 1 | 1),
                              Frame(kind: .value, id: Int32(property.value), state: 0),
                              literal(written ? property.commaKey : property.key)], grammar, into: &out)
                if property.isRequired { return }
                index += 1
            }
            close(rest + [literal(grammar.closeBrace)], grammar, into: &out)
        case .map:
            guard case .map(let value) = grammar.nodes[id] else { return }
            close(rest + [literal(grammar.closeBrace)], grammar, into: &out)
            close(rest + [Frame(kind: .map, id: top.id, state: 1), Frame(kind: .value, id: Int32(value), state: 0),
                          literal(grammar.colon), Frame(kind: .string, id: -1, state: 0),
                          literal(top.state == 1 ? grammar.commaQuote : grammar.quote)], grammar, into: &out)
        case .array:
            guard case .array(let item, let minItems, let maxItems) = grammar.nodes[id] else { return }
            let count = Int(top.state)
            if count >= minItems { close(rest + [literal(grammar.closeBracket)], grammar, into: &out) }
            if maxItems.map({ count < $0 }) ?? true {
                // Without a maximum, counts past max(minItems, 1) all behave alike.
                let next = maxItems == nil ? min(count + 1, max(minItems, 1)) : count + 1
                var pushed = rest + [Frame(kind: .array, id: top.id, state: Int32(next)),
                                     Frame(kind: .value, id: Int32(item), state: 0)]
                if count > 0 { pushed.append(literal(grammar.comma)) }
                close(pushed, grammar, into: &out)
            }
        }
    }

    private static func literal(_ id: Int) -> Frame { Frame(kind: .literal, id: Int32(id), state: 0) }

    // MARK: Bytes

    private static func advance(_ stack: Stack, _ byte: UInt8, _ grammar: JSONGrammar, into out: inout Configuration) {
        guard let top = stack.last else { return }
        var next = stack
        switch top.kind {
        case .literal:
            let bytes = grammar.literals[Int(top.id)]
            guard Int(top.state) < bytes.count, bytes[Int(top.state)] == byte else { return }
            next[next.count - 1].state += 1
        case .string:
            let limits = stringLimits(top.id, grammar)
            guard let state = StringScanner.next(top.state, byte, minLength: limits.min, maxLength: limits.max) else { return }
            if state < 0 { next.removeLast() } else { next[next.count - 1].state = state }
        case .number:
            guard case .number(let shape) = grammar.nodes[Int(top.id)],
                  let state = NumberPhase.next(top.state, byte, shape) else { return }
            next[next.count - 1].state = state
        default:
            return
        }
        close(next, grammar, into: &out)
    }

    private static func stringLimits(_ id: Int32, _ grammar: JSONGrammar) -> (min: Int, max: Int?) {
        guard id >= 0, case .string(let minLength, let maxLength) = grammar.nodes[Int(id)] else { return (0, nil) }
        return (minLength, maxLength)
    }

    // MARK: Distance

    private static func distance(_ stack: Stack, _ grammar: JSONGrammar) -> Int {
        var total = 0
        for frame in stack {
            let id = Int(frame.id)
            switch frame.kind {
            case .value: total += grammar.minimumLength[id]
            case .literal: total += grammar.literals[id].count - Int(frame.state)
            case .string:
                let limits = stringLimits(frame.id, grammar)
                total += StringScanner.remaining(frame.state, minLength: limits.min)
            case .number: total += NumberPhase(rawValue: UInt8(frame.state & 0xFF))?.remaining ?? 1
            case .object:
                guard case .object(let properties) = grammar.nodes[id] else { continue }
                var written = frame.state & 1 == 1
                total += 1
                for property in properties[Int(frame.state >> 1)...] where property.isRequired {
                    total += grammar.literals[written ? property.commaKey : property.key].count
                        + grammar.minimumLength[property.value]
                    written = true
                }
            case .map: total += 1
            case .array:
                guard case .array(let item, let minItems, _) = grammar.nodes[id] else { continue }
                let count = Int(frame.state)
                total += 1
                if count < minItems {
                    let missing = minItems - count
                    total += missing * grammar.minimumLength[item] + missing - (count == 0 ? 1 : 0)
                }
            }
        }
        return total
    }
}
