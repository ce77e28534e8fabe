import TroupeCore

extension JSONGrammar {
    /// Compiles a JSON Schema.
    ///
    /// Supported: `type` (one or a list), `properties`, `required`,
    /// `additionalProperties` (generation never adds undeclared properties; a
    /// schema with only `additionalProperties: {schema}` becomes a map),
    /// `items`, `minItems`, `maxItems`, `minLength`, `maxLength`, `enum`,
    /// `const`, `anyOf`, `oneOf`, `nullable`, local `$ref`s into `$defs` or
    /// `definitions` (recursive ones too), and `minimum`/`maximum` on
    /// integers: enforced exactly when the range holds at most 256 values,
    /// otherwise as the sign and the number of digits (check the rest with
    /// ``JSONSchemaValidator``). Annotations (`title`, `description`,
    /// `default`, `examples`, `format`, `$schema`, `$id`, `$comment`) are
    /// ignored. Anything else throws ``GuidanceError/unsupportedKeyword(_:at:)``.
    /// An empty schema (`{}`) or `true` allows any JSON value up to three levels deep.
    public init(schema: JSONValue) throws(GuidanceError) {
        var builder = Builder(document: schema)
        let root = try builder.compile(schema, path: "#")
        self = try builder.finish(root: root)
    }

    /// Any JSON object, up to three levels deep: ``ResponseFormat/json``.
    public static let anyObject: JSONGrammar = {
        var builder = Builder(document: [:])
        let root = builder.add(.map(value: builder.anyValue(depth: 2)))
        // Only fails for unsatisfiable schemas, which this is not.
        return (try? builder.finish(root: root)) ?? JSONGrammar.empty
    }()

    /// A grammar accepting only `{}`; the fallback that can never be reached.
    static var empty: JSONGrammar {
        var builder = Builder(document: [:])
        let root = builder.add(.object([]))
        return JSONGrammar(nodes: builder.nodes, literals: builder.literals, root: root, minimumLength: [2],
                           openBrace: builder.openBrace, closeBrace: builder.closeBrace,
                           openBracket: builder.openBracket, closeBracket: builder.closeBracket,
                           comma: builder.comma, colon: builder.colon, quote: builder.quote,
                           commaQuote: builder.commaQuote)
    }

    /// Turns schema values into nodes, interning literals and resolving `$ref`s.
    struct Builder {
        let document: JSONValue
        var nodes: [Node] = []
        var literals: [[UInt8]] = []
        private var literalIDs: [[UInt8]: Int] = [:]
        private var references: [String: Int] = [:]
        private var anyValues: [Int: Int] = [:]
        var openBrace = 0, closeBrace = 0, openBracket = 0, closeBracket = 0
        var comma = 0, colon = 0, quote = 0, commaQuote = 0

        static let annotations: Set<String> = [
            "title", "description", "default", "examples", "format", "$schema", "$id", "$comment",
            "$defs", "definitions", "readOnly", "writeOnly", "deprecated",
        ]
        static let handled: Set<String> = [
            "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
            "minLength", "maxLength", "enum", "const", "anyOf", "oneOf", "nullable", "$ref",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        ]

        init(document: JSONValue) {
            self.document = document
            openBrace = literal("{"); closeBrace = literal("}")
            openBracket = literal("["); closeBracket = literal("]")
            comma = literal(","); colon = literal(":"); quote = literal("\""); commaQuote = literal(",\"")
        }

        mutating func literal(_ text: String) -> Int { literal(Array(text.utf8)) }

        mutating func literal(_ bytes: [UInt8]) -> Int {
            if let id = literalIDs[bytes] { return id }
            literals.append(bytes)
            literalIDs[bytes] = literals.count - 1
            return literals.count - 1
        }

        mutating func add(_ node: Node) -> Int {
            nodes.append(node)
            return nodes.count - 1
        }

        /// Any JSON value nested at most `depth` containers deep.
        mutating func anyValue(depth: Int) -> Int {
            if let id = anyValues[depth] { return id }
            var alternatives = [
                add(.string(minLength: 0, maxLength: nil)),
                add(.number(NumberShape(isInteger: false, allowsNegative: true, maxIntegerDigits: 15,
                                        maxFractionDigits: 15))),
                add(.literals([literal("true"), literal("false"), literal("null")])),
            ]
            if depth > 0 {
                let inner = anyValue(depth: depth - 1)
                alternatives.append(add(.array(item: inner, minItems: 0, maxItems: nil)))
                alternatives.append(add(.map(value: inner)))
            }
            let id = add(.anyOf(alternatives))
            anyValues[depth] = id
            return id
        }

