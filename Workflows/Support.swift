import Agents
import Troupe

extension Workflows {
    /// Support triage: seeds a small FAQ into long-term memory (journaled, once
    /// per store), lets a triage agent look facts up with tools, then has a
    /// ticket writer return a typed ``Ticket`` as JSON.
    public static func support() throws -> Workflow {
        try Workflow("support", description: "triage with memory search and a calculator, ending in a typed ticket") {
            Step("seed", Support.seed)
            Step(.supportTriage)
            Step(.ticketWriter, output: Ticket.self)
        }
    }

    enum Support {
        /// The FAQ the triage agent searches, with stable ids so seeding again replaces.
        static let faq: [(id: String, text: String)] = [
            ("refunds", "billing: Refunds go back to the original card within 5 business days of approval."),
            ("double-charge", "billing: A double charge is usually a pending authorization that disappears within 3 days."),
            ("plans", "billing: The Pro plan costs 12 dollars a month or 120 dollars a year."),
            ("password", "account: Reset a forgotten password from the sign-in page with 'Forgot password'."),
            ("two-factor", "account: Lost two-factor devices are reset by support after an identity check."),
            ("crash", "technical: If the app crashes on start, update to the latest version and clear its cache."),
            ("sync", "technical: Sync problems are fixed by signing out and in again; check the status page first."),
        ]

        @Sendable static func seed(_ input: StepInput) async throws -> String {
            guard let context = input.context else { return "" }
            for entry in faq {
                try await context.remember(entry.text, namespace: Agent.supportNamespace, id: entry.id)
            }
            return "The knowledge base has \(faq.count) FAQ entries; search it before answering."
        }
    }
}
