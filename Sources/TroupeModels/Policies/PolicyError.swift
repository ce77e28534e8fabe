import TroupeCore

/// Why a policy gave up, in words that say what to do next.
public enum PolicyError: Error, ClassifiedError, CustomStringConvertible, Sendable, Equatable {
    /// One attempt took longer than the retry policy's `attemptTimeout`.
    case attemptTimedOut(model: ModelID, seconds: Double)
    /// The retry policy's overall `deadline` passed; `lastError` is the last failure seen.
    case deadlineExceeded(model: ModelID, seconds: Double, attempts: Int, lastError: String?)
    /// The circuit breaker for `breaker` is open after repeated failures.
    case circuitOpen(breaker: String, retryIn: Double)
    /// Every model of a fallback chain failed.
    case allModelsFailed([Failure])

    /// One model's failure inside ``PolicyError/allModelsFailed(_:)``.
    public struct Failure: Sendable, Hashable {
        /// The model that failed.
        public var model: ModelID
        /// Its error's description (redacted like every ``ModelError``).
        public var error: String
        /// Whether that error was transient.
        public var isRetryable: Bool

        public init(model: ModelID, error: String, isRetryable: Bool) {
            self.model = model
            self.error = error
            self.isRetryable = isRetryable
        }
    }

    public var isRetryable: Bool {
        switch self {
        case .attemptTimedOut, .circuitOpen: return true
        case .deadlineExceeded: return false
        case .allModelsFailed(let failures): return failures.last?.isRetryable ?? false
        }
    }

    public var retryAfter: Double? {
        if case .circuitOpen(_, let seconds) = self { return seconds }
        return nil
    }

    /// True for timeouts, which fallback chains treat like retryable failures.
    public var isTimeout: Bool {
        switch self {
        case .attemptTimedOut, .deadlineExceeded: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case let .attemptTimedOut(model, seconds):
            return "\(model) did not answer within the attempt timeout of \(Self.format(seconds)). Raise attemptTimeout or check the server's load."
        case let .deadlineExceeded(model, seconds, attempts, lastError):
            let last = lastError.map { " Last error: \($0)" } ?? ""
            return "\(model) did not succeed within the deadline of \(Self.format(seconds)) (\(attempts) attempt\(attempts == 1 ? "" : "s")).\(last)"
        case let .circuitOpen(breaker, retryIn):
            return "The circuit for '\(breaker)' is open after repeated failures; calls resume in \(Self.format(retryIn)). Add a fallback model to keep going meanwhile."
        case let .allModelsFailed(failures):
            let list = failures.map { "\($0.model): \($0.error)" }.joined(separator: " | ")
            return "All \(failures.count) models of the fallback chain failed. \(list)"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\((seconds * 10).rounded() / 10) s"
    }
}

extension Error {
    /// Whether the error is a timeout of any layer (client, attempt or deadline).
    var isAnyTimeout: Bool {
        if let error = self as? ModelError { return error.isTimeout }
        if let error = self as? PolicyError { return error.isTimeout }
        return false
    }
}
