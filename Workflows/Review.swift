import Agents
import Troupe

extension Workflows {
    /// A writer drafts; a critic and the writer take turns until the critic approves
    /// (at most three rounds).
    public static func review() throws -> Workflow {
        try Workflow("review", description: "writer and critic in a loop until approved",
                     output: .lastMessageFrom("writer")) {
            Step(.writer)
            Loop(max: 3, until: .mentions("APPROVED")) {
                Step(.critic)
                Step(.writer)
            }
        }
    }
}
