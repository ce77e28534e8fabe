import Foundation
import TroupeCore

/// Lists a folder inside a ``FileSandbox``: one entry a line, folders ending in `/`.
public struct ListFiles: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var path: String?
        public init(path: String? = nil) { self.path = path }
        public static let propertyDescriptions = ["path": "A folder relative to the sandbox folder; omit for the sandbox itself"]
    }

    public let sandbox: FileSandbox
    public let name = "list_files"
    public var description: String { Self.summary }
    /// What the tool does, for the model.
    public static let summary = "Lists the files and folders in a folder of the sandbox."

    public init(sandbox: FileSandbox) { self.sandbox = sandbox }

    public func call(arguments: Arguments) async throws -> String {
        let path = arguments.path ?? ""
        let url = try sandbox.resolve(path, mustExist: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileToolError.notAFolder(path)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        } catch {
            throw FileToolError.io(path, reason: error.localizedDescription)
        }
        return names.map { name in
            var entryIsDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path,
                                                        isDirectory: &entryIsDirectory)
            return exists && entryIsDirectory.boolValue ? name + "/" : name
        }.joined(separator: "\n")
    }
}
