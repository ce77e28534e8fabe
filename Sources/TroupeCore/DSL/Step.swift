import Foundation

/// A step: one agent's turn, or a function of the conversation.
///
/// ```swift
/// Step(writer)                                   // key "writer"
/// Step(writer, key: "revise")                    // same agent, another step
/// Step("count") { input in String(Int(input.text)! + 1) }
/// ```
///
/// A function step's result is journaled like any effect: resume serves it instead
/// of running the function again. Its code must be deterministic apart from what
/// it asks `input.context` for.
public struct Step: WorkflowComponent {
    public let node: Node

    public init(_ agent: Agent, key: String? = nil) {
        node = .agent(key: key ?? agent.name, agent)
    }

    public init(_ key: String, _ body: @escaping @Sendable (StepInput) async throws -> String) {
        node = .function(key: key, body)
    }
}

/// Runs its children one after another. Unnamed, its children's keys sit in the
/// parent's scope; named, under its name.
public struct Sequential: WorkflowComponent {
    public let node: Node
    public init(_ key: String? = nil, @WorkflowBuilder _ body: () -> [Node]) {
        node = .sequence(key: key, body())
    }
}

/// Runs its children at once, each on a copy of the conversation, and joins their
/// messages in declaration order (not finishing order, so replay is stable).
public struct Parallel: WorkflowComponent {
    public let node: Node
    public init(_ key: String = "parallel", @WorkflowBuilder _ body: () -> [Node]) {
        node = .parallel(key: key, body())
    }
}

/// Runs `then` when the condition holds for the conversation so far, else `otherwise`.
public struct Branch: WorkflowComponent {
    public let node: Node
    public init(_ key: String = "branch", if condition: @escaping @Sendable (StepInput) -> Bool,
                @WorkflowBuilder then: () -> [Node],
                @WorkflowBuilder otherwise: () -> [Node] = { [] }) {
        node = .branch(key: key, condition: condition, then: then(), otherwise: otherwise())
    }
}

/// Repeats its body at most `max` times, stopping as soon as `until` holds after
/// any message. Iterations are keyed `loop[1]`, `loop[2]`, …
public struct Loop: WorkflowComponent {
    public let node: Node
    public init(_ key: String = "loop", max: Int, until: Termination? = nil,
                @WorkflowBuilder _ body: () -> [Node]) {
        node = .loop(key: key, max: max, until: until, body: body())
    }
}

/// Runs its body once per item, all at once, each item given as a user message;
/// results join in item order. Items are computed from the conversation
/// (by default: the non-empty lines of the last message).
public struct Map: WorkflowComponent {
    public let node: Node
    public init(_ key: String = "map",
                over items: @escaping @Sendable (StepInput) -> [String] = Map.lines,
                @WorkflowBuilder _ body: () -> [Node]) {
        node = .map(key: key, items: items, body: body())
    }

    /// The non-empty lines of the last message, trimmed of list markers.
    public static let lines: @Sendable (StepInput) -> [String] = { input in
        input.text.split(separator: "\n").map { line -> String in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return String(trimmed.drop(while: { "-*0123456789.) ".contains($0) }))
        }.filter { !$0.isEmpty }
    }
}

/// Runs another workflow on the last message; its output comes back as one message.
public struct Subworkflow: WorkflowComponent {
    public let node: Node
    public init(_ workflow: Workflow, key: String? = nil) {
        node = .subworkflow(key: key ?? workflow.name, workflow)
    }
}

/// Asks a person; the answer joins the conversation as a user message.
/// The answer is journaled, so resume and replay do not ask again.
public struct HumanInput: WorkflowComponent {
    public let node: Node
    public init(_ key: String = "human", prompt: String) {
        node = .humanInput(key: key, prompt: prompt)
    }
}
