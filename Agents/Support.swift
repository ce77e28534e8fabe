import Troupe

extension Agent {
    /// The memory namespace the support FAQ lives in.
    public static let supportNamespace = "support-faq"

    /// Reads a customer's request, looks facts up in the FAQ (and does sums),
    /// and writes what it found.
    public static let supportTriage = Agent(
        "triage",
        instructions: "You are a support triage agent. Search the FAQ with memory_search for facts about the customer's problem, use the calculator for any amounts, then state the relevant facts in two sentences.",
        sampling: Sampling(temperature: 0, maxTokens: 128),
        description: "looks up facts for a support request",
        tools: [MemorySearch(namespace: supportNamespace), Calculator()],
        maxToolIterations: 3)

    /// Turns the conversation into a ticket (category, priority, summary).
    public static let ticketWriter = Agent(
        "ticket",
        instructions: "You file support tickets. From the customer's request and the facts found, choose the category (billing, technical, account or other), the priority (urgent only when the customer is blocked or losing money) and write a one-sentence summary.",
        sampling: Sampling(temperature: 0, maxTokens: 160),
        description: "files a typed ticket")
}