        mutating func compile(_ schema: JSONValue, path: String) throws(GuidanceError) -> Int {
            let object: [String: JSONValue]
            switch schema {
            case .bool(true): return anyValue(depth: 3)
            case .bool(false): throw .unsatisfiable("the schema is false", at: path)
            case .object(let value): object = value
            default: throw .invalidSchema("a schema must be an object or a boolean", at: path)
            }
            for key in object.keys.sorted() where !Self.handled.contains(key) && !Self.annotations.contains(key) {
                throw .unsupportedKeyword(key, at: path)
            }
            if let reference = object["$ref"] {
                guard case .string(let text) = reference else {
                    throw .invalidSchema("$ref must be a string", at: path)
                }
                return try resolve(text, path: path)
            }
            if case .bool(true) = object["nullable"] {
                var rest = object
                rest["nullable"] = nil
                return add(.anyOf([try compile(.object(rest), path: path), add(.literals([literal("null")]))]))
            }
            if let constant = object["const"] {
                return add(.literals([literal(Array(constant.canonicalJSON.utf8))]))
            }
            if let values = object["enum"] {
                guard case .array(let list) = values else { throw .invalidSchema("enum must be an array", at: path) }
                guard !list.isEmpty else { throw .unsatisfiable("the enum is empty", at: path) }
                return add(.literals(list.map { literal(Array($0.canonicalJSON.utf8)) }))
            }
            for keyword in ["anyOf", "oneOf"] {
                guard let value = object[keyword] else { continue }
                guard case .array(let list) = value, !list.isEmpty else {
                    throw .invalidSchema("\(keyword) must be a non-empty array", at: path)
                }
                var rest = object
                rest[keyword] = nil
                let shared = rest.keys.contains { Self.handled.contains($0) }
                var alternatives: [Int] = []
                for (index, alternative) in list.enumerated() {
                    // Keywords beside anyOf (a shared `type`, say) apply to every alternative.
                    var merged = alternative
                    if shared, case .object(var fields) = alternative {
                        for (key, value) in rest where fields[key] == nil { fields[key] = value }
                        merged = .object(fields)
                    }
                    alternatives.append(try compile(merged, path: "\(path)/\(keyword)/\(index)"))
                }
                return add(.anyOf(alternatives))
            }
            switch object["type"] {
            case nil:
                if object["properties"] != nil || object["additionalProperties"] != nil {
                    return try compileObject(object, path: path)
                }
                if object["items"] != nil { return try compileArray(object, path: path) }
                return anyValue(depth: 3)
            case .string(let type):
                return try compile(type: type, object, path: path)
            case .array(let types):
                var alternatives: [Int] = []
                for case .string(let type) in types { alternatives.append(try compile(type: type, object, path: path)) }
                guard alternatives.count == types.count, !types.isEmpty else {
                    throw .invalidSchema("type must be a string or a non-empty array of strings", at: path)
                }
                return alternatives.count == 1 ? alternatives[0] : add(.anyOf(alternatives))
            default:
                throw .invalidSchema("type must be a string or an array of strings", at: path)
            }
        }

        private mutating func compile(type: String, _ object: [String: JSONValue],
                                      path: String) throws(GuidanceError) -> Int {
            switch type {
            case "object": return try compileObject(object, path: path)
            case "array": return try compileArray(object, path: path)
            case "string":
                let minLength = try count(object["minLength"], "minLength", path: path) ?? 0
                let maxLength = try count(object["maxLength"], "maxLength", path: path)
                if let maxLength, maxLength < minLength {
                    throw .unsatisfiable("minLength is above maxLength", at: path)
                }
                return add(.string(minLength: minLength, maxLength: maxLength))
            case "integer", "number": return try compileNumber(object, isInteger: type == "integer", path: path)
            case "boolean": return add(.literals([literal("true"), literal("false")]))
            case "null": return add(.literals([literal("null")]))
            default: throw .invalidSchema("unknown type \"\(type)\"", at: path)
            }
        }

        private mutating func compileObject(_ object: [String: JSONValue], path: String) throws(GuidanceError) -> Int {
            var properties: [String: JSONValue] = [:]
            switch object["properties"] {
            case nil: break
            case .object(let value): properties = value
            default: throw .invalidSchema("properties must be an object", at: path)
            }
            var required: [String] = []
            switch object["required"] {
            case nil: break
            case .array(let names):
                for case .string(let name) in names where !required.contains(name) { required.append(name) }
            default: throw .invalidSchema("required must be an array of names", at: path)
            }
            if properties.isEmpty, required.isEmpty, let extra = object["additionalProperties"] {
                switch extra {
                case .bool(false): break
                case .bool(true): return add(.map(value: anyValue(depth: 2)))
                default: return add(.map(value: try compile(extra, path: "\(path)/additionalProperties")))
                }
            }
            let order = required + properties.keys.filter { !required.contains($0) }.sorted()
            var compiled: [Property] = []
            for name in order {
                let valuePath = "\(path)/properties/\(name)"
                let value: Int
                if let schema = properties[name] {
                    value = try compile(schema, path: valuePath)
                } else {
                    // Required but undeclared: any value (or what additionalProperties allows).
                    switch object["additionalProperties"] {
                    case .bool(false): throw .unsatisfiable("\"\(name)\" is required but additionalProperties is false", at: path)
                    case .object(let extra): value = try compile(.object(extra), path: "\(path)/additionalProperties")
                    default: value = anyValue(depth: 2)
                    }
                }
                let key = JSONValue.string(name).canonicalJSON + ":"
                compiled.append(Property(name: name, key: literal(key), commaKey: literal("," + key),
                                         value: value, isRequired: required.contains(name)))
            }
            return add(.object(compiled))
        }

