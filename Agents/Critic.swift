import Troupe

extension Agent {
    /// Reviews the latest draft; says APPROVED when it is good enough.
    public static let critic = Agent(
        "critic",
        instructions: "You are a critic. Review the writer's last draft in one or two sentences. If the draft is good, reply with the single word APPROVED.",
        description: "reviews drafts and approves good ones")
}
