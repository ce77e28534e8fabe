/// A named workflow: a tree of nodes built with the DSL and checked when built.
///
/// ```swift
/// let review = try Workflow("review") {
///     Step(writer)
///     Loop(max: 3, until: .mentions("APPROVED")) {
///         Step(critic)
///         Step(writer)
///     }
/// }
/// ```
///
/// Building throws ``WorkflowDefinitionError`` for a definition that cannot run
/// (a loop with `max` 0, a group chat with no members, two steps with one key …),
/// naming the node.
public struct Workflow: Sendable {
    public let name: String
    public let description: String
    public let nodes: [Node]
    /// Which message is the run's output.
    public let output: WorkflowOutput

    public init(_ name: String, description: String = "", output: WorkflowOutput = .lastMessage,
                @WorkflowBuilder _ body: () -> [Node]) throws {
        self.name = name
        self.description = description
        self.output = output
        self.nodes = body()
        try Self.validate(name: name, nodes: nodes)
    }

    // MARK: Validation

    static func validate(name: String, nodes: [Node]) throws {
        try checkKey(name, path: name)
        guard !nodes.isEmpty else {
            throw WorkflowDefinitionError(path: name, problem: "the workflow has no steps; add at least one")
        }
        try validate(scope: nodes, path: name)
    }

    /// Checks the nodes of one key scope (unnamed sequences are flattened into it).
    private static func validate(scope nodes: [Node], path: String) throws {
        var seen: [String: String] = [:]
        for node in flatten(nodes) {
            guard let key = node.key else { continue }
            let childPath = StepPath.child(key, of: path)
            try checkKey(key, path: childPath)
            if let earlier = seen[key] {
                throw WorkflowDefinitionError(
                    path: childPath,
                    problem: "two nodes (\(earlier) and \(node.kindName)) have the key '\(key)'; give one another key, e.g. Step(agent, key: \"\(key)-2\")")
            }
            seen[key] = node.kindName
            try validate(node: node, path: childPath)
        }
    }

    private static func validate(node: Node, path: String) throws {
        switch node {
        case .agent, .function, .humanInput, .subworkflow:
            break
        case .sequence(_, let children):
            try validate(scope: children, path: path)
        case .parallel(_, let children):
            guard !children.isEmpty else { throw emptyBody(path) }
            try validate(scope: children, path: path)
        case .branch(_, _, let then, let otherwise):
            try validate(scope: then, path: "\(path)/then")
            try validate(scope: otherwise, path: "\(path)/else")
        case .loop(_, let max, _, let body):
            guard max >= 1 else {
                throw WorkflowDefinitionError(path: path, problem: "a loop must run at least once (max is \(max)); use max: 1 or more")
            }
            guard !body.isEmpty else { throw emptyBody(path) }
            try validate(scope: body, path: path)
        case .map(_, _, let body):
            guard !body.isEmpty else { throw emptyBody(path) }
            try validate(scope: body, path: path)
        case .groupChat(let chat):
            try validate(chat: chat, path: path)
        }
    }

    private static func validate(chat: GroupChat, path: String) throws {
        guard !chat.members.isEmpty else {
            throw WorkflowDefinitionError(path: path, problem: "a group chat needs at least one member")
        }
        guard chat.maxTurns >= 1 else {
            throw WorkflowDefinitionError(path: path, problem: "maxTurns must be at least 1 (is \(chat.maxTurns))")
        }
        var names = Set<String>()
        for member in chat.members {
            try checkKey(member.name, path: StepPath.child(member.name, of: path))
            guard names.insert(member.name).inserted else {
                throw WorkflowDefinitionError(path: path, problem: "two members are named '\(member.name)'; member names must differ")
            }
        }
        for member in chat.members {
            for target in member.handoffs where !names.contains(target) {
                throw WorkflowDefinitionError(
                    path: StepPath.child(member.name, of: path),
                    problem: "hands off to '\(target)', which is not a member (members: \(chat.members.map(\.name).joined(separator: ", ")))")
            }
        }
        if case .handoffs(let start?) = chat.speaker, !names.contains(start) {
            throw WorkflowDefinitionError(path: path, problem: "the starting speaker '\(start)' is not a member")
        }
    }

    private static func flatten(_ nodes: [Node]) -> [Node] {
        nodes.flatMap { node -> [Node] in
            if case .sequence(nil, let children) = node { return flatten(children) }
            return [node]
        }
    }

    private static func checkKey(_ key: String, path: String) throws {
        guard !key.isEmpty, !key.contains(where: { "/#[]".contains($0) }) else {
            throw WorkflowDefinitionError(path: path, problem: "the key '\(key)' is empty or contains one of / # [ ], which step keys reserve")
        }
    }

    private static func emptyBody(_ path: String) -> WorkflowDefinitionError {
        WorkflowDefinitionError(path: path, problem: "the body is empty; add at least one step")
    }
}

extension Workflow: WorkflowComponent {
    public var node: Node { .subworkflow(key: name, self) }
}
