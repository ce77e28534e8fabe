import Testing
import Troupe

/// What a program of one's own gets from `import Troupe`: models resolved like the
/// CLI's, and typed answers from an agent on the real local model.
@Suite("The Troupe library with the local model")
struct LibraryTests {
    struct Review: Codable, Sendable {
        enum Mood: String, Codable, SchemaEnum { case happy, neutral, angry }
        var mood: Mood
        var stars: Int
        var summary: String
    }

    @Test func anAgentAnswersWithATypedValue() async throws {
        let models = StandardModelProvider()
        let judge = Agent("judge", instructions: "Read the customer's review and rate it.",
                          sampling: Sampling(temperature: 0, maxTokens: 64))
        // Guided decoding makes the 135M model's answer valid for the type; a
        // malformed one would throw TypedOutputError here.
        let review = try await judge.respond(to: "The app is great, it saved me hours every week!",
                                             generating: Review.self, using: models)
        #expect(!review.summary.isEmpty)
    }

    @Test func theStandardProviderSharesOneLocalModel() throws {
        let models = StandardModelProvider()
        let first = try models.model(for: .default)
        let second = try models.model(for: .local(.smolLM2))
        #expect(first.id == "local/smollm2-135m")
        // The same weights and engine, not two copies that merely share a name.
        let firstRuntime = try #require((first as? LocalModel)?.runtime)
        let secondRuntime = try #require((second as? LocalModel)?.runtime)
        #expect(firstRuntime === secondRuntime)
        #expect(throws: (any Error).self) { try models.model(for: .endpoint("nowhere", model: "m")) }
    }
}
