import Foundation
import TroupeCore

/// Reads a UTF-8 text file inside a ``FileSandbox``.
public struct ReadFile: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var path: String
        public init(path: String) { self.path = path }
        public static let propertyDescriptions = ["path": "A path relative to the sandbox folder, e.g. notes/todo.txt"]
    }

    public let sandbox: FileSandbox
    public let name = "read_file"
    public var description: String { Self.summary }
    /// What the tool does, for the model.
    public static let summary = "Reads a text file from the sandbox folder."

    public init(sandbox: FileSandbox) { self.sandbox = sandbox }

    public func call(arguments: Arguments) async throws -> String {
        let url = try sandbox.resolve(arguments.path, mustExist: true)
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        if attributes?[.type] as? FileAttributeType == .typeDirectory { throw FileToolError.isAFolder(arguments.path) }
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= sandbox.maximumFileSize else {
            throw FileToolError.tooLarge(arguments.path, size: size, limit: sandbox.maximumFileSize)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FileToolError.io(arguments.path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw FileToolError.notText(arguments.path) }
        return text
    }
}
