import ArgumentParser
import Foundation
import Troupe

/// `troupe tools call NAME --args JSON`: runs one built-in tool and prints its result.
struct ToolsCallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call a built-in tool (or an MCP server's) with JSON arguments and print its result.",
        discussion: "Exits 1 when the tool fails, 2 when the arguments do not match its schema.")

    @Argument(help: "The tool to call (see troupe tools list).")
    var name: String

    @Option(name: .customLong("args"), help: ArgumentHelp("The arguments as a JSON object.", valueName: "json"))
    var arguments: String = "{}"

    @OptionGroup var options: ToolOptions
    @OptionGroup var mcp: MCPOption

    func run() async throws {
        let tool: AnyTool
        if let served = try await mcp.tools(callTimeout: options.timeout) {
            guard let match = served.first(where: { $0.name == name }) else {
                throw CLIFailure.usage(ToolError.unknownTool(name, available: served.map(\.name)).description)
            }
            tool = AnyTool(match)
        } else {
            let builtins = try options.builtins(needsMemory: ["memory_search", "remember"].contains(name))
            do {
                tool = try builtins.tool(named: name)
            } catch {
                throw CLIFailure.usage(error.description)
            }
        }
        do {
            try JSONSchemaValidator(schema: tool.spec.parameters).validate(json: arguments)
        } catch {
            throw CLIFailure.usage("the arguments for '\(name)' do not match its schema: \(error.description)")
        }
        let result: String
        do {
            result = try await tool.call(arguments: arguments)
        } catch let error as ToolError {
            throw CLIFailure.failed(error.description)
        } catch {
            throw CLIFailure.failed(ToolError.failed(tool: name, reason: String(describing: error)).description)
        }
        Terminal.out(result.hasSuffix("\n") ? result : result + "\n")
    }
}
