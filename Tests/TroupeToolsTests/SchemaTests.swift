import Foundation
import Testing
import TroupeCore
import TroupeTools

enum Mood: String, Codable, SchemaEnum { case happy, sad, neutral }

struct Address: Codable { var street: String; var zip: Int? }

struct Everything: Codable, SchemaDescribed {
    var name: String
    var count: Int
    var ratio: Double
    var flag: Bool
    var tags: [String]
    var mood: Mood
    var address: Address
    var nickname: String?
    var history: [Address]?
    var scores: [String: Double]
    var link: URL
    var matrix: [[Int]]
    static let propertyDescriptions = ["name": "who"]
}

/// A hand-written decoder with nested containers.
struct Custom: Decodable {
    var a: String
    var b: Int?
    enum Keys: String, CodingKey { case outer, a, b, list }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let outer = try container.nestedContainer(keyedBy: Keys.self, forKey: .outer)
        a = try outer.decode(String.self, forKey: .a)
        b = try outer.decodeIfPresent(Int.self, forKey: .b)
        var list = try container.nestedUnkeyedContainer(forKey: .list)
        while !list.isAtEnd { _ = try list.decode(Bool.self) }
    }
}

enum Plain: String, Codable { case one, two }
struct UsesPlainEnum: Codable { var value: Plain }

final class Node: Codable { var children: [Node]; var label: String }

@Suite("JSON Schema derived from Decodable")
struct SchemaTests {
    @Test func objectsRequiredOptionalPrimitivesArraysNestedEnums() throws {
        let schema = try JSONSchema.derive(Everything.self)
        #expect(schema["type"] == "object")
        #expect(schema["additionalProperties"] == false)
        #expect(schema["required"] == ["name", "count", "ratio", "flag", "tags", "mood", "address", "scores", "link", "matrix"])
        let properties = try #require(schema["properties"])
        #expect(properties["name"] == ["type": "string", "description": "who"])
        #expect(properties["count"] == ["type": "integer"])
        #expect(properties["ratio"] == ["type": "number"])
        #expect(properties["flag"] == ["type": "boolean"])
        #expect(properties["tags"] == ["type": "array", "items": ["type": "string"]])
        #expect(properties["mood"] == ["type": "string", "enum": ["happy", "sad", "neutral"]])
        let address: JSONValue = [
            "type": "object", "additionalProperties": false, "required": ["street"],
            "properties": ["street": ["type": "string"], "zip": ["type": "integer"]],
        ]
        #expect(properties["address"] == address)
        #expect(properties["nickname"] == ["type": "string"])
        #expect(properties["history"] == ["type": "array", "items": address])
        #expect(properties["scores"] == ["type": "object", "additionalProperties": ["type": "number"]])
        #expect(properties["link"] == ["type": "string", "format": "uri"])
        #expect(properties["matrix"] == ["type": "array", "items": ["type": "array", "items": ["type": "integer"]]])
    }

    @Test func derivedSchemasValidateRealValues() throws {
        let schema = try JSONSchema.derive(Everything.self)
        let good = """
            {"name":"a","count":1,"ratio":0.5,"flag":true,"tags":["x"],"mood":"sad","address":{"street":"s"},
             "scores":{"k":1.5},"link":"https://x.org","matrix":[[1,2],[3]]}
            """
        let validator = JSONSchemaValidator(schema: schema)
        try validator.validate(json: good)
        #expect(throws: JSONSchemaViolation.self) {
            try validator.validate(json: good.replacingOccurrences(of: "\"sad\"", with: "\"angry\""))
        }
        #expect(throws: JSONSchemaViolation.self) {
            try validator.validate(json: good.replacingOccurrences(of: "\"count\":1", with: "\"count\":1.5"))
        }
    }

    @Test func handWrittenDecodersWithNestedContainers() throws {
        let schema = try JSONSchema.derive(Custom.self)
        #expect(schema["required"] == ["outer", "list"])
        #expect(schema["properties"]?["outer"] == [
            "type": "object", "additionalProperties": false, "required": ["a"],
            "properties": ["a": ["type": "string"], "b": ["type": "integer"]],
        ])
        #expect(schema["properties"]?["list"] == ["type": "array", "items": ["type": "boolean"]])
    }

    @Test func limitsFailWithAnExplanation() {
        #expect {
            _ = try JSONSchema.derive(UsesPlainEnum.self)
        } throws: { error in
            "\(error)".contains("SchemaEnum") && "\(error)".contains("value")
        }
        #expect {
            _ = try JSONSchema.derive(Node.self)
        } throws: { error in
            "\(error)".contains("recursive")
        }
        // A tool's parameters cannot throw: the reason ends up in the schema.
        #expect(JSONSchema.parameters(for: UsesPlainEnum.self)["description"]?.stringValue?.contains("SchemaEnum") == true)
    }

    @Test func toolsGetTheirParametersDerived() throws {
        #expect(Calculator().parameters == [
            "type": "object", "additionalProperties": false, "required": ["expression"],
            "properties": ["expression": ["type": "string", "description": .string(
                Calculator.Arguments.propertyDescriptions["expression"] ?? "")]],
        ])
        let shell = Shell().spec.parameters
        #expect(shell["required"] == ["command"])
        #expect(shell["properties"]?["arguments"]?["type"] == "array")
        for tool in [AnyTool(Calculator()), AnyTool(HTTPGet()), AnyTool(Shell()),
                     AnyTool(MemorySearch(namespace: "n")), AnyTool(Remember(namespace: "n"))] {
            #expect(tool.spec.parameters["description"] == nil, "\(tool.name) has a derived schema")
        }
    }
}
