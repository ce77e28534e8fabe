/// A bounds-checked little-endian reader over the mapped bytes of a GGUF file.
///
/// Every read checks the bytes left first and throws ``GGUFError/truncated``
/// otherwise, so a corrupt length can never read past the mapping.
struct GGUFCursor {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    private(set) var position: Int = 0

    init(base: UnsafeRawPointer, size: Int, path: String) {
        self.base = base
        self.size = size
        self.path = path
    }

    var remaining: Int { size - position }

    /// Throws unless `count` more bytes are available.
    func require(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            let (needed, overflow) = position.addingReportingOverflow(max(count, 0))
            throw .truncated(path: path, needed: overflow ? Int.max : needed, size: size, reading: what())
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try require(MemoryLayout<T>.size, what())
        let value = base.loadUnaligned(fromByteOffset: position, as: T.self)
        position += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// Reads a 64-bit length or count and rejects values that do not fit in `Int`.
    mutating func readCount(_ what: @autoclosure () -> String) throws(GGUFError) -> Int {
        let raw = try read(UInt64.self, what())
        guard let count = Int(exactly: raw) else {
            throw .truncated(path: path, needed: Int.max, size: size, reading: what())
        }
        return count
    }

    /// Reads a GGUF string: a 64-bit byte length, then that many UTF-8 bytes.
    mutating func readString(_ what: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try readCount(what())
        try require(length, what())
        let bytes = UnsafeRawBufferPointer(start: base + position, count: length)
        position += length
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func skip(to newPosition: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard newPosition >= position else { return }
        try require(newPosition - position, what())
        position = newPosition
    }
}
