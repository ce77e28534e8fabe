/// What a span stands for; names follow the OpenTelemetry GenAI conventions where
/// one exists (`invoke_agent`, `chat`, `execute_tool`).
public enum SpanKind: String, Sendable, Hashable, Codable {
    case run
    case step
    case agentTurn = "invoke_agent"
    case modelCall = "chat"
    case toolCall = "execute_tool"
    case humanInput = "human_input"
    case handoff
    /// One try of a model call under a retry policy.
    case attempt
    /// A wait between attempts.
    case backoff
    /// Moving to the next model of a fallback chain.
    case fallback
}

/// A finished (or interrupted) span of a run's trace.
///
/// Ids are 16 hex digits and derived from the run id and the span's path, so a
/// resumed run writes the same ids for the same work instead of duplicating it.
public struct SpanRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var spanID: String
    public var parentID: String?
    public var name: String
    public var kind: SpanKind
    /// Seconds since 1970.
    public var startTime: Double
    public var endTime: Double?
    public var status: SpanStatus
    /// `gen_ai.*` attributes and Troupe's own (`troupe.step.key`, …).
    public var attributes: [String: JSONValue]

    public init(runID: String, spanID: String, parentID: String?, name: String, kind: SpanKind,
                startTime: Double, endTime: Double? = nil, status: SpanStatus = .ok,
                attributes: [String: JSONValue] = [:]) {
        self.runID = runID
        self.spanID = spanID
        self.parentID = parentID
        self.name = name
        self.kind = kind
        self.startTime = startTime
        self.endTime = endTime
        self.status = status
        self.attributes = attributes
    }

    /// Duration in seconds, when the span has ended.
    public var duration: Double? { endTime.map { $0 - startTime } }
}

/// Whether the work a span covers succeeded. In JSON: `"ok"` or `{"error": "…"}`.
public enum SpanStatus: Sendable, Hashable, Codable {
    case ok
    case error(String)

    private enum CodingKeys: String, CodingKey { case error }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self), text == "ok" {
            self = .ok
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self = .error(try container.decode(String.self, forKey: .error))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .ok:
            var container = encoder.singleValueContainer()
            try container.encode("ok")
        case .error(let message):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .error)
        }
    }
}

/// A causal link: the span `spanID` happened because of `linkedSpanID` (a message
/// that span sent was delivered to it).
public struct SpanLinkRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var spanID: String
    public var linkedSpanID: String
    public var kind: String

    public init(runID: String, spanID: String, linkedSpanID: String, kind: String = "caused_by") {
        self.runID = runID
        self.spanID = spanID
        self.linkedSpanID = linkedSpanID
        self.kind = kind
    }
}
