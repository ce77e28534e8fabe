/// A capability an agent can call: a name, what it does, a JSON Schema of its
/// arguments, and the call itself. In the spirit of FoundationModels' `Tool`.
///
/// ```swift
/// struct Weather: Tool {
///     struct Arguments: Codable, Sendable { var city: String }
///     let name = "weather"
///     let description = "Current weather for a city."
///     var parameters: JSONValue { ["type": "object", "properties": ["city": ["type": "string"]],
///                                  "required": ["city"]] }
///     func call(arguments: Arguments) async throws -> String { "Sunny in \(arguments.city)" }
/// }
/// let agent = Agent("helper", instructions: "…", tools: [Weather()])
/// ```
///
/// Calls are effects: journaled, served from the journal on resume and replay,
/// never run twice. A thrown error goes back to the model as the call's result.
/// `TroupeTools` derives `parameters` from `Arguments` and provides built-ins.
public protocol Tool: Sendable {
    associatedtype Arguments: Decodable & Sendable
    associatedtype Output: Encodable & Sendable

    /// The name the model calls it by: letters, digits, `_` and `-`.
    var name: String { get }
    /// What it does and when to use it, for the model.
    var description: String { get }
    /// The JSON Schema of `Arguments`.
    var parameters: JSONValue { get }
    /// When true, each call waits for a person's approval (which survives restarts).
    var requiresApproval: Bool { get }
    /// How long one call may take before it fails with a timeout.
    var timeout: Duration { get }

    func call(arguments: Arguments) async throws -> Output
}

// MARK: - Defaults

extension Tool {
    public var requiresApproval: Bool { false }
    public var timeout: Duration { .seconds(30) }

    /// How the model sees the tool.
    public var spec: ToolSpec { ToolSpec(name: name, description: description, parameters: parameters) }
}
