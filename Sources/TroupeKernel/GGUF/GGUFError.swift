/// Why a GGUF file could not be opened or used, naming the file and what to do.
///
/// Every check the reader makes on a file ends in one of these cases instead
/// of a crash: a corrupt or truncated download is an ordinary error.
public enum GGUFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or mapped (missing, unreadable, a directory).
    case cannotOpen(path: String, reason: String)
    /// The file ends before a structure it announces.
    case truncated(path: String, needed: Int, size: Int, reading: String)
    /// The first four bytes are not `GGUF`.
    case badMagic(path: String, found: [UInt8])
    /// The format version is not 2 or 3 (or the file is big-endian).
    case unsupportedVersion(path: String, version: UInt32)
    /// A metadata entry has an unknown type tag, a wrong type, or a bad value.
    case badMetadata(path: String, key: String, problem: String)
    /// `general.architecture` names a model family the kernel cannot run.
    case unsupportedArchitecture(path: String, architecture: String)
    /// A tensor's type id is unknown, or known but without kernel support.
    case unsupportedTensorType(path: String, tensor: String, typeID: UInt32)
    /// A tensor's dimensions are impossible (too many, negative, overflowing,
    /// not a whole number of quantization blocks) or its name is duplicated.
    case badTensorShape(path: String, tensor: String, problem: String)
    /// A tensor's data is misaligned or lies outside the file.
    case badTensorOffset(path: String, tensor: String, problem: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open GGUF file \(path): \(reason). Check the path, or run scripts/setup to fetch the default model."
        case .truncated(let path, let needed, let size, let reading):
            return "GGUF file \(path) is truncated: reading \(reading) needs \(needed) bytes but the file has \(size). The download is incomplete; delete the file and run scripts/setup again."
        case .badMagic(let path, let found):
            let hex = found.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "\(path) is not a GGUF file: it starts with bytes [\(hex)] instead of \"GGUF\". Point Troupe at a .gguf model file."
        case .unsupportedVersion(let path, let version):
            let hint = version > 0xFFFF
                ? "the file looks big-endian, which Troupe does not read; use a little-endian GGUF"
                : "Troupe reads GGUF versions 2 and 3; convert the model with a recent llama.cpp"
            return "GGUF file \(path) has format version \(version): \(hint)."
        case .badMetadata(let path, let key, let problem):
            return "GGUF file \(path) has bad metadata at key '\(key)': \(problem). The file is corrupt or was written by a broken converter; re-download or re-convert it."
        case .unsupportedArchitecture(let path, let architecture):
            return "GGUF file \(path) holds a '\(architecture)' model; the local kernel runs 'llama'-architecture models only (such as SmolLM2). Use a llama-family GGUF."
        case .unsupportedTensorType(let path, let tensor, let typeID):
            let name = GGMLType(rawValue: typeID).map { "\($0)" } ?? "unknown type id \(typeID)"
            return "GGUF file \(path): tensor '\(tensor)' has type \(name), which the local kernel does not support. Use a model quantized as Q4_0, Q4_1, Q8_0, F16 or F32."
        case .badTensorShape(let path, let tensor, let problem):
            return "GGUF file \(path): tensor '\(tensor)' has a bad shape: \(problem). The file is corrupt; re-download or re-convert it."
        case .badTensorOffset(let path, let tensor, let problem):
            return "GGUF file \(path): tensor '\(tensor)' has a bad data offset: \(problem). The file is corrupt or truncated; re-download it (scripts/setup for the default model)."
        }
    }
}
