import TroupeCore

/// The byte format of the effect log: a header, then one framed record per
/// effect.
///
/// The header is "TRPLOG2\n", a random 64-bit salt and a checksum of both. A
/// frame is the payload's length (32-bit), the segment's salt and a checksum
/// (64-bit FNV-1a of the length, the salt and the payload), all little endian,
/// followed by the payload: the effect's fields in declaration order, strings as
/// a 32-bit length and UTF-8, numbers as 64-bit little endian, an optional as a
/// presence byte before its value.
///
/// Reading stops at the first frame that is incomplete, whose salt is not the
/// header's or whose checksum does not match. So the tail of a write cut short
/// (by a crash, or by power loss mid-sector) is ignored, never misread; and the
/// records an earlier use left in a reused or preallocated file, which carry an
/// older salt, are never read back: a segment is emptied by giving it a new
/// salt, not by erasing it.
///
/// Segments written by the first version ("TRPLOG1\n", no salt, 32-bit
/// checksums) are still read, so an upgrade merges what an older process left.
enum EffectLogCodec {
    static let magic: [UInt8] = Array("TRPLOG2\n".utf8)
    static let legacyMagic: [UInt8] = Array("TRPLOG1\n".utf8)
    /// Magic, salt and checksum.
    static let headerSize = 24
    /// Length, salt and checksum.
    static let frameHeaderSize = 20

    /// A segment's first bytes, for records salted with `salt`.
    static func header(salt: UInt64) -> [UInt8] {
        var bytes = magic
        put(salt, &bytes)
        let checksum = bytes.withUnsafeBufferPointer { fnv1a64($0[...]) }
        put(checksum, &bytes)
        return bytes
    }

    /// A fresh random salt: different for every use of a segment.
    static func newSalt() -> UInt64 {
        var salt: UInt64 = 0
        // Zero is what a preallocated, never written file holds.
        while salt == 0 { salt = UInt64.random(in: .min ... .max) }
        return salt
    }

