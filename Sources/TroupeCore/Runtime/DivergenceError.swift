/// A replay (or resume) asked for an effect the journal does not have, or asked
/// with a different request than the one recorded: the workflow is no longer
/// deterministic against its recording.
public struct DivergenceError: Error, CustomStringConvertible, Sendable {
    public enum Reason: Sendable, Equatable {
        /// The journal has no effect with this key.
        case missing
        /// The journal has the effect, with another request.
        case requestChanged
        /// The recorded effect never completed (the recording was cut off there).
        case incomplete
    }

    public let runID: String
    public let step: String
    public let key: String
    public let kind: EffectKind
    public let reason: Reason
    public let recordedRequest: String?
    public let newRequest: String

    public var description: String {
        var lines: [String] = []
        switch reason {
        case .missing:
            lines.append("replay diverged at step '\(step)': the workflow asked for a \(kind.rawValue) effect (\(key)) that the recording of run \(runID) does not have")
        case .requestChanged:
            lines.append("replay diverged at step '\(step)': the \(kind.rawValue) effect \(key) was recorded with another request")
        case .incomplete:
            lines.append("replay diverged at step '\(step)': the recorded \(kind.rawValue) effect \(key) never completed (the recording stops there); resume the run instead")
        }
        lines.append("  recorded: \(recordedRequest.map(Self.clip) ?? "(nothing)")")
        lines.append("  now:      \(Self.clip(newRequest))")
        if reason != .incomplete {
            lines.append("The workflow's code or inputs changed since the recording. Replay it with the code it was recorded with, or start a new run.")
        }
        return lines.joined(separator: "\n")
    }

    /// The first difference, with context, when requests are long.
    private static func clip(_ text: String) -> String {
        text.count <= 600 ? text : String(text.prefix(600)) + "… (\(text.count) chars)"
    }
}
