import TroupeCore

/// The byte format of the effect log: a file header, then one framed record per
/// effect.
///
/// A frame is the payload's length and its FNV-1a checksum (both 32-bit little
/// endian) followed by the payload: the effect's fields in declaration order,
/// strings as a 32-bit length and UTF-8, numbers as 64-bit little endian, an
/// optional as a presence byte before its value. Reading stops at the first
/// frame that is incomplete or whose checksum does not match, so the tail of a
/// write cut short is ignored, never misread.
enum EffectLogCodec {
    /// The first bytes of every segment: "TRPLOG" and the format version.
    static let header: [UInt8] = Array("TRPLOG1\n".utf8)

    /// Appends one frame per effect to `bytes`.
    static func encode(_ effects: some Sequence<EffectRecord>, into bytes: inout [UInt8]) {
        for effect in effects {
            let frameStart = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: 8))
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
            let length = UInt32(truncatingIfNeeded: bytes.count - payloadStart)
            let checksum = bytes.withUnsafeBufferPointer { fnv1a($0[payloadStart...]) }
            store(length, at: frameStart, in: &bytes)
            store(checksum, at: frameStart + 4, in: &bytes)
        }
    }

    /// The effects of a segment's bytes, in the order they were written, up to the
    /// first damaged or incomplete frame; nil when the header is not a log's.
    static func decode(_ bytes: [UInt8]) -> [EffectRecord]? {
        guard bytes.count >= header.count, bytes[..<header.count].elementsEqual(header) else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            var effects: [EffectRecord] = []
            var offset = header.count
            while offset + 8 <= buffer.count {
                let length = Int(load32(buffer, offset))
                let checksum = load32(buffer, offset + 4)
                let start = offset + 8
                guard length <= buffer.count - start, fnv1a(buffer[start..<(start + length)]) == checksum else { break }
                var reader = Reader(buffer: buffer, offset: start, end: start + length)
                guard let effect = reader.effect() else { break }
                effects.append(effect)
                offset = start + length
            }
            return effects
        }
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

    private static func store(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
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

    /// FNV-1a, 32 bits: enough to tell a frame from leftover bytes.
    private static func fnv1a(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32 {
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
