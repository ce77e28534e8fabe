import TroupeCore

/// When and how to try a failed model call again: a value composed in the DSL and
/// applied with ``TroupeCore/ChatModel/retrying(_:clock:)``.
///
/// ```swift
/// let sturdy = model.retrying(RetryPolicy(maxAttempts: 4, attemptTimeout: 30, deadline: 90))
/// ```
///
/// - Backoff is exponential with full jitter: before retry *n* the policy waits a
///   uniformly random time in `0 ..< min(maxBackoff, initialBackoff * multiplier^(n-1))`.
/// - A server's `Retry-After` (``TroupeCore/ClassifiedError/retryAfter``) wins over
///   the computed wait, up to `maxRetryAfter`; a longer demand ends the retries.
/// - `attemptTimeout` bounds each attempt; `deadline` bounds the whole call, waits
///   included: no attempt or wait starts that would end past it.
/// - Only errors `isRetryable` accepts are retried (by default: transient
///   ``TroupeCore/ClassifiedError``s and attempt timeouts).
/// - A stream is never retried once a delta reached the consumer, unless
///   `retryAfterPartialStream` is set; then the consumer sees the answer restart.
public struct RetryPolicy: Sendable {
    /// Attempts in total, the first included (1 means no retry).
    public var maxAttempts: Int
    /// Upper bound of the first wait, in seconds.
    public var initialBackoff: Double
    /// The bound never exceeds this, in seconds.
    public var maxBackoff: Double
    /// Growth of the bound per retry.
    public var multiplier: Double
    /// Wait what the server asks for (`Retry-After`) instead of the computed backoff.
    public var honorRetryAfter: Bool
    /// Longest `Retry-After` worth waiting for, in seconds.
    public var maxRetryAfter: Double
    /// Time limit for one attempt, in seconds.
    public var attemptTimeout: Double?
    /// Time limit for the whole call, all attempts and waits, in seconds.
    public var deadline: Double?
    /// Retry a stream even after part of the answer was delivered.
    public var retryAfterPartialStream: Bool
    /// Which errors deserve another attempt.
    public var isRetryable: @Sendable (any Error) -> Bool
    /// A uniform random number in `0..<1` (injectable for deterministic tests).
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 3, initialBackoff: Double = 0.5, maxBackoff: Double = 30,
                multiplier: Double = 2, honorRetryAfter: Bool = true, maxRetryAfter: Double = 60,
                attemptTimeout: Double? = nil, deadline: Double? = nil,
                retryAfterPartialStream: Bool = false,
                isRetryable: @escaping @Sendable (any Error) -> Bool = RetryPolicy.defaultRetryable,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(0, initialBackoff)
        self.maxBackoff = max(0, maxBackoff)
        self.multiplier = max(1, multiplier)
        self.honorRetryAfter = honorRetryAfter
        self.maxRetryAfter = maxRetryAfter
        self.attemptTimeout = attemptTimeout
        self.deadline = deadline
        self.retryAfterPartialStream = retryAfterPartialStream
        self.isRetryable = isRetryable
        self.random = random
    }

    /// Three attempts, 0.5 s then 1 s bounds, `Retry-After` honoured.
    public static let `default` = RetryPolicy()

    /// A single attempt.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Transient ``TroupeCore/ClassifiedError``s (and attempt timeouts) are retried;
    /// cancellation and everything else are not.
    public static let defaultRetryable: @Sendable (any Error) -> Bool = { error in
        if error is CancellationError { return false }
        if let classified = error as? any ClassifiedError { return classified.isRetryable }
        return false
    }

    /// The bound of the jittered wait before retry `retry` (1 for the first retry).
    public func backoffCeiling(beforeRetry retry: Int) -> Double {
        let exponent = Double(max(0, retry - 1))
        return min(maxBackoff, initialBackoff * power(multiplier, exponent))
    }

    /// The wait before retry `retry` after `error`, and why: `retry-after` or `backoff`.
    /// Nil when the server asked for longer than `maxRetryAfter`.
    func wait(beforeRetry retry: Int, after error: any Error) -> (seconds: Double, reason: String)? {
        if honorRetryAfter, let asked = (error as? any ClassifiedError)?.retryAfter {
            guard asked <= maxRetryAfter else { return nil }
            return (asked, "retry-after")
        }
        return (backoffCeiling(beforeRetry: retry) * random(), "backoff")
    }
}

private func power(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 {
        result *= base
        remaining -= 1
    }
    return result
}
