/// One way a JSON value fails a JSON Schema: where (a JSON Pointer into the
/// value, `#` for the root) and what was expected.
public struct JSONSchemaViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the value, e.g. `#/tags/2`.
    public var path: String
    /// What was wrong, e.g. `expected an integer, got "3"`.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
