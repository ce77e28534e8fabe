import Testing
import TroupeCore
@testable import TroupeKernel

@Suite("JSON grammar")
struct JSONGrammarTests {
    static let person: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"],
            "age": ["type": "integer", "minimum": 0],
            "email": ["type": "string"],
            "tags": ["type": "array", "items": ["type": "string", "enum": ["a", "b"]], "maxItems": 2],
        ],
        "required": ["name", "age"],
    ]

    @Test("accepts the canonical layout and rejects everything else")
    func acceptsAndRejects() throws {
        let grammar = try JSONGrammar(schema: Self.person)
        #expect(grammar.accepts(#"{"name":"Ada","age":36}"#))
        #expect(grammar.accepts(#"{"name":"Ada","age":36,"email":"a@b.c","tags":["a","b"]}"#))
        #expect(grammar.accepts(#"{"name":"Ada","age":0,"tags":[]}"#))
        #expect(grammar.accepts(#"{"name":"é \"q\" ✓","age":7}"#))
        #expect(!grammar.accepts(#"{"age":36,"name":"Ada"}"#), "required properties come in order")
        #expect(!grammar.accepts(#"{"name":"Ada"}"#), "age is required")
        #expect(!grammar.accepts(#"{ "name":"Ada","age":36}"#), "no whitespace")
        #expect(!grammar.accepts(#"{"name":"Ada","age":-3}"#), "minimum 0: no sign")
        #expect(!grammar.accepts(#"{"name":"Ada","age":1.5}"#), "integers have no fraction")
        #expect(!grammar.accepts(#"{"name":"Ada","age":012}"#), "no leading zeros")
        #expect(!grammar.accepts(#"{"name":"Ada","age":1,"tags":["c"]}"#), "enum")
        #expect(!grammar.accepts(#"{"name":"Ada","age":1,"tags":["a","a","b"]}"#), "maxItems")
        #expect(!grammar.accepts(#"{"name":"Ada","age":1,"extra":1}"#), "no undeclared properties")
        #expect(!grammar.accepts(#"{"name":"a\u0041","age":1}"#), "no \\u escapes")
        #expect(!grammar.accepts("{\"name\":\"a\nb\",\"age\":1}"), "no raw control characters")
        #expect(grammar.acceptsPrefix(#"{"name":"Ad"#))
        #expect(!grammar.acceptsPrefix(#"{"nam":"#))
    }

    @Test("scalars, enums of any JSON, lengths, nullable, anyOf and $ref")
    func otherShapes() throws {
        let enums = try JSONGrammar(schema: ["enum": [1, "x", nil, true, ["k": [1, 2]]]])
        for text in ["1", #""x""#, "null", "true", #"{"k":[1,2]}"#] { #expect(enums.accepts(text), "\(text)") }
        #expect(!enums.accepts("2"))

        let number = try JSONGrammar(schema: ["type": "number"])
        for text in ["0", "-0.5", "12.25", "3"] { #expect(number.accepts(text), "\(text)") }
        for text in ["01", "1.", ".5", "1e5", "-", "+1"] { #expect(!number.accepts(text), "\(text)") }

        let small = try JSONGrammar(schema: ["type": "integer", "minimum": -2, "maximum": 3])
        #expect(small.accepts("-2") && small.accepts("3") && !small.accepts("4") && !small.accepts("-3"))

        let short = try JSONGrammar(schema: ["type": "string", "minLength": 2, "maxLength": 3])
        #expect(short.accepts(#""ab""#) && short.accepts(#""éé✓""#))
        #expect(!short.accepts(#""a""#) && !short.accepts(#""abcd""#))

        let optional = try JSONGrammar(schema: ["type": ["string", "null"]])
        #expect(optional.accepts("null") && optional.accepts(#""s""#) && !optional.accepts("1"))

        let tree = try JSONGrammar(schema: [
            "$ref": "#/$defs/node",
            "$defs": ["node": ["type": "object",
                               "properties": ["v": ["type": "integer"],
                                              "kids": ["type": "array", "items": ["$ref": "#/$defs/node"]]],
                               "required": ["v"]]],
        ])
        #expect(tree.accepts(#"{"v":1,"kids":[{"v":2},{"v":3,"kids":[]}]}"#))
        #expect(!tree.accepts(#"{"v":1,"kids":[{}]}"#))

        let any = try JSONGrammar(schema: [:])
        #expect(any.accepts(#"{"a":[1,"b",{"c":null}],"d":true}"#))
        #expect(JSONGrammar.anyObject.accepts(#"{"x":[1,2]}"#) && !JSONGrammar.anyObject.accepts("[1]"))
    }

    @Test("unsupported keywords, bad schemas and unknown tools are clear errors")
    func errors() {
        #expect(throws: GuidanceError.unsupportedKeyword("pattern", at: "#/properties/id")) {
            try JSONGrammar(schema: ["type": "object", "properties": ["id": ["type": "string", "pattern": "^a"]]])
        }
        #expect(throws: GuidanceError.invalidSchema("unknown type \"text\"", at: "#")) {
            try JSONGrammar(schema: ["type": "text"])
        }
        #expect(throws: GuidanceError.unsatisfiable("the enum is empty", at: "#")) {
            try JSONGrammar(schema: ["enum": []])
        }
        #expect(throws: GuidanceError.unknownTool("nope")) {
            try JSONGrammar.toolCall([ToolSpec(name: "a", description: "")], only: "nope")
        }
        let message = GuidanceError.unsupportedKeyword("allOf", at: "#").description
        #expect(message.contains("allOf") && message.contains("remove it"))
    }

    @Test("a tool call's arguments match the tool it names")
    func toolCalls() throws {
        let tools = [
            ToolSpec(name: "add", description: "", parameters: [
                "type": "object", "properties": ["a": ["type": "integer"], "b": ["type": "integer"]],
                "required": ["a", "b"]]),
            ToolSpec(name: "echo", description: "", parameters: [
                "type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]),
        ]
        let grammar = try JSONGrammar.toolCall(tools)
        #expect(grammar.accepts(#"{"name":"add","arguments":{"a":1,"b":2}}"#))
        #expect(grammar.accepts(#"{"name":"echo","arguments":{"text":"hi"}}"#))
        #expect(!grammar.accepts(#"{"name":"add","arguments":{"text":"hi"}}"#))
        #expect(!grammar.accepts(#"{"name":"sub","arguments":{"a":1,"b":2}}"#))
    }

    @Test("the lazy automaton agrees with the direct one and knows how far completion is")
    func automaton() throws {
        let grammar = try JSONGrammar(schema: Self.person)
        let dfa = GrammarDFA(grammar: grammar)
        let text = Array(#"{"name":"Ada","age":36}"#.utf8)
        var state = dfa.start
        #expect(Int(dfa.distance[Int(state)]) == #"{"name":"","age":0}"#.utf8.count)
        for (offset, byte) in text.enumerated() {
            state = dfa.next(state, byte)
            #expect(state != GrammarDFA.dead, "byte \(offset) of a valid text was rejected")
            #expect(Int(dfa.distance[Int(state)]) <= text.count - offset - 1 || offset < 12)
        }
        #expect(dfa.isAccepting[Int(state)] && dfa.isFinal[Int(state)])
        #expect(dfa.next(dfa.start, UInt8(ascii: "[")) == GrammarDFA.dead)
    }

    @Test("the validator reports each violation with its path")
    func validator() {
        let validator = JSONSchemaValidator(schema: Self.person)
        #expect(validator.isValid(["name": "Ada", "age": 36, "tags": ["a"]]))
        let violations = validator.violations(of: ["name": 3, "age": 1.5, "tags": ["c"], "zzz": true])
        #expect(violations.map(\.path).contains("#/name"))
        #expect(violations.map(\.path).contains("#/age"))
        #expect(violations.map(\.path).contains("#/tags/0"))
        #expect(!violations.map(\.path).contains("#/zzz"), "additionalProperties defaults to true when validating")
        #expect(throws: JSONSchemaViolation.self) { try validator.validate(json: #"{"name":"x"}"#) }
        #expect(throws: JSONSchemaViolation.self) { try validator.validate(json: "{nope") }
        #expect(!JSONSchemaValidator(schema: ["type": "integer", "maximum": 3]).isValid(4))
        #expect(!JSONSchemaValidator(schema: ["oneOf": [["type": "integer"], ["type": "number"]]]).isValid(1))
    }
}
