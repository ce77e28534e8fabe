import Agents
import Troupe

extension Workflows {
    /// A support desk: a dispatcher hands the request to billing or tech; when
    /// nobody hands off, a model picks who speaks next. Ends when a specialist
    /// says RESOLVED, or after six messages.
    public static func triage() throws -> Workflow {
        try Workflow("triage", description: "a group chat with a model-chosen speaker and a handoff") {
            GroupChat("desk", members: [.dispatcher, .billing, .tech], speaker: .model(.default),
                      until: .mentions("RESOLVED") || .maxMessages(6))
        }
    }
}
