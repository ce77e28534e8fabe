internal import CKernel

/// One sequence's keys and values, in fp16, for every layer and position so far.
///
/// The cache remembers which tokens it holds, so a later turn of the same
/// conversation can keep the common prefix and compute only what is new.
/// Storage grows by doubling up to the model's context length.
///
/// Concurrency: a cache belongs to one sequence and is used only by the thread
/// that runs the forward pass; it is `Sendable` so it can be handed to that thread.
public final class KVCache: @unchecked Sendable {
    /// The tokens whose keys and values are stored, in position order.
    public private(set) var tokens: [Int32] = []
    /// The longest sequence this cache may hold.
    public let limit: Int

    let raw: UnsafeMutablePointer<tk_kv>
    private let positionBytes: Int

    init(empty: tk_kv, limit: Int) {
        self.limit = limit
        raw = .allocate(capacity: 1)
        raw.initialize(to: empty)
        positionBytes = tk_kv_position_bytes(raw)
    }

    deinit {
        tk_kv_release(raw)
        raw.deallocate()
    }

    /// Positions that can be written without growing.
    var capacity: Int { Int(raw.pointee.capacity) }

    /// Bytes of memory the cache holds.
    public var allocatedBytes: Int { capacity * positionBytes * 2 }

    /// Makes room for `count` positions.
    func reserve(_ count: Int) throws(InferenceError) {
        guard count <= limit else { throw .contextFull(limit: limit) }
        guard count > capacity else { return }
        let wanted = Swift.min(limit, Swift.max(count, Swift.max(64, capacity * 2)))
        guard tk_kv_reserve(raw, Int32(wanted)) == 0 else {
            throw .outOfMemory(what: "a KV cache of \(wanted) positions")
        }
    }

    /// Records that `token` now sits at the next position (its K/V were written by a forward pass).
    func append(_ token: Int32) { tokens.append(token) }

    /// Forgets every position from `count` on.
    public func truncate(to count: Int) {
        if count < tokens.count { tokens.removeLast(tokens.count - count) }
    }

    /// How many leading tokens of `sequence` the cache already holds.
    public func commonPrefix(with sequence: [Int32]) -> Int {
        var n = 0
        while n < tokens.count, n < sequence.count, tokens[n] == sequence[n] { n += 1 }
        return n
    }
}
