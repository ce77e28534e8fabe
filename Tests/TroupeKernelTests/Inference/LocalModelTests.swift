import Foundation
import Testing
import TroupeCore
@testable import TroupeKernel

@Suite("Local model")
struct LocalModelTests {
    static func request(_ text: String, max: Int, sampling: Sampling = .greedy, stop: [String] = []) -> ChatRequest {
        var sampling = sampling
        sampling.maxTokens = max
        sampling.stop = stop
        return ChatRequest(messages: [.user(text)], sampling: sampling)
    }

    @Test("concurrent streams each equal their solo output")
    func concurrentEqualsSolo() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        #expect(model.id == "local/smollm2-135m")
        let prompts = ["What is the capital of France?", "Write a haiku about rain.", "List three colors."]
        var solo: [ChatResponse] = []
        for prompt in prompts { solo.append(try await model.respond(to: Self.request(prompt, max: 24))) }
        let together = try await withThrowingTaskGroup(of: (Int, ChatResponse).self) { group in
            for (i, prompt) in prompts.enumerated() {
                group.addTask { (i, try await model.respond(to: Self.request(prompt, max: 24))) }
            }
            var out = [ChatResponse?](repeating: nil, count: prompts.count)
            for try await (i, response) in group { out[i] = response }
            return out.compactMap { $0 }
        }
        #expect(together.map(\.text) == solo.map(\.text))
        #expect(together.map(\.usage) == solo.map(\.usage))
        #expect(solo.allSatisfy { !$0.text.isEmpty })
    }

    @Test("max tokens ends with length and counts usage")
    func maxTokens() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        let response = try await model.respond(to: Self.request("Tell me a long story about a dragon.", max: 5))
        #expect(response.finishReason == .length)
        #expect(response.usage.outputTokens == 5)
        #expect(response.usage.inputTokens == model.runtime.promptTokens(for: [.user("Tell me a long story about a dragon.")]).count)
    }

    @Test("a stop sequence ends the reply before it")
    func stopSequence() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        let question = "Describe the ocean in two sentences."
        let full = try await model.respond(to: Self.request(question, max: 40))
        try #require(full.text.count >= 12)
        let middle = full.text.index(full.text.startIndex, offsetBy: full.text.count / 2)
        let stop = String(full.text[middle...].prefix(4))
        let expected = String(full.text[..<(full.text.range(of: stop)?.lowerBound ?? full.text.endIndex)])
        let stopped = try await model.respond(to: Self.request(question, max: 40, stop: [stop]))
        #expect(stopped.finishReason == .stop)
        #expect(stopped.text == expected)
    }

    @Test("the same seed gives the same tokens")
    func seeded() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        let sampling = Sampling(temperature: 0.9, seed: 7)
        let a = try await model.respond(to: Self.request("Invent a name for a cat.", max: 16, sampling: sampling))
        let b = try await model.respond(to: Self.request("Invent a name for a cat.", max: 16, sampling: sampling))
        #expect(a.text == b.text)
    }

    @Test("dropping a stream stops its compute; a cancelled task throws")
    func cancellation() async throws {
        let runtime = try LocalRuntime(url: Fixtures.modelURL)
        defer { runtime.engine.shutdown() }
        let model = LocalModel(runtime: runtime)
        var received = 0
        for try await delta in model.stream(Self.request("Write a very long essay about the sea.", max: 1000)) {
            if !delta.text.isEmpty { received += 1 }
            if received == 3 { break }
        }
        try await Task.sleep(for: .milliseconds(200))
        let settled = runtime.engine.statistics.generatedTokens
        try await Task.sleep(for: .milliseconds(300))
        // Compute stopped: nothing more is generated, and far short of the 1,000
        // asked for (how far the engine ran ahead of a slow consumer depends on load).
        #expect(runtime.engine.statistics.generatedTokens == settled)
        #expect(settled < 500)

        let task = Task { try await model.respond(to: Self.request("Write a very long essay about the sea.", max: 1000)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("a later turn reuses the cached prefix of the conversation")
    func prefixReuse() async throws {
        let runtime = try LocalRuntime(url: Fixtures.modelURL)
        defer { runtime.engine.shutdown() }
        let model = LocalModel(runtime: runtime)
        let first: [ChatMessage] = [.user("My name is Ada. Remember it.")]
        let reply = try await model.respond(to: ChatRequest(messages: first, sampling: .init(temperature: 0, maxTokens: 12)))
        let before = runtime.engine.statistics
        let second = first + [.assistant(reply.text), .user("What is my name?")]
        _ = try await model.respond(to: ChatRequest(messages: second, sampling: .init(temperature: 0, maxTokens: 4)))
        let after = runtime.engine.statistics
        let firstPrompt = runtime.promptTokens(for: first).count
        #expect(after.promptTokensReused - before.promptTokensReused >= firstPrompt)
        #expect(after.promptTokensComputed - before.promptTokensComputed
                < runtime.promptTokens(for: second).count - firstPrompt + 1)
    }
}

@Suite("Local model limits")
struct LocalModelLimitTests {
    @Test("a prompt longer than the context fails alone; its neighbours finish")
    func oversizedPromptFailsAlone() async throws {
        let file = try GGUFFile(url: Fixtures.modelURL)
        let transformer = try Transformer(file: file, contextLength: 64)
        let tokenizer = try Tokenizer(file: file)
        let engine = InferenceEngine(transformer: transformer, endOfGeneration: tokenizer.endOfGenerationIDs)
        defer { engine.shutdown() }
        func run(_ prompt: [Int32]) async -> GenerationJob.Ending {
            await withCheckedContinuation { continuation in
                engine.submit(GenerationJob(prompt: prompt, sampler: .greedy, maxTokens: 8,
                                            stopsAtEndOfGeneration: false,
                                            onToken: { _ in true }, onFinish: { continuation.resume(returning: $0) }))
            }
        }
        async let long = run([Int32](repeating: 42, count: 100))
        async let short = run([1, 9690, 198, 2683])
        #expect(await long == .failed(.contextFull(limit: 64)))
        #expect(await short == .length)
    }
}
