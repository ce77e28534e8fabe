/// Builds the node list of a workflow or of a container node from Swift statements,
/// with `if`, `if/else`, `switch` and `for` allowed around the nodes.
@resultBuilder
public enum WorkflowBuilder {
    public static func buildExpression(_ component: some WorkflowComponent) -> [Node] { [component.node] }
    public static func buildExpression(_ workflow: Workflow) -> [Node] {
        [.subworkflow(key: workflow.name, workflow)]
    }
    public static func buildExpression(_ nodes: [Node]) -> [Node] { nodes }
    public static func buildBlock(_ parts: [Node]...) -> [Node] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Node]?) -> [Node] { part ?? [] }
    public static func buildEither(first part: [Node]) -> [Node] { part }
    public static func buildEither(second part: [Node]) -> [Node] { part }
    public static func buildArray(_ parts: [[Node]]) -> [Node] { parts.flatMap { $0 } }
    public static func buildLimitedAvailability(_ part: [Node]) -> [Node] { part }
}
