import TroupeCore

/// One tool of an MCP server, as a Troupe `Tool`: the model sees the server's name,
/// description and input schema; a call is forwarded to the server with the model's
/// JSON arguments as they are.
///
/// Get them from ``MCPServer/tools()`` or ``MCPToolbox/tools()``. Each holds its
/// ``MCPToolbox``, so the connection lives as long as the tools do.
///
/// A result the server flags `isError` throws `ToolError.failed` with the server's
/// text; transport failures throw ``MCPClientError``. Both reach the model as the
/// call's result, like any tool error.
public struct MCPTool: Tool {
    public typealias Arguments = JSONValue
    public typealias Output = String

    /// The name the model calls it by: the server's, with the prefix and with any
    /// character outside letters, digits, `_` and `-` replaced by `_`.
    public let name: String
    /// The name the server knows it by.
    public let remoteName: String
    public let description: String
    /// The server's `inputSchema`, unchanged.
    public let parameters: JSONValue
    public let timeout: Duration
    /// The connection the calls go through.
    public let toolbox: MCPToolbox

    init(name: String, remoteName: String, description: String, parameters: JSONValue, timeout: Duration,
         toolbox: MCPToolbox) {
        self.name = name
        self.remoteName = remoteName
        self.description = description
        self.parameters = parameters
        self.timeout = timeout
        self.toolbox = toolbox
    }

    public func call(arguments: JSONValue) async throws -> String {
        let result = try await toolbox.call(remoteName, arguments: arguments, timeout: timeout)
        if result.isError {
            throw ToolError.failed(tool: name, reason: result.text.isEmpty ? "the server reported an error" : result.text)
        }
        return result.text
    }

    /// `name` made acceptable as a Troupe tool name.
    static func localName(_ name: String) -> String {
        let allowed = name.unicodeScalars.map { scalar -> Character in
            let ok = (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "-"
            return ok ? Character(scalar) : "_"
        }
        return allowed.isEmpty ? "_" : String(allowed)
    }
}
