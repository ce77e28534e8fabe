#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A GGUF model file, memory-mapped read-only and validated on open.
///
/// Opening parses the header, every metadata entry and every tensor
/// description, and checks them against the file: magic, version (2 or 3),
/// metadata type tags, tensor shapes and types, and that each tensor's data is
/// aligned and lies inside the file. Tensor bytes are not read: they stay in the
/// mapping and are paged in on first use, so several models (or several
/// sequences on one model) share one copy in memory.
///
/// ```swift
/// let file = try GGUFFile(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
/// file.string("general.architecture")        // "llama"
/// let embd = file.tensors["token_embd.weight"]!
/// let bytes = file.data(for: embd)            // embd.byteCount bytes
/// ```
///
/// The structure checks do not judge whether the kernel can run the model:
/// call ``validateForInference()`` for that (architecture and tensor types).
///
/// Concurrency: every stored property is immutable after `init`, and the
/// mapping is read-only, so a file may be shared freely across threads. The
/// mapping lives as long as the object; pointers from ``data(for:)`` must not
/// outlive it.
public final class GGUFFile: @unchecked Sendable {
    /// The file's path as given.
    public let path: String
    /// GGUF format version (2 or 3).
    public let version: UInt32
    /// Every metadata entry, by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Every tensor description, by name.
    public let tensors: [String: GGUFTensorInfo]
    /// Tensor names in file order.
    public let tensorNames: [String]
    /// Alignment of tensor data (`general.alignment`, default 32).
    public let alignment: Int
    /// Offset of the data section from the start of the file.
    public let dataOffset: Int
    /// Size of the file in bytes.
    public let fileSize: Int

    private let base: UnsafeRawPointer

    /// The default alignment of tensor data when `general.alignment` is absent.
    public static let defaultAlignment = 32
    /// Maximum tensor rank ggml supports.
    static let maxDimensions = 4
    /// Nesting limit for metadata arrays, so a hostile file cannot exhaust the stack.
    static let maxArrayDepth = 8

    /// Opens and validates the GGUF file at `url`.
    ///
    /// - Throws: ``GGUFError`` naming the file and the problem.
    public convenience init(url: URL) throws(GGUFError) {
        try self.init(path: url.path)
    }

    /// Opens and validates the GGUF file at `path`.
    ///
    /// - Throws: ``GGUFError`` naming the file and the problem.
    public init(path: String) throws(GGUFError) {
        let (base, size) = try Self.map(path: path)
        do {
            let parsed = try Self.parse(base: UnsafeRawPointer(base), size: size, path: path)
            self.path = path
            self.version = parsed.version
            self.metadata = parsed.metadata
            self.metadataKeys = parsed.metadataKeys
            self.tensors = parsed.tensors
            self.tensorNames = parsed.tensorNames
            self.alignment = parsed.alignment
            self.dataOffset = parsed.dataOffset
            self.fileSize = size
            self.base = UnsafeRawPointer(base)
        } catch {
            munmap(base, size)
            throw error
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), fileSize)
    }

    // MARK: Tensor data

    /// The first byte of `tensor`'s data inside the mapping.
    ///
    /// Valid for `tensor.byteCount` bytes while this file is alive.
    public func data(for tensor: GGUFTensorInfo) -> UnsafeRawPointer {
        base + dataOffset + tensor.offset
    }

    /// `tensor`'s data as a buffer of `tensor.byteCount` bytes inside the mapping.
    public func bytes(for tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: data(for: tensor), count: tensor.byteCount)
    }

    // MARK: Typed metadata

    /// The model family, `general.architecture` (such as `llama`).
    public var architecture: String? { string("general.architecture") }

    /// The string at `key`, or `nil` when absent or not a string.
    public func string(_ key: String) -> String? { metadata[key]?.stringValue }

    /// The integer at `key` (any integer type), or `nil`.
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }

    /// The number at `key` (any numeric type), or `nil`.
    public func float(_ key: String) -> Double? { metadata[key]?.floatValue }

    /// The bool at `key`, or `nil`.
    public func bool(_ key: String) -> Bool? { metadata[key]?.boolValue }

    /// The array elements at `key`, or `nil`.
    public func array(_ key: String) -> [GGUFValue]? { metadata[key]?.arrayValue }

    /// The array at `key` when every element is a string, else `nil`.
    public func strings(_ key: String) -> [String]? {
        guard let values = array(key) else { return nil }
        var result: [String] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let s = value.stringValue else { return nil }
            result.append(s)
        }
        return result
    }

    /// The array at `key` when every element is an integer, else `nil`.
    public func ints(_ key: String) -> [Int]? {
        guard let values = array(key) else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let i = value.intValue else { return nil }
            result.append(i)
        }
        return result
    }

    // MARK: Model checks

    /// Throws unless the local kernel can run this model: a `llama`
    /// architecture whose tensors all have supported types.
    public func validateForInference() throws(GGUFError) {
        guard let arch = metadata["general.architecture"] else {
            throw .badMetadata(path: path, key: "general.architecture", problem: "missing")
        }
        guard let name = arch.stringValue else {
            throw .badMetadata(path: path, key: "general.architecture",
                               problem: "expected a string, found \(arch.type)")
        }
        guard name == "llama" else {
            throw .unsupportedArchitecture(path: path, architecture: name)
        }
        for name in tensorNames {
            guard let tensor = tensors[name] else { continue }
            guard tensor.type.isSupportedByKernel else {
                throw .unsupportedTensorType(path: path, tensor: name, typeID: tensor.type.rawValue)
            }
        }
    }
}
