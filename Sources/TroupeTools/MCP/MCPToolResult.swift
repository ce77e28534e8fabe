import Foundation
import MCP
import TroupeCore

/// What a tool call on an MCP server answered: its content as text, and whether the
/// server flagged it as an error (a tool failure, not a protocol failure).
public struct MCPToolResult: Sendable, Hashable {
    /// The text parts of the content, joined by newlines; other parts are described
    /// in brackets (e.g. `[image/png, 1532 bytes]`).
    public var text: String
    /// The server's `isError` flag.
    public var isError: Bool
    /// The `structuredContent` of the answer, when the server sent one.
    public var structured: JSONValue?

    public init(text: String, isError: Bool = false, structured: JSONValue? = nil) {
        self.text = text
        self.isError = isError
        self.structured = structured
    }

    init(_ result: CallTool.Result) {
        var parts: [String] = []
        for content in result.content {
            switch content {
            case .text(let text, _, _):
                parts.append(text)
            case .image(let data, let mimeType, _, _), .audio(let data, let mimeType, _, _):
                parts.append("[\(mimeType), \(data.count * 3 / 4) bytes]")
            case .resource(let resource, _, _):
                parts.append(resource.text ?? "[resource \(resource.uri)]")
            case .resourceLink(let uri, _, _, _, _, _):
                parts.append("[resource link \(uri)]")
            }
        }
        let structured = result.structuredContent.map { JSONValue(mcp: $0) }
        if parts.isEmpty, let structured {
            parts.append(structured.compactJSON)
        }
        self.init(text: parts.joined(separator: "\n"), isError: result.isError ?? false, structured: structured)
    }
}

extension JSONValue {
    /// This value as compact JSON with sorted keys.
    var compactJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
