import Foundation

/// Checks JSON values against a JSON Schema: model-produced tool arguments and
/// typed outputs before they are decoded.
///
/// ```swift
/// let validator = JSONSchemaValidator(schema: tool.parameters)
/// try validator.validate(json: call.arguments)           // throws the first violation
/// validator.violations(of: value).map(\.description)     // or all of them
/// ```
///
/// Checked: `type` (one or a list; `integer` is a number with no fraction),
/// `enum`, `const`, `properties`, `required`, `additionalProperties` (a
/// boolean or a schema), `items`, `minItems`, `maxItems`, `uniqueItems`,
/// `minLength`/`maxLength` (in Unicode scalars), `pattern` (Swift `Regex`,
/// unanchored), `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`, `anyOf`, `oneOf`, `allOf`, `not`, `nullable`, and local
/// `$ref`s into `$defs`/`definitions`. Other keywords (annotations such as
/// `description` and `format`) are ignored, as the specification allows.
///
/// A validator is an immutable value, safe to share.
public struct JSONSchemaValidator: Sendable {
    public let schema: JSONValue

    public init(schema: JSONValue) {
        self.schema = schema
    }

    /// Whether `value` satisfies the schema.
    public func isValid(_ value: JSONValue) -> Bool { violations(of: value).isEmpty }

    /// Every violation found (the first few per alternative of an `anyOf`).
    public func violations(of value: JSONValue) -> [JSONSchemaViolation] {
        var found: [JSONSchemaViolation] = []
        check(value, against: schema, at: "#", into: &found, depth: 0)
        return found
    }

    /// Throws the first violation, if any.
    public func validate(_ value: JSONValue) throws(JSONSchemaViolation) {
        if let first = violations(of: value).first { throw first }
    }

