/// Finds a token id from the UTF-8 bytes of its vocabulary entry.
///
/// An open-addressing hash table over the bytes, so building it for a 49k
/// vocabulary and resolving 49k merges takes milliseconds: `String` keys hash
/// by Unicode canonical equivalence, which is both slower and not what a
/// vocabulary means (two entries differing only in normalisation are distinct
/// tokens). Lookups may span two byte ranges, so a merge `A B` can find the
/// token `AB` without building the string.
struct VocabularyIndex: Sendable {
    private let bytes: [UInt8]
    private let offsets: [Int32]
    /// Token id per slot, -1 when empty; the count is a power of two.
    private let slots: [Int32]

    init(pieces: [String]) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        bytes.reserveCapacity(pieces.count * 8)
        offsets.reserveCapacity(pieces.count + 1)
        for piece in pieces {
            bytes += piece.utf8
            offsets.append(Int32(bytes.count))
        }
        var capacity = 1
        while capacity < pieces.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: max(capacity, 2))
        let mask = slots.count - 1
        bytes.withUnsafeBufferPointer { all in
            for id in pieces.indices {
                let piece = UnsafeBufferPointer(rebasing: all[Int(offsets[id])..<Int(offsets[id + 1])])
                var slot = Int(truncatingIfNeeded: Self.hash(piece, UnsafeBufferPointer(start: nil, count: 0))) & mask
                // A repeated entry maps to its last id, as llama.cpp's token map does.
                while slots[slot] >= 0 {
                    let other = Int(slots[slot])
                    if UnsafeBufferPointer(rebasing: all[Int(offsets[other])..<Int(offsets[other + 1])]).elementsEqual(piece) { break }
                    slot = (slot + 1) & mask
                }
                slots[slot] = Int32(id)
            }
        }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
    }

    /// The id of the entry spelled `piece`.
    func id(of piece: String) -> Int32? {
        var piece = piece
        return piece.withUTF8 { id(of: $0, UnsafeBufferPointer(start: nil, count: 0)) }
    }

    /// The id of the entry whose bytes are `first` followed by `second`.
    func id(of first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(first, second)) & mask
        return bytes.withUnsafeBufferPointer { all in
            while slots[slot] >= 0 {
                let id = Int(slots[slot])
                let start = Int(offsets[id]), end = Int(offsets[id + 1])
                if end - start == first.count + second.count,
                   UnsafeBufferPointer(rebasing: all[start..<start + first.count]).elementsEqual(first),
                   UnsafeBufferPointer(rebasing: all[start + first.count..<end]).elementsEqual(second) {
                    return Int32(id)
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// FNV-1a over both ranges, then a final mix so low bits are usable as a slot.
    private static func hash(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in first { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for byte in second { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}
