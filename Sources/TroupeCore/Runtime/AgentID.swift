/// An agent's address in an ``AgentRuntime``: its type (what it is) and key (which one).
///
/// Workflows host one agent per name per run, with the run id as the key, so two
/// runs never share an agent's state.
public struct AgentID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var type: String
    public var key: String

    public init(_ type: String, key: String = "default") {
        self.type = type
        self.key = key
    }

    public var description: String { "\(type)/\(key)" }
}