        private mutating func compileArray(_ object: [String: JSONValue], path: String) throws(GuidanceError) -> Int {
            let item: Int
            switch object["items"] {
            case nil: item = anyValue(depth: 2)
            case .array: throw .unsupportedKeyword("items (as an array of schemas)", at: path)
            case let schema?: item = try compile(schema, path: "\(path)/items")
            }
            let minItems = try count(object["minItems"], "minItems", path: path) ?? 0
            let maxItems = try count(object["maxItems"], "maxItems", path: path)
            if let maxItems, maxItems < minItems { throw .unsatisfiable("minItems is above maxItems", at: path) }
            return add(.array(item: item, minItems: minItems, maxItems: maxItems))
        }

        private mutating func compileNumber(_ object: [String: JSONValue], isInteger: Bool,
                                            path: String) throws(GuidanceError) -> Int {
            func bound(_ key: String) throws(GuidanceError) -> Double? {
                switch object[key] {
                case nil: return nil
                case .number(let value): return value
                default: throw .invalidSchema("\(key) must be a number", at: path)
                }
            }
            var lower = try bound("minimum"), upper = try bound("maximum")
            if let value = try bound("exclusiveMinimum") { lower = max(lower ?? -.infinity, value.nextUp) }
            if let value = try bound("exclusiveMaximum") { upper = min(upper ?? .infinity, value.nextDown) }
            if let lower, let upper, lower > upper { throw .unsatisfiable("minimum is above maximum", at: path) }
            if isInteger, let lower, let upper, (upper.rounded(.down) - lower.rounded(.up)) < 256 {
                let low = Int(lower.rounded(.up)), high = Int(upper.rounded(.down))
                guard low <= high else { throw .unsatisfiable("no integer lies between minimum and maximum", at: path) }
                return add(.literals((low...high).map { literal(String($0)) }))
            }
            var digits = 15
            if let lower, let upper, lower >= 0 {
                digits = min(15, max(1, String(Int(min(upper, 1e15))).count))
            }
            return add(.number(NumberShape(isInteger: isInteger, allowsNegative: (lower ?? -1) < 0,
                                           maxIntegerDigits: digits, maxFractionDigits: 15)))
        }

        private func count(_ value: JSONValue?, _ key: String, path: String) throws(GuidanceError) -> Int? {
            guard let value else { return nil }
            guard case .number(let number) = value, number >= 0, number.rounded() == number, number < 1e9 else {
                throw .invalidSchema("\(key) must be a non-negative integer", at: path)
            }
            return Int(number)
        }

        private mutating func resolve(_ reference: String, path: String) throws(GuidanceError) -> Int {
            if let id = references[reference] { return id }
            var target: JSONValue?
            for prefix in ["#/$defs/", "#/definitions/"] where reference.hasPrefix(prefix) {
                let name = String(reference.dropFirst(prefix.count))
                target = document[String(prefix.dropFirst(2).dropLast())]?[name]
            }
            if reference == "#" { target = document }
            guard let target else { throw .unresolvedReference(reference, at: path) }
            // A placeholder first, so a recursive reference points back at this node.
            let id = add(.anyOf([]))
            references[reference] = id
            let body = try compile(target, path: reference)
            nodes[id] = .anyOf([body])
            return id
        }

        /// Computes each node's shortest complete value and checks every node can finish.
        func finish(root: Int) throws(GuidanceError) -> JSONGrammar {
            let unbounded = Int.max / 4
            var length = [Int](repeating: unbounded, count: nodes.count)
            var changed = true
            while changed {
                changed = false
                for (id, node) in nodes.enumerated() {
                    let value: Int
                    switch node {
                    case .object(let properties):
                        var total = 2
                        var first = true
                        for property in properties where property.isRequired {
                            total += literals[first ? property.key : property.commaKey].count + length[property.value]
                            first = false
                        }
                        value = min(total, unbounded)
                    case .map: value = 2
                    case .array(let item, let minItems, _):
                        value = minItems == 0 ? 2 : min(unbounded, 2 + minItems * length[item] + minItems - 1)
                    case .string(let minLength, _): value = 2 + minLength
                    case .literals(let ids): value = ids.map { literals[$0].count }.min() ?? unbounded
                    case .number: value = 1
                    case .anyOf(let alternatives): value = alternatives.map { length[$0] }.min() ?? unbounded
                    }
                    if value < length[id] {
                        length[id] = value
                        changed = true
                    }
                }
            }
            guard length[root] < unbounded else {
                throw .unsatisfiable("every value would be infinitely long (a required property requires itself)", at: "#")
            }
            return JSONGrammar(nodes: nodes, literals: literals, root: root, minimumLength: length,
                               openBrace: openBrace, closeBrace: closeBrace, openBracket: openBracket,
                               closeBracket: closeBracket, comma: comma, colon: colon, quote: quote,
                               commaQuote: commaQuote)
        }
    }
}
