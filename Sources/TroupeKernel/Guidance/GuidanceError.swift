/// Why a JSON Schema or a set of tools could not become a decoding constraint.
///
/// Each case names the schema location (a JSON Pointer such as
/// `#/properties/tags/items`) and what to change.
public enum GuidanceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A keyword guided decoding cannot enforce (`pattern`, `allOf`, …); remove it or
    /// check it after generation with ``JSONSchemaValidator``.
    case unsupportedKeyword(String, at: String)
    /// The schema is malformed at `at` (a keyword with the wrong kind of value, an unknown type).
    case invalidSchema(String, at: String)
    /// No JSON value satisfies the schema (an empty `enum`, `minItems` above `maxItems`, a
    /// property that requires itself forever).
    case unsatisfiable(String, at: String)
    /// A `$ref` that does not point into the schema's `$defs` or `definitions`.
    case unresolvedReference(String, at: String)
    /// Tool calling was asked for with no tools, or for a tool the request does not list.
    case unknownTool(String)

    public var description: String {
        switch self {
        case .unsupportedKeyword(let keyword, let path):
            "the schema keyword \"\(keyword)\" at \(path) is not supported by guided decoding; "
                + "remove it (validate the output with JSONSchemaValidator instead)"
        case .invalidSchema(let reason, let path):
            "invalid JSON Schema at \(path): \(reason)"
        case .unsatisfiable(let reason, let path):
            "no JSON value satisfies the schema at \(path): \(reason); relax the schema"
        case .unresolvedReference(let reference, let path):
            "the $ref \"\(reference)\" at \(path) does not name an entry of the schema's $defs or definitions"
        case .unknownTool(let name):
            name.isEmpty
                ? "a tool call was required but the request lists no tools; add tools or set toolChoice to .auto"
                : "the tool \"\(name)\" named by toolChoice is not among the request's tools; list it in tools"
        }
    }
}
