// A small MCP server over stdio, built with the same swift-sdk Troupe uses, for the
// MCP tests: `echo`, `add`, `fail` (an error result), `crash` (exits mid-call) and
// `sleep` (answers late).
import Foundation
import MCP

let tools: [MCP.Tool] = [
    MCP.Tool(name: "echo", description: "Returns its text unchanged.",
             inputSchema: .object(["type": "object",
                                   "properties": .object(["text": .object(["type": "string"])]),
                                   "required": .array(["text"])])),
    MCP.Tool(name: "add", description: "Adds two integers.",
             inputSchema: .object(["type": "object",
                                   "properties": .object(["a": .object(["type": "integer"]),
                                                          "b": .object(["type": "integer"])]),
                                   "required": .array(["a", "b"])])),
    MCP.Tool(name: "fail", description: "Always answers with an error result.",
             inputSchema: .object(["type": "object"])),
    MCP.Tool(name: "crash", description: "Exits the server in the middle of the call.",
             inputSchema: .object(["type": "object"])),
    MCP.Tool(name: "sleep", description: "Waits the given number of seconds, then answers.",
             inputSchema: .object(["type": "object",
                                   "properties": .object(["seconds": .object(["type": "number"])])])),
]

func text(_ value: String, isError: Bool = false) -> CallTool.Result {
    CallTool.Result(content: [.text(text: value, annotations: nil, _meta: nil)], isError: isError)
}

func number(_ value: Value?) -> Double? {
    switch value {
    case .int(let int): Double(int)
    case .double(let double): double
    case .string(let string): Double(string)
    default: nil
    }
}

let server = Server(name: "mcp-echo-server", version: "1.0.0",
                    capabilities: .init(tools: .init(listChanged: false)))
await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
await server.withMethodHandler(CallTool.self) { params in
    let arguments = params.arguments ?? [:]
    switch params.name {
    case "echo":
        return text(arguments["text"]?.stringValue ?? "")
    case "add":
        guard let a = number(arguments["a"]), let b = number(arguments["b"]) else {
            return text("add needs integers 'a' and 'b'", isError: true)
        }
        return text(String(Int(a + b)))
    case "fail":
        return text("this tool always fails", isError: true)
    case "crash":
        FileHandle.standardError.write(Data("mcp-echo-server: crashing on purpose\n".utf8))
        exit(3)
    case "sleep":
        let seconds = number(arguments["seconds"]) ?? 1
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return text("slept \(seconds)s")
    default:
        throw MCPError.invalidParams("no tool named \(params.name)")
    }
}
try await server.start(transport: StdioTransport())
await server.waitUntilCompleted()
