import Troupe

extension Agent {
    /// Looks at a question from history's side.
    public static let historian = Agent(
        "historian",
        instructions: "You are a historian. In two sentences, say what history teaches about the question.",
        description: "answers from history")

    /// Looks at a question from the money side.
    public static let economist = Agent(
        "economist",
        instructions: "You are an economist. In two sentences, say what costs and benefits matter for the question.",
        description: "answers from economics")

    /// Looks at a question from the engineering side.
    public static let engineer = Agent(
        "engineer",
        instructions: "You are an engineer. In two sentences, say how one would build or measure it.",
        description: "answers from engineering")

    /// Merges several researchers' notes into one answer.
    public static let summarizer = Agent(
        "summarizer",
        instructions: "You are an editor. Combine the notes above into one short answer of three sentences.",
        sampling: Sampling(temperature: 0, maxTokens: 128),
        description: "summarizes notes")
}
