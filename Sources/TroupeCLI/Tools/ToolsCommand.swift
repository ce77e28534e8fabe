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
            """,
        subcommands: [ToolsListCommand.self, ToolsCallCommand.self])
}
