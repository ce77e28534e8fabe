/// Several agents sharing one conversation, taking turns until a termination
/// condition holds.
///
/// ```swift
/// GroupChat("pair", members: [coder, tester], speaker: .roundRobin,
///           until: .maxMessages(12) || .mentions("DONE"))
/// ```
///
/// The next speaker is the one the last speaker handed off to, if it did (a reply
/// line `HANDOFF: name`, or a `transfer_to_name` tool call, to a member listed in
/// its `handoffs`); otherwise the ``SpeakerSelection`` decides.
public struct GroupChat: WorkflowComponent, Sendable {
    public let name: String
    public let members: [Agent]
    public let speaker: SpeakerSelection
    public let until: Termination
    /// A hard bound on turns, whatever `until` says.
    public let maxTurns: Int

    public init(_ name: String, members: [Agent], speaker: SpeakerSelection = .roundRobin,
                until: Termination, maxTurns: Int = 40) {
        self.name = name
        self.members = members
        self.speaker = speaker
        self.until = until
        self.maxTurns = maxTurns
    }

    public var node: Node { .groupChat(self) }
}

/// How a group chat picks who speaks next when nobody handed off.
public enum SpeakerSelection: Sendable {
    /// Members in order, starting with the first.
    case roundRobin
    /// A model reads the conversation and the members' descriptions and names the
    /// next speaker; an answer naming no member falls back to round robin.
    case model(ModelRef)
    /// The current speaker keeps the floor until it hands off (a swarm); `start`
    /// speaks first (the first member when nil).
    case handoffs(start: String? = nil)
}
