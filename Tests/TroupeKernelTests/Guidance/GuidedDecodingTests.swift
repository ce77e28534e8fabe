import Foundation
import Testing
import TroupeCore
@testable import TroupeKernel

/// Guided decoding on the real model: sampled outputs always parse and validate.
@Suite("Guided decoding", .serialized)
struct GuidedDecodingTests {
    /// The schemas the validity figure in Benchmarks/README.md is measured on, each with a prompt.
    static let cases: [(prompt: String, schema: JSONValue)] = [
        ("Describe a person as JSON.", [
            "type": "object",
            "properties": [
                "name": ["type": "string"], "age": ["type": "integer", "minimum": 0],
                "email": ["type": "string"],
                "tags": ["type": "array", "items": ["type": "string", "enum": ["friend", "colleague"]], "maxItems": 2],
            ],
            "required": ["name", "age"],
        ]),
        ("What is the weather in Paris? Answer in JSON.", [
            "type": "object",
            "properties": [
                "city": ["type": "string", "maxLength": 20], "temperature": ["type": "number"],
                "unit": ["enum": ["celsius", "fahrenheit"]],
                "conditions": ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": 3],
            ],
            "required": ["city", "temperature", "unit", "conditions"],
        ]),
        ("Create a to-do item as JSON.", [
            "type": "object",
            "properties": [
                "title": ["type": "string", "minLength": 1], "done": ["type": "boolean"],
                "note": ["type": ["string", "null"]], "priority": ["type": "integer", "minimum": 1, "maximum": 5],
            ],
            "required": ["title", "done", "note", "priority"],
        ]),
        ("Write an order with its line items as JSON.", [
            "type": "object",
            "properties": [
                "order": ["type": "object", "properties": [
                    "id": ["type": "integer"],
                    "items": ["type": "array", "maxItems": 3, "items": [
                        "type": "object",
                        "properties": ["sku": ["type": "string"], "qty": ["type": "integer", "minimum": 1, "maximum": 9]],
                        "required": ["sku", "qty"]]],
                ], "required": ["id", "items"]],
                "paid": ["type": "boolean"],
            ],
            "required": ["order", "paid"],
        ]),
        ("Pick a shape and give its size as JSON.", [
            "type": "object",
            "properties": ["shape": ["anyOf": [
                ["type": "object", "properties": ["kind": ["const": "circle"], "radius": ["type": "number"]],
                 "required": ["kind", "radius"]],
                ["type": "object", "properties": ["kind": ["const": "square"], "side": ["type": "number"]],
                 "required": ["kind", "side"]],
            ]]],
            "required": ["shape"],
        ]),
    ]

    static let tools = [
        ToolSpec(name: "get_weather", description: "The current weather in a city.", parameters: [
            "type": "object", "properties": ["city": ["type": "string"], "unit": ["enum": ["c", "f"]]],
            "required": ["city"]]),
        ToolSpec(name: "add", description: "Adds two integers.", parameters: [
            "type": "object", "properties": ["a": ["type": "integer"], "b": ["type": "integer"]],
            "required": ["a", "b"]]),
        ToolSpec(name: "now", description: "The current time."),
    ]

    static let seeds = 20
    static let maxTokens = 48

    static func sampling(seed: UInt64) -> Sampling {
        Sampling(temperature: 0.9, topP: 1, topK: 0, minP: 0, maxTokens: maxTokens, seed: seed)
    }

