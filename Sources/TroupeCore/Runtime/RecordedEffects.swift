import Synchronization

/// The effects a resume, replay or fork serves from, and the two ways of finding
/// one: by key, and by position for a replay that asks for them in the order they
/// were recorded.
///
/// The key index is built the first time a lookup needs it. A strict replay
/// served in order never does, and building it was a tenth of replaying a
/// 1,000-step run.
final class RecordedEffects: Sendable {
    /// In the order they were first started.
    let records: [EffectRecord]
    /// True when no key appears twice in ``records``: the record found at the
    /// cursor is then the one the index would give.
    private let keysAreUnique: Bool
    /// Where each key's effect is in ``records`` (the last, if a key appears twice).
    private let index: Mutex<[String: Int]?>
    /// Where the next effect of a sequential replay is expected: just after the
    /// last one ``servedPosition(path:key:seq:kind:requestHash:)`` served.
    private let cursor = Atomic<Int>(0)

    /// - Parameter keysAreUnique: the loader guarantees no key appears twice (a
    ///   store's primary key does); otherwise the index is built now, which tells.
    init(_ records: [EffectRecord], keysAreUnique: Bool) {
        self.records = records
        if keysAreUnique || records.isEmpty {
            self.keysAreUnique = true
            index = Mutex(nil)
        } else {
            let built = Self.index(of: records)
            self.keysAreUnique = built.count == records.count
            index = Mutex(built)
        }
    }

    /// The position of the effect with this key, if it was recorded.
    func position(of key: String) -> Int? {
        guard !records.isEmpty else { return nil }
        return index.withLock { index in
            if index == nil { index = Self.index(of: records) }
            return index?[key]
        }
    }

    /// The position of effect `seq` of step `path/key` when the recording has it
    /// completed, of this kind, with this request fingerprint; nil otherwise, and
    /// then ``StepContext/perform(_:request:seq:live:)`` decides (serve, run live,
    /// or report the divergence with both requests).
    ///
    /// When the effect is where the previous one left off (a sequential replay),
    /// its key is compared in place, not built.
    func servedPosition(path: String, key: String, seq: Int, kind: EffectKind, requestHash: UInt64) -> Int? {
        guard !records.isEmpty else { return nil }
        var position = cursor.load(ordering: .relaxed)
        if !(keysAreUnique && position < records.count && records[position].seq == seq
             && Self.isStepKey(records[position].stepKey, path: path, key: key)
             && Self.isEffectKeyLength(records[position].key, stepKey: records[position].stepKey, seq: seq)) {
            let effectKey = StepPath.effect(seq, of: StepPath.child(key, of: path))
            guard let found = self.position(of: effectKey) else { return nil }
            position = found
        }
        guard records[position].kind == kind, records[position].status == .completed,
              records[position].result != nil,
              Canonical.isFingerprint(records[position].fingerprint, of: requestHash) else { return nil }
        cursor.store(position + 1, ordering: .relaxed)
        return position
    }

    private static func index(of records: [EffectRecord]) -> [String: Int] {
        var index: [String: Int] = [:]
        index.reserveCapacity(records.count)
        // By position, not by element: iterating elements copies every record.
        for position in records.indices { index[records[position].key] = position }
        return index
    }

    /// Whether `stepKey` is `path/key`, compared byte by byte without building it.
    private static func isStepKey(_ stepKey: String, path: String, key: String) -> Bool {
        let total = path.utf8.count + 1 + key.utf8.count
        guard stepKey.utf8.count == total else { return false }
        let matches = stepKey.utf8.withContiguousStorageIfAvailable { whole in
            path.utf8.withContiguousStorageIfAvailable { head in
                key.utf8.withContiguousStorageIfAvailable { tail in
                    whole[head.count] == UInt8(ascii: "/")
                        && head.elementsEqual(whole[..<head.count])
                        && tail.elementsEqual(whole[(head.count + 1)...])
                }
            } ?? nil
        } ?? nil
        return matches ?? (stepKey == StepPath.child(key, of: path))
    }

    /// Whether `key` is as long as `stepKey#seq`: with the step key and number
    /// equal, that tells a record whose key follows the scheme.
    private static func isEffectKeyLength(_ key: String, stepKey: String, seq: Int) -> Bool {
        var digits = 1
        var rest = seq / 10
        while rest > 0 { digits += 1; rest /= 10 }
        return seq >= 0 && key.utf8.count == stepKey.utf8.count + 1 + digits
    }
}
