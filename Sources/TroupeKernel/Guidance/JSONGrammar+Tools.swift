import TroupeCore

extension JSONGrammar {
    /// The grammar of one call of one of `tools`: `{"name":NAME,"arguments":ARGS}`
    /// where `ARGS` satisfies that tool's `parameters` schema.
    ///
    /// Each tool is its own `anyOf` alternative, so the arguments always belong
    /// to the tool named. `only` restricts the call to one tool
    /// (``ToolChoice/tool(_:)``).
    public static func toolCall(_ tools: [ToolSpec], only: String? = nil) throws(GuidanceError) -> JSONGrammar {
        try JSONGrammar(schema: toolCallSchema(tools, only: only))
    }

    /// The JSON Schema behind ``toolCall(_:only:)``.
    public static func toolCallSchema(_ tools: [ToolSpec], only: String? = nil) throws(GuidanceError) -> JSONValue {
        let chosen = only.map { name in tools.filter { $0.name == name } } ?? tools
        guard !chosen.isEmpty else { throw .unknownTool(only ?? "") }
        let alternatives: [JSONValue] = chosen.map { tool in
            [
                "type": "object",
                "properties": ["name": ["const": .string(tool.name)], "arguments": tool.parameters],
                "required": ["name", "arguments"],
            ]
        }
        return alternatives.count == 1 ? alternatives[0] : ["anyOf": .array(alternatives)]
    }
}
