import Foundation

/// One attempt, backoff or fallback, reported by a model policy as it finishes.
///
/// Policies (retry, fallback… in TroupeModels) report these; the runtime turns them
/// into spans (``SpanKind/attempt``, ``SpanKind/backoff``, ``SpanKind/fallback``) under
/// the model call's span. Attributes never hold secrets: errors are recorded by their
/// description, which model errors keep free of keys.
public struct PolicySpan: Sendable, Hashable {
    public var kind: SpanKind
    /// E.g. `attempt 2/3 openai/gpt-4o-mini`, `backoff 1.3 s`, `fallback openai/x → ollama/y`.
    public var name: String
    /// The model the span is about (for a fallback, the one given up on).
    public var model: ModelID
    /// Wall-clock seconds since 1970.
    public var startTime: Double
    public var endTime: Double
    /// The error that ended the attempt (or caused the backoff or fallback), if any.
    public var error: String?
    /// `troupe.attempt`, `troupe.backoff.seconds`, `troupe.fallback.to`, …
    public var attributes: [String: JSONValue]

    public init(kind: SpanKind, name: String, model: ModelID, startTime: Double, endTime: Double,
                error: String? = nil, attributes: [String: JSONValue] = [:]) {
        self.kind = kind
        self.name = name
        self.model = model
        self.startTime = startTime
        self.endTime = endTime
        self.error = error
        self.attributes = attributes
    }
}

/// Receives the spans model policies report.
public protocol PolicySpanObserver: Sendable {
    func record(_ span: PolicySpan)
}

/// Where model policies report their spans: a task-local observer, so the runtime can
/// install one around each model call and every policy inside reports to it.
///
/// ```swift
/// try await PolicyTrace.$observer.withValue(spanWriter) {
///     try await model.respond(to: request)
/// }
/// ```
public enum PolicyTrace {
    @TaskLocal public static var observer: (any PolicySpanObserver)?

    /// Reports `span` to the current observer, if any.
    public static func record(_ span: PolicySpan) {
        observer?.record(span)
    }

    /// Seconds since 1970, the time base of spans.
    public static func wallClock() -> Double { Date().timeIntervalSince1970 }
}
