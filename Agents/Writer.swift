import Troupe

extension Agent {
    /// Writes a short draft on the request, and revises it when criticised.
    public static let writer = Agent(
        "writer",
        instructions: "You are a writer. Write a short answer (at most three sentences) to the request. If a critic replied, rewrite your answer to follow the critique.",
        description: "writes and revises short drafts")
}