    /// Runs `seeds` requests at once (the engine batches them) and returns the responses by seed.
    static func respondAll(_ model: LocalModel, _ make: @escaping @Sendable (UInt64) -> ChatRequest) async throws
        -> [ChatResponse]
    {
        try await withThrowingTaskGroup(of: (UInt64, ChatResponse).self) { group in
            for seed in 1...UInt64(seeds) { group.addTask { (seed, try await model.respond(to: make(seed))) } }
            var responses: [(UInt64, ChatResponse)] = []
            for try await pair in group { responses.append(pair) }
            return responses.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    @Test("5 schemas × 20 seeds at temperature 0.9: every output parses and validates")
    func schemasAlwaysValidate() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        var failures: [String] = []
        for (prompt, schema) in Self.cases {
            let validator = JSONSchemaValidator(schema: schema)
            let responses = try await Self.respondAll(model) { seed in
                ChatRequest(messages: [.user(prompt)], responseFormat: .jsonSchema(name: "out", schema: schema),
                            sampling: Self.sampling(seed: seed))
            }
            for response in responses {
                let parsed = try? JSONSerialization.jsonObject(with: Data(response.text.utf8), options: [.fragmentsAllowed])
                let value = try? JSONDecoder().decode(JSONValue.self, from: Data(response.text.utf8))
                if parsed == nil || value.map(validator.isValid) != true || response.finishReason != .stop {
                    failures.append("\(prompt) → \(response.text) (\(response.finishReason))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) invalid: \(failures.prefix(3))")
    }

    @Test("tool calls name a listed tool with valid arguments, for every seed")
    func toolCallsAreValid() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        for (choice, prompt) in [(ToolChoice.required, "What is 2 plus 40?"),
                                 (.tool("get_weather"), "Is it raining in Oslo?")] {
            let responses = try await Self.respondAll(model) { seed in
                ChatRequest(messages: [.user(prompt)], tools: Self.tools, toolChoice: choice,
                            sampling: Self.sampling(seed: seed))
            }
            for response in responses {
                #expect(response.finishReason == .toolCalls, "\(response.text)")
                #expect(response.text.isEmpty)
                guard let call = response.toolCalls.first, response.toolCalls.count == 1 else {
                    Issue.record("no single call: \(response)")
                    continue
                }
                let tool = try #require(Self.tools.first { $0.name == call.name })
                if case .tool(let name) = choice { #expect(call.name == name) }
                #expect(call.id.hasPrefix("call_"))
                #expect(throws: Never.self, "\(call.arguments)") {
                    try JSONSchemaValidator(schema: tool.parameters).validate(json: call.arguments)
                }
            }
        }
    }

    @Test("with toolChoice auto the answer is text or a valid call; greedy output repeats")
    func autoAndGreedy() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        let responses = try await Self.respondAll(model) { seed in
            ChatRequest(messages: [.user("What is 2 plus 40?")], tools: Self.tools, toolChoice: .auto,
                        sampling: Self.sampling(seed: seed))
        }
        for response in responses {
            if let call = response.toolCalls.first {
                let tool = try #require(Self.tools.first { $0.name == call.name })
                #expect(JSONSchemaValidator(schema: tool.parameters).isValid(
                    try JSONDecoder().decode(JSONValue.self, from: Data(call.arguments.utf8))))
            } else {
                #expect(!response.text.hasPrefix("{"))
            }
        }
        let request = ChatRequest(messages: [.user("Describe a person as JSON.")],
                                  responseFormat: .jsonSchema(name: "p", schema: Self.cases[0].schema),
                                  sampling: Sampling(temperature: 0, maxTokens: Self.maxTokens))
        let first = try await model.respond(to: request), second = try await model.respond(to: request)
        #expect(first.text == second.text)
        #expect(JSONSchemaValidator(schema: Self.cases[0].schema).isValid(
            try JSONDecoder().decode(JSONValue.self, from: Data(first.text.utf8))))
    }

    @Test("a token budget too small to finish freely still ends in a complete value")
    func tightBudget() async throws {
        let runtime = try LocalRuntime.shared(url: Fixtures.modelURL)
        let vocabulary = GuidedVocabulary.shared(for: runtime)
        let grammar = vocabulary.grammar(try JSONGrammar(schema: Self.cases[1].schema))
        let prompt = runtime.promptTokens(for: [.user("Write a very long poem about the weather in Paris.")])
        for seed in 1...UInt64(4) {
            let constraint = JSONConstraint(grammar)
            let generation = try await runtime.generate(
                prompt: prompt, sampler: Sampler(Self.sampling(seed: seed)), maxTokens: 36, constraint: constraint)
            #expect(constraint.isComplete, "\(generation.generatedText)")
            #expect(generation.stopReason == .eos)
            #expect(JSONSchemaValidator(schema: Self.cases[1].schema).isValid(
                try JSONDecoder().decode(JSONValue.self, from: Data(generation.generatedText.utf8))))
        }
    }

    @Test("an unsupported schema fails the request with the keyword named")
    func unsupportedSchema() async throws {
        let model = try LocalModel(url: Fixtures.modelURL)
        let request = ChatRequest(messages: [.user("Hi")],
                                  responseFormat: .jsonSchema(name: "x", schema: ["type": "string", "pattern": "a+"]))
        await #expect(throws: GuidanceError.unsupportedKeyword("pattern", at: "#")) {
            try await model.respond(to: request)
        }
    }
}