    /// Parses `json` and validates it; text that is not JSON is a violation at `#`.
    public func validate(json: String) throws(JSONSchemaViolation) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw JSONSchemaViolation(path: "#", message: "not valid JSON: \(json.prefix(80))")
        }
        try validate(value)
    }

    // MARK: Checking

    private func check(_ value: JSONValue, against schema: JSONValue, at path: String,
                       into found: inout [JSONSchemaViolation], depth: Int) {
        func fail(_ message: String) { found.append(JSONSchemaViolation(path: path, message: message)) }
        guard depth < 64 else { return fail("the schema nests too deeply (a $ref cycle?)") }
        let rules: [String: JSONValue]
        switch schema {
        case .bool(true): return
        case .bool(false): return fail("no value is allowed here")
        case .object(let object): rules = object
        default: return
        }
        if case .string(let reference)? = rules["$ref"] {
            guard let target = resolve(reference) else { return fail("unresolvable $ref \(reference)") }
            check(value, against: target, at: path, into: &found, depth: depth + 1)
        }
        if case .bool(true)? = rules["nullable"], value == .null { return }
        if let type = rules["type"] {
            let names: [String] = switch type {
            case .string(let name): [name]
            case .array(let list): list.compactMap(\.stringValue)
            default: []
            }
            if !names.isEmpty, !names.contains(where: { Self.matches(value, type: $0) }) {
                return fail("expected \(names.joined(separator: " or ")), got \(Self.describe(value))")
            }
        }
        if case .array(let allowed)? = rules["enum"], !allowed.contains(where: { Self.equal($0, value) }) {
            fail("\(Self.describe(value)) is not one of the allowed values")
        }
        if let constant = rules["const"], !Self.equal(constant, value) {
            fail("expected \(Self.describe(constant)), got \(Self.describe(value))")
        }
        checkCombinators(value, rules, at: path, into: &found, depth: depth)
        switch value {
        case .object(let fields): checkObject(fields, rules, at: path, into: &found, depth: depth)
        case .array(let items): checkArray(items, rules, at: path, into: &found, depth: depth)
        case .string(let text): checkString(text, rules, fail: fail)
        case .number(let number): checkNumber(number, rules, fail: fail)
        default: break
        }
    }

    private func checkCombinators(_ value: JSONValue, _ rules: [String: JSONValue], at path: String,
                                  into found: inout [JSONSchemaViolation], depth: Int) {
        func failures(_ schema: JSONValue) -> [JSONSchemaViolation] {
            var inner: [JSONSchemaViolation] = []
            check(value, against: schema, at: path, into: &inner, depth: depth + 1)
            return inner
        }
        if case .array(let all)? = rules["allOf"] {
            for schema in all { found += failures(schema) }
        }
        if case .array(let any)? = rules["anyOf"] {
            let results = any.map(failures)
            if !results.contains(where: \.isEmpty) {
                found.append(JSONSchemaViolation(path: path, message: "matches none of anyOf")); found += results.first ?? []
            }
        }
        if case .array(let one)? = rules["oneOf"] {
            let passing = one.map(failures).filter(\.isEmpty).count
            if passing != 1 {
                found.append(JSONSchemaViolation(path: path, message: "matches \(passing) of oneOf, not exactly one"))
            }
        }
        if let not = rules["not"], failures(not).isEmpty {
            found.append(JSONSchemaViolation(path: path, message: "matches the schema under not"))
        }
    }

    private func checkObject(_ fields: [String: JSONValue], _ rules: [String: JSONValue], at path: String,
                             into found: inout [JSONSchemaViolation], depth: Int) {
        var properties: [String: JSONValue] = [:]
        if case .object(let declared)? = rules["properties"] { properties = declared }
        if case .array(let required)? = rules["required"] {
            for case .string(let name) in required where fields[name] == nil {
                found.append(JSONSchemaViolation(path: path, message: "missing required property \"\(name)\""))
            }
        }
        for key in fields.keys.sorted() {
            guard let field = fields[key] else { continue }
            let fieldPath = path + "/" + Self.escape(key)
            if let schema = properties[key] {
                check(field, against: schema, at: fieldPath, into: &found, depth: depth + 1)
            } else if let extra = rules["additionalProperties"] {
                if case .bool(false) = extra {
                    found.append(JSONSchemaViolation(path: fieldPath, message: "property \"\(key)\" is not allowed"))
                } else {
                    check(field, against: extra, at: fieldPath, into: &found, depth: depth + 1)
                }
            }
        }
    }

    private func checkArray(_ items: [JSONValue], _ rules: [String: JSONValue], at path: String,
                            into found: inout [JSONSchemaViolation], depth: Int) {
        func fail(_ message: String) { found.append(JSONSchemaViolation(path: path, message: message)) }
        if let minimum = Self.integer(rules["minItems"]), items.count < minimum { fail("fewer than \(minimum) items") }
        if let maximum = Self.integer(rules["maxItems"]), items.count > maximum { fail("more than \(maximum) items") }
        if case .bool(true)? = rules["uniqueItems"] {
            for (index, item) in items.enumerated() where items[..<index].contains(where: { Self.equal($0, item) }) {
                fail("item \(index) repeats an earlier one")
            }
        }
        if let schema = rules["items"], case .object = schema {
            for (index, item) in items.enumerated() {
                check(item, against: schema, at: "\(path)/\(index)", into: &found, depth: depth + 1)
            }
        }
    }

    private func checkString(_ text: String, _ rules: [String: JSONValue], fail: (String) -> Void) {
        let length = text.unicodeScalars.count
        if let minimum = Self.integer(rules["minLength"]), length < minimum { fail("shorter than \(minimum) characters") }
        if let maximum = Self.integer(rules["maxLength"]), length > maximum { fail("longer than \(maximum) characters") }
        if case .string(let pattern)? = rules["pattern"] {
            if let regex = try? Regex(pattern) {
                if (try? regex.firstMatch(in: text)) == nil { fail("does not match the pattern \(pattern)") }
            } else {
                fail("the schema's pattern \(pattern) is not a regular expression Swift understands")
            }
        }
    }

    private func checkNumber(_ number: Double, _ rules: [String: JSONValue], fail: (String) -> Void) {
        func bound(_ key: String) -> Double? { if case .number(let v)? = rules[key] { v } else { nil } }
        if let minimum = bound("minimum"), number < minimum { fail("\(Self.format(number)) is below the minimum \(Self.format(minimum))") }
        if let maximum = bound("maximum"), number > maximum { fail("\(Self.format(number)) is above the maximum \(Self.format(maximum))") }
        if let limit = bound("exclusiveMinimum"), number <= limit { fail("\(Self.format(number)) is not above \(Self.format(limit))") }
        if let limit = bound("exclusiveMaximum"), number >= limit { fail("\(Self.format(number)) is not below \(Self.format(limit))") }
        if let step = bound("multipleOf"), step > 0 {
            let quotient = number / step
            if abs(quotient - quotient.rounded()) > 1e-9 * max(1, abs(quotient)) {
                fail("\(Self.format(number)) is not a multiple of \(Self.format(step))")
            }
        }
    }

    // MARK: Helpers

    private func resolve(_ reference: String) -> JSONValue? {
        if reference == "#" { return schema }
        for container in ["$defs", "definitions"] where reference.hasPrefix("#/\(container)/") {
            let name = String(reference.dropFirst(container.count + 3))
            return schema[container]?[name.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        return nil
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string),
             ("array", .array), ("object", .object):
            return true
        case ("integer", .number(let number)):
            return number.isFinite && number.rounded() == number
        default:
            return false
        }
    }

    /// JSON equality: numbers by value, objects by keys and values.
    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool { a == b }

    private static func integer(_ value: JSONValue?) -> Int? {
        if case .number(let number)? = value, number >= 0, number < 1e12 { return Int(number) }
        return nil
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): format(number)
        case .string(let text): "\"\(text.prefix(40))\""
        case .array(let items): "an array of \(items.count)"
        case .object: "an object"
        }
    }

    private static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
