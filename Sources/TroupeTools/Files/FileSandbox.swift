import Foundation
import TroupeCore

/// A folder that file tools may not leave: every path is relative to it, and
/// one that escapes it — `..`, an absolute path, a symbolic link pointing
/// outside — is refused with ``FileToolError/outsideSandbox(_:reason:)``.
///
/// ```swift
/// let sandbox = try FileSandbox(root: "workspace")
/// let agent = Agent("clerk", instructions: "…", tools: sandbox.tools)   // read, write, list
/// ```
///
/// Symbolic links inside the folder that stay inside it are followed. Checks are
/// made on each call, against the file system as it is then; a process that
/// swaps a folder for a link between the check and the use is outside this
/// model (give the sandbox a folder only Troupe writes to).
public struct FileSandbox: Sendable, Hashable {
    /// The folder, with symbolic links resolved.
    public let root: URL
    /// Files larger than this are refused by `read_file` and `write_file`.
    public var maximumFileSize: Int

    /// - Throws: ``FileToolError/noSuchFolder(_:)`` when `root` is not an existing folder.
    public init(root: String, maximumFileSize: Int = 1 << 20) throws(FileToolError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue,
              let resolved = Self.realPath(root) else {
            throw .noSuchFolder(root)
        }
        self.root = URL(fileURLWithPath: resolved, isDirectory: true)
        self.maximumFileSize = maximumFileSize
    }

    /// The three file tools over this folder.
    public var tools: [any Tool] { [ReadFile(sandbox: self), WriteFile(sandbox: self), ListFiles(sandbox: self)] }

    /// The absolute location of `path` inside the sandbox, for an existing file
    /// or folder (`mustExist`) or one about to be created.
    ///
    /// - Throws: ``FileToolError/outsideSandbox(_:reason:)``, ``FileToolError/notFound(_:)``.
    public func resolve(_ path: String, mustExist: Bool) throws(FileToolError) -> URL {
        guard !path.contains("\0") else { throw .outsideSandbox(path, reason: "it contains a NUL character") }
        guard !path.hasPrefix("/"), !path.hasPrefix("~") else {
            throw .outsideSandbox(path, reason: "absolute paths are not allowed; give a path relative to the sandbox folder")
        }
        let components = path.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !components.contains("..") else {
            throw .outsideSandbox(path, reason: "'..' is not allowed")
        }
        let target = components.reduce(root) { $0.appendingPathComponent($1) }
        // The deepest part of the path that exists must resolve inside the root;
        // what does not exist yet cannot be a link.
        var existing = target
        var missing = 0
        while !FileManager.default.fileExists(atPath: existing.path), missing < components.count {
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: existing.path)) != nil {
                throw .outsideSandbox(path, reason: "it goes through a symbolic link that points nowhere")
            }
            existing.deleteLastPathComponent()
            missing += 1
        }
        if missing > 0, mustExist { throw .notFound(path) }
        guard let resolved = Self.realPath(existing.path), contains(resolved) else {
            throw .outsideSandbox(path, reason: "it goes through a symbolic link that leads outside the sandbox")
        }
        return target
    }

    private func contains(_ resolved: String) -> Bool {
        let rootPath = root.path.hasSuffix("/") ? String(root.path.dropLast()) : root.path
        return resolved == rootPath || resolved.hasPrefix(rootPath + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// What went wrong with a file tool call.
public enum FileToolError: Error, Sendable, Hashable, CustomStringConvertible {
    case noSuchFolder(String)
    case outsideSandbox(String, reason: String)
    case notFound(String)
    case isAFolder(String)
    case notAFolder(String)
    case tooLarge(String, size: Int, limit: Int)
    case notText(String)
    case io(String, reason: String)

    public var description: String {
        switch self {
        case .noSuchFolder(let path): "the sandbox folder \(path) does not exist; create it first"
        case .outsideSandbox(let path, let reason): "'\(path)' is outside the sandbox: \(reason)"
        case .notFound(let path): "'\(path)' does not exist in the sandbox; list_files shows what does"
        case .isAFolder(let path): "'\(path)' is a folder; use list_files"
        case .notAFolder(let path): "'\(path)' is a file, not a folder; use read_file"
        case .tooLarge(let path, let size, let limit): "'\(path)' has \(size) bytes; the limit is \(limit)"
        case .notText(let path): "'\(path)' is not UTF-8 text"
        case .io(let path, let reason): "'\(path)': \(reason)"
        }
    }
}
