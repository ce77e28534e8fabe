import Foundation
import TroupeCore

/// Writes (creates or replaces) a UTF-8 text file inside a ``FileSandbox``,
/// creating its folders.
public struct WriteFile: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var path: String
        public var content: String
        public init(path: String, content: String) {
            self.path = path
            self.content = content
        }
        public static let propertyDescriptions = [
            "path": "A path relative to the sandbox folder, e.g. notes/todo.txt",
            "content": "The whole new content of the file",
        ]
    }

    public let sandbox: FileSandbox
    public let name = "write_file"
    public var description: String { Self.summary }
    /// What the tool does, for the model.
    public static let summary = "Writes a text file in the sandbox folder, replacing it if it exists."

    public init(sandbox: FileSandbox) { self.sandbox = sandbox }

    public func call(arguments: Arguments) async throws -> String {
        let data = Data(arguments.content.utf8)
        guard data.count <= sandbox.maximumFileSize else {
            throw FileToolError.tooLarge(arguments.path, size: data.count, limit: sandbox.maximumFileSize)
        }
        let url = try sandbox.resolve(arguments.path, mustExist: false)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FileToolError.isAFolder(arguments.path)
        }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw FileToolError.io(arguments.path, reason: error.localizedDescription)
        }
        return "wrote \(data.count) bytes to \(arguments.path)"
    }
}
