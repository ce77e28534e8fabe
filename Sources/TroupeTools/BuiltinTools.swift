import TroupeCore

/// The tools that ship with Troupe, configured in one place: what
/// `troupe tools list` shows and `troupe tools call` runs.
///
/// ```swift
/// let tools = BuiltinTools(sandbox: try FileSandbox(root: "workspace"), memory: journal).tools
/// ```
///
/// File tools need a sandbox, the memory tools a store (or a run's memory),
/// and the shell a ``ShellConfiguration``; without theirs they are still
/// listed, and a call says what is missing.
public struct BuiltinTools: Sendable {
    public var sandbox: FileSandbox?
    public var memory: (any MemoryStore)?
    /// The namespace the memory tools read and write.
    public var namespace: String
    public var shell: ShellConfiguration?
    public var http: HTTPGet

    public init(sandbox: FileSandbox? = nil, memory: (any MemoryStore)? = nil, namespace: String = "default",
                shell: ShellConfiguration? = nil, http: HTTPGet = HTTPGet()) {
        self.sandbox = sandbox
        self.memory = memory
        self.namespace = namespace
        self.shell = shell
        self.http = http
    }

    /// Every built-in tool, in a stable order.
    public var tools: [AnyTool] {
        var tools: [AnyTool] = [AnyTool(Calculator()), AnyTool(http)]
        if let sandbox {
            tools += sandbox.tools.map { AnyTool($0) }
        } else {
            tools += [
                AnyTool(NeedsSandbox<ReadFile.Arguments>(name: "read_file", summary: ReadFile.summary)),
                AnyTool(NeedsSandbox<WriteFile.Arguments>(name: "write_file", summary: WriteFile.summary)),
                AnyTool(NeedsSandbox<ListFiles.Arguments>(name: "list_files", summary: ListFiles.summary)),
            ]
        }
        tools += [AnyTool(MemorySearch(namespace: namespace, store: memory)),
                  AnyTool(Remember(namespace: namespace, store: memory)),
                  AnyTool(Shell(shell))]
        return tools
    }

    /// The tool named `name`.
    ///
    /// - Throws: ``ToolError/unknownTool(_:available:)``.
    public func tool(named name: String) throws(ToolError) -> AnyTool {
        let all = tools
        guard let tool = all.first(where: { $0.name == name }) else {
            throw .unknownTool(name, available: all.map(\.name))
        }
        return tool
    }
}

/// A file tool listed without a sandbox: the real tool's name and schema, and a
/// call that fails saying how to give it a sandbox.
struct NeedsSandbox<Arguments: Decodable & Sendable>: Tool {
    let name: String
    let summary: String
    var description: String { summary + " (Needs a sandbox folder.)" }
    func call(arguments: Arguments) async throws -> String {
        throw ToolError.failed(tool: name, reason: "no sandbox folder; pass --sandbox DIR (or give the tool a FileSandbox)")
    }
}
