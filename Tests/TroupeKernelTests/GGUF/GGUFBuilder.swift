import Foundation

/// Writes small synthetic GGUF files byte by byte, so tests can break each field.
struct GGUFBuilder {
    struct Tensor {
        var name: String
        var shape: [Int64]
        var type: UInt32
        var offset: UInt64
    }

    var magic: [UInt8] = Array("GGUF".utf8)
    var version: UInt32 = 3
    /// Metadata entries as (key, type tag, encoded value bytes).
    var entries: [(String, UInt32, Data)] = []
    var tensors: [Tensor] = []
    var alignment = 32
    var dataBytes = 0

    mutating func add(_ key: String, string value: String) {
        entries.append((key, 8, Self.string(value)))
    }

    mutating func add(_ key: String, uint32 value: UInt32) {
        entries.append((key, 4, Self.le(value)))
    }

    mutating func add(_ key: String, rawType: UInt32, bytes: Data) {
        entries.append((key, rawType, bytes))
    }

    /// A one-tensor F32 llama file: the smallest file the kernel accepts.
    static func minimal() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.add("general.architecture", string: "llama")
        b.tensors = [Tensor(name: "w", shape: [4, 2], type: 0, offset: 0)]
        b.dataBytes = 32
        return b
    }

    func build() -> Data {
        var d = Data(magic)
        d += Self.le(version)
        d += Self.le(UInt64(tensors.count))
        d += Self.le(UInt64(entries.count))
        for (key, type, bytes) in entries {
            d += Self.string(key)
            d += Self.le(type)
            d += bytes
        }
        for t in tensors {
            d += Self.string(t.name)
            d += Self.le(UInt32(t.shape.count))
            for dim in t.shape { d += Self.le(dim) }
            d += Self.le(t.type)
            d += Self.le(t.offset)
        }
        let padded = (d.count + alignment - 1) / alignment * alignment
        d += Data(count: padded - d.count + dataBytes)
        return d
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> Data {
        withUnsafeBytes(of: v.littleEndian) { Data($0) }
    }

    static func string(_ s: String) -> Data {
        le(UInt64(s.utf8.count)) + Data(s.utf8)
    }
}
