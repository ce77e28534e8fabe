import ArgumentParser

/// `troupe tools`: see and try the built-in tools from the terminal.
struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "List the built-in tools and call them by hand.",
        discussion: """
            Examples:
              troupe tools list
              troupe tools call calculator --args '{"expression": "(2 + 3) * 4"}'
              troupe tools call read_file --args '{"path": "notes.txt"}' --sandbox workspace
              troupe tools call memory_search --args '{"query": "refund"}' --namespace support-faq
              troupe tools list --mcp "python3 server.py"
              troupe tools call add --args '{"a": 2, "b": 3}' --mcp http://127.0.0.1:8000/mcp
            """,
        subcommands: [ToolsListCommand.self, ToolsCallCommand.self])
}
