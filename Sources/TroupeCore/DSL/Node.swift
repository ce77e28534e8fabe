/// One node of a workflow graph: a plain value the runner walks.
///
/// The DSL types (`Step`, `Loop`, `Parallel`, …) each produce one; a workflow is a
/// tree of them, so it can be printed, validated and replayed. Every node has a
/// `key`, its component of the step keys under it (`review/loop[2]/critic`).
public indirect enum Node: Sendable {
    case agent(key: String, Agent)
    case function(key: String, @Sendable (StepInput) async throws -> String)
    case sequence(key: String?, [Node])
    case parallel(key: String, [Node])
    case branch(key: String, condition: @Sendable (StepInput) -> Bool, then: [Node], otherwise: [Node])
    case loop(key: String, max: Int, until: Termination?, body: [Node])
    case map(key: String, items: @Sendable (StepInput) -> [String], body: [Node])
    case subworkflow(key: String, Workflow)
    case groupChat(GroupChat)
    case humanInput(key: String, prompt: String)

    /// This node's key component; nil for an unnamed sequence, whose children sit in
    /// its parent's scope.
    public var key: String? {
        switch self {
        case .agent(let key, _), .function(let key, _), .parallel(let key, _),
             .branch(let key, _, _, _), .loop(let key, _, _, _), .map(let key, _, _),
             .subworkflow(let key, _), .humanInput(let key, _):
            key
        case .sequence(let key, _): key
        case .groupChat(let chat): chat.name
        }
    }

    /// A short name of the node's kind, for messages and graph printouts.
    public var kindName: String {
        switch self {
        case .agent: "Step"
        case .function: "Step"
        case .sequence: "Sequential"
        case .parallel: "Parallel"
        case .branch: "Branch"
        case .loop: "Loop"
        case .map: "Map"
        case .subworkflow: "Subworkflow"
        case .groupChat: "GroupChat"
        case .humanInput: "HumanInput"
        }
    }
}

/// Anything the workflow builder accepts: each DSL type turns into one ``Node``.
public protocol WorkflowComponent: Sendable {
    var node: Node { get }
}
