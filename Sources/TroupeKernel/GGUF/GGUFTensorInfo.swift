/// Where one tensor lives in a GGUF file and how its bytes are laid out.
///
/// `shape` lists dimensions the way GGUF stores them: `shape[0]` (ggml's
/// `ne0`) is the contiguous one, so a weight matrix applied to a vector of
/// length `n` has `shape == [n, rows]`.
public struct GGUFTensorInfo: Sendable, Hashable {
    /// The tensor's name, such as `blk.0.attn_q.weight`.
    public let name: String
    /// The element type of its data.
    public let type: GGMLType
    /// Dimensions, contiguous one first (`ne0`, `ne1`, …).
    public let shape: [Int]
    /// Byte offset of the data from the start of the file's data section.
    public let offset: Int
    /// Size of the data in bytes.
    public let byteCount: Int

    /// Number of elements: the product of `shape`.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes of one row (`shape[0]` elements, a whole number of blocks).
    public var rowByteCount: Int {
        (shape.first ?? 1) / type.blockSize * type.bytesPerBlock
    }
}