    /// Appends one frame per effect, salted with `salt`, to `bytes`.
    static func encode(_ effects: some Sequence<EffectRecord>, salt: UInt64, into bytes: inout [UInt8]) {
        for effect in effects {
            let frameStart = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: frameHeaderSize))
            let payloadStart = bytes.count
            put(effect.runID, &bytes)
            put(effect.key, &bytes)
            put(effect.stepKey, &bytes)
            put(UInt64(bitPattern: Int64(effect.seq)), &bytes)
            put(effect.kind.rawValue, &bytes)
            put(effect.fingerprint, &bytes)
            put(effect.request, &bytes)
            put(effect.result, &bytes)
            put(effect.error, &bytes)
            put(effect.status.rawValue, &bytes)
            put(UInt64(bitPattern: Int64(effect.executions)), &bytes)
            put(effect.startedAt.bitPattern, &bytes)
            if let finishedAt = effect.finishedAt {
                bytes.append(1)
                put(finishedAt.bitPattern, &bytes)
            } else {
                bytes.append(0)
            }
            store(UInt32(truncatingIfNeeded: bytes.count - payloadStart), at: frameStart, in: &bytes)
            store(salt, at: frameStart + 4, in: &bytes)
            let checksum = bytes.withUnsafeBufferPointer { buffer in
                fnv1a64(buffer[payloadStart...], seed: fnv1a64(buffer[frameStart..<(frameStart + 12)]))
            }
            store(checksum, at: frameStart + 12, in: &bytes)
        }
    }

    /// The effects of a segment's bytes, in the order they were written, up to the
    /// first damaged, incomplete or stale frame; nil when the header is not a log's.
    static func decode(_ bytes: [UInt8]) -> [EffectRecord]? {
        bytes.withUnsafeBufferPointer { buffer in
            if let salt = salt(buffer) { return frames(buffer, salt: salt) }
            guard buffer.count >= legacyMagic.count, buffer[..<legacyMagic.count].elementsEqual(legacyMagic) else {
                return nil
            }
            return legacyFrames(buffer)
        }
    }

    /// The salt of a valid header, or nil.
    private static func salt(_ buffer: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard buffer.count >= headerSize, buffer[..<magic.count].elementsEqual(magic),
              fnv1a64(buffer[..<16]) == load64(buffer, 16)
        else { return nil }
        return load64(buffer, 8)
    }

    private static func frames(_ buffer: UnsafeBufferPointer<UInt8>, salt: UInt64) -> [EffectRecord] {
        var effects: [EffectRecord] = []
        var offset = headerSize
        while offset + frameHeaderSize <= buffer.count {
            let length = Int(load32(buffer, offset))
            let start = offset + frameHeaderSize
            guard load64(buffer, offset + 4) == salt, length <= buffer.count - start else { break }
            let checksum = fnv1a64(buffer[start..<(start + length)], seed: fnv1a64(buffer[offset..<(offset + 12)]))
            guard checksum == load64(buffer, offset + 12) else { break }
            var reader = Reader(buffer: buffer, offset: start, end: start + length)
            guard let effect = reader.effect() else { break }
            effects.append(effect)
            offset = start + length
        }
        return effects
    }

    /// Frames of the first format: length and 32-bit FNV-1a, then the payload.
    private static func legacyFrames(_ buffer: UnsafeBufferPointer<UInt8>) -> [EffectRecord] {
        var effects: [EffectRecord] = []
        var offset = legacyMagic.count
        while offset + 8 <= buffer.count {
            let length = Int(load32(buffer, offset))
            let start = offset + 8
            guard length <= buffer.count - start, fnv1a32(buffer[start..<(start + length)]) == load32(buffer, offset + 4)
            else { break }
            var reader = Reader(buffer: buffer, offset: start, end: start + length)
            guard let effect = reader.effect() else { break }
            effects.append(effect)
            offset = start + length
        }
        return effects
    }

    // MARK: Writing

    private static func put(_ string: String, _ bytes: inout [UInt8]) {
        let lengthAt = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 4))
        bytes.append(contentsOf: string.utf8)
        store(UInt32(truncatingIfNeeded: bytes.count - lengthAt - 4), at: lengthAt, in: &bytes)
    }

    private static func put(_ string: String?, _ bytes: inout [UInt8]) {
        guard let string else { return bytes.append(0) }
        bytes.append(1)
        put(string, &bytes)
    }

    private static func put(_ value: UInt64, _ bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func store(_ value: some FixedWidthInteger, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (index, byte) in raw.enumerated() { bytes[offset + index] = byte }
        }
    }

    // MARK: Reading

    private static func load32(_ buffer: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(buffer[offset + index]) << (8 * index) }
        return value
    }

    static func load64(_ buffer: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(buffer[offset + index]) << (8 * index) }
        return value
    }

    /// FNV-1a, 64 bits, continuing from `seed`: with the salt inside what it
    /// covers, a frame left by an earlier use of the file cannot pass for a new one.
    static func fnv1a64(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, seed: UInt64 = FNV1a.offsetBasis) -> UInt64 {
        FNV1a.hash(UnsafeBufferPointer(rebasing: bytes), seed: seed)
    }

    /// FNV-1a, 32 bits: the checksum of the first format.
    private static func fnv1a32(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32 {
        var hash: UInt32 = 0x811c_9dc5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash &*= 0x0100_0193
        }
        return hash
    }

    /// Reads one payload's fields; every read checks the frame's bounds.
    private struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        var offset: Int
        let end: Int

        mutating func effect() -> EffectRecord? {
            guard let runID = string(), let key = string(), let stepKey = string(), let seq = int(),
                  let kind = string().flatMap(EffectKind.init(rawValue:)), let fingerprint = string(),
                  let request = string(), let result = optionalString(), let error = optionalString(),
                  let status = string().flatMap(EffectStatus.init(rawValue:)), let executions = int(),
                  let startedAt = double(), let finishedAt = optionalDouble(), offset == end
            else { return nil }
            return EffectRecord(
                runID: runID, key: key, stepKey: stepKey, seq: seq, kind: kind, fingerprint: fingerprint,
                request: request, result: result, error: error, status: status, executions: executions,
                startedAt: startedAt, finishedAt: finishedAt)
        }

        private mutating func uint64() -> UInt64? {
            guard end - offset >= 8 else { return nil }
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(buffer[offset + index]) << (8 * index) }
            offset += 8
            return value
        }

        private mutating func int() -> Int? { uint64().map { Int(truncatingIfNeeded: Int64(bitPattern: $0)) } }

        private mutating func double() -> Double? { uint64().map(Double.init(bitPattern:)) }

        private mutating func string() -> String? {
            guard end - offset >= 4 else { return nil }
            let length = Int(load32(buffer, offset))
            guard length <= end - offset - 4 else { return nil }
            let start = offset + 4
            offset = start + length
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<(start + length)]), as: UTF8.self)
        }

        /// A presence byte, then the value; `.some(nil)` for an absent one, nil when damaged.
        private mutating func presence() -> Bool? {
            guard offset < end else { return nil }
            defer { offset += 1 }
            switch buffer[offset] {
            case 0: return false
            case 1: return true
            default: return nil
            }
        }

        private mutating func optionalString() -> String?? {
            guard let present = presence() else { return nil }
            return present ? string().map { .some($0) } : .some(nil)
        }

        private mutating func optionalDouble() -> Double?? {
            guard let present = presence() else { return nil }
            return present ? double().map { .some($0) } : .some(nil)
        }
    }
}
