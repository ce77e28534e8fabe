/// A person's decision on a tool call that needs approval.
public enum ApprovalDecision: Sendable, Hashable {
    case approve
    case reject(reason: String)
}

/// A tool call is waiting for a person's approval; the run pauses (status
/// `waiting`) with everything before it journaled, and resumes once decided.
public struct ApprovalRequired: Error, CustomStringConvertible, Sendable {
    public let runID: String
    public let step: String
    public let callID: String
    public let tool: String
    public let arguments: String

    public var description: String {
        "step '\(step)' wants to call '\(tool)' with \(arguments), which needs approval: "
            + "troupe resume \(runID) --approve \(callID), or --reject \(callID) --reason TEXT"
    }
}

/// The journaled request and result of an approval.
struct ApprovalRequest: Codable, Sendable {
    let approval: String
    let tool: String
    let arguments: String
}

struct ApprovalOutcome: Codable, Sendable {
    let approved: Bool
    let reason: String?
}

/// The journaled request of a tool call.
struct ToolEffectRequest: Codable, Sendable {
    let tool: String
    let arguments: String
    let callID: String
}
