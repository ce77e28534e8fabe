import Agents
import Troupe

extension Workflows {
    /// Three researchers answer at once; a summarizer merges their notes.
    public static func research() throws -> Workflow {
        try Workflow("research", description: "three researchers in parallel, then a summarizer") {
            Parallel("researchers") {
                Step(.historian)
                Step(.economist)
                Step(.engineer)
            }
            Step(.summarizer)
        }
    }
}
