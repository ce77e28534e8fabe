import Troupe

extension Agent {
    /// Reads a customer's request and hands it to the right specialist.
    public static let dispatcher = Agent(
        "dispatcher",
        instructions: "You are a support dispatcher. Decide whether the customer's problem is about billing or technical issues and pass it on.",
        description: "routes requests to billing or tech",
        handoffs: ["billing", "tech"])

    /// Answers billing questions.
    public static let billing = Agent(
        "billing",
        instructions: "You are a billing specialist. Answer the customer's billing question in two sentences, then write RESOLVED.",
        description: "payments, invoices, refunds")

    /// Answers technical questions.
    public static let tech = Agent(
        "tech",
        instructions: "You are a technical support engineer. Give the customer one concrete fix in two sentences, then write RESOLVED.",
        description: "bugs, crashes, setup problems")
}
