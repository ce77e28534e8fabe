import Foundation
import TroupeCore

/// One attempt, backoff or fallback, reported by a policy as it finishes.
///
/// The runtime turns these into spans (``SpanKind/attempt``, ``SpanKind/backoff``,
/// ``SpanKind/fallback``) under the model call's span. Attributes never hold secrets:
/// errors are recorded by their (redacted) description.
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

/// Receives the spans policies report.
public protocol PolicySpanObserver: Sendable {
    func record(_ span: PolicySpan)
}

/// Where policies report their spans: a task-local observer, so the runtime can
/// install one around each model call and every policy inside reports to it.
///
/// ```swift
/// try await PolicyTrace.$observer.withValue(spanWriter) {
///     try await model.respond(to: request)
/// }
/// ```
public enum PolicyTrace {
    @TaskLocal public static var observer: (any PolicySpanObserver)?

    static func wallClock() -> Double { Date().timeIntervalSince1970 }

    static func record(_ span: PolicySpan) {
        observer?.record(span)
    }

    /// How an error appears in spans: its description, never a key (errors are redacted).
    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }
}
