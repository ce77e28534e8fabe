/// 64-bit FNV-1a, the one hash behind effect-request fingerprints, span ids and
/// the effect log's record checksums. A hash continues from `seed`, so hashing
/// `a` then `b` with the first result as seed equals hashing `a + b`.
package enum FNV1a {
    /// The hash of no bytes.
    package static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// `hash` continued by one byte.
    @inlinable @inline(__always)
    package static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    /// `seed` continued by `bytes`.
    @inlinable
    package static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = offsetBasis) -> UInt64 {
        var hash = seed
        for byte in bytes { hash = step(hash, byte) }
        return hash
    }

    /// `seed` continued by the UTF-8 bytes of `text`.
    package static func hash(_ text: String, seed: UInt64 = offsetBasis) -> UInt64 {
        var text = text  // withUTF8 makes a non-native string contiguous (native ones already are)
        return text.withUTF8 { hash($0, seed: seed) }
    }
}
