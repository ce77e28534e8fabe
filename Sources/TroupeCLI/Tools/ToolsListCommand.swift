import ArgumentParser
import Troupe

/// `troupe tools list`: the built-in tools with what they do and their arguments.
struct ToolsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the built-in tools (or an MCP server's), their descriptions and argument schemas.")

    @Flag(help: "Print the tools as JSON (name, description, parameters), as a model sees them.")
    var json = false

    @OptionGroup var options: ToolOptions
    @OptionGroup var mcp: MCPOption

    func run() async throws {
        let specs = try await mcp.tools(callTimeout: options.timeout)?.map(\.spec)
            ?? options.builtins(needsMemory: false).tools.map(\.spec)
        if json {
            try Terminal.json(specs)
            return
        }
        let width = (specs.map(\.name.count).max() ?? 0) + 2
        for spec in specs {
            let arguments = Self.arguments(of: spec.parameters)
            Terminal.line(Terminal.bold(spec.name.padding(toLength: width, withPad: " ", startingAt: 0)) + spec.description)
            if !arguments.isEmpty {
                Terminal.line(String(repeating: " ", count: width) + Terminal.dim("arguments: " + arguments))
            }
        }
    }

    /// `name: type` for each property, `?` marking the optional ones.
    static func arguments(of schema: JSONValue) -> String {
        guard case .object(let properties)? = schema["properties"] else { return "" }
        let required: Set<String> = if case .array(let names)? = schema["required"] {
            Set(names.compactMap(\.stringValue))
        } else { [] }
        return properties.keys.sorted().map { name in
            let type = properties[name]?["type"]?.stringValue ?? "any"
            return "\(name)\(required.contains(name) ? "" : "?"): \(type)"
        }.joined(separator: ", ")
    }
}
