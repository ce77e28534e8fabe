/// A workflow definition that cannot run, found when it is built.
public struct WorkflowDefinitionError: Error, CustomStringConvertible, Sendable {
    /// The path of the offending node, e.g. `review/loop`.
    public let path: String
    public let problem: String

    public var description: String { "workflow node '\(path)': \(problem)" }
}
