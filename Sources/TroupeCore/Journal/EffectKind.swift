/// What kind of outside-world interaction an effect is.
///
/// Everything non-deterministic a workflow does is one of these, so the journal can
/// serve it back on resume and replay.
public enum EffectKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A call to a chat model.
    case model
    /// A call to a tool.
    case tool
    /// Reading the wall clock.
    case clock
    /// Drawing a random number.
    case random
    /// Generating a UUID.
    case uuid
    /// Asking a human for input or approval.
    case human
    /// The result of a function step (user code), recorded so it never runs twice.
    case compute
    /// Checking an external stop signal.
    case signal

    /// Effects that reach outside the process, whose start is committed before they
    /// run: if the process dies mid-call, resume knows the call was in flight.
    public var isExternal: Bool {
        switch self {
        case .model, .tool, .human: true
        case .clock, .random, .uuid, .compute, .signal: false
        }
    }
}
