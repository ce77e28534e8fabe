/// The vocabulary's byte strings as a trie laid out in preorder, so a mask is
/// one forward scan: each node is checked against the automaton state of its
/// parent, and a rejected node skips its whole subtree (every token sharing
/// that prefix) in one jump.
struct TokenTrie: Sendable {
    /// Per node, in preorder: the byte on the edge into it, its depth (1 for the
    /// root's children), the index just past its subtree, and where its tokens
    /// start in ``tokens`` (they end where the next node's start).
    private(set) var bytes: [UInt8] = []
    private(set) var depth: [UInt8] = []
    private(set) var subtreeEnd: [Int32] = []
    private(set) var tokenStart: [Int32] = []
    /// Token ids, grouped by the node their bytes end at.
    private(set) var tokens: [Int32] = []
    /// The longest token, in bytes (capped at 255: longer ones are left out).
    private(set) var maximumDepth = 0

    var nodeCount: Int { bytes.count }

    /// A trie of `entries`: each token id with its bytes (empty ones are left out).
    init(_ entries: [(id: Int32, bytes: [UInt8])]) {
        let sorted = entries.filter { !$0.bytes.isEmpty && $0.bytes.count < 256 }.sorted { a, b in
            a.bytes.lexicographicallyPrecedes(b.bytes) || (a.bytes == b.bytes && a.id < b.id)
        }
        var path: [(node: Int, byte: UInt8)] = []
        for entry in sorted {
            var shared = 0
            while shared < path.count, shared < entry.bytes.count, path[shared].byte == entry.bytes[shared] {
                shared += 1
            }
            while path.count > shared { subtreeEnd[path.removeLast().node] = Int32(bytes.count) }
            for byte in entry.bytes[shared...] {
                path.append((bytes.count, byte))
                bytes.append(byte)
                depth.append(UInt8(path.count))
                subtreeEnd.append(0)
                tokenStart.append(Int32(tokens.count))
            }
            tokens.append(entry.id)
            maximumDepth = max(maximumDepth, entry.bytes.count)
        }
        while let last = path.popLast() { subtreeEnd[last.node] = Int32(bytes.count) }
        tokenStart.append(Int32(tokens.count))
    }

    /// Calls `visit(token, state)` for every token all of whose bytes `next`
    /// accepts from `start`, with the state after its last byte; a negative
    /// state means rejected.
    func walk(from start: Int32, next: (Int32, UInt8) -> Int32, visit: (Int32, Int32) -> Void) {
        var states = [Int32](repeating: 0, count: maximumDepth + 1)
        states[0] = start
        var node = 0
        let count = bytes.count
        while node < count {
            let level = Int(depth[node])
            let state = next(states[level - 1], bytes[node])
            if state < 0 {
                node = Int(subtreeEnd[node])
                continue
            }
            states[level] = state
            for index in Int(tokenStart[node])..<Int(tokenStart[node + 1]) { visit(tokens[index], state) }
            node += 1
        }
    }
}
