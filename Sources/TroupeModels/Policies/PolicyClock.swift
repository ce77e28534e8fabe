/// The time source policies wait on: injectable so tests run backoffs and cooldowns
/// without waiting for real.
///
/// `now()` is monotonic seconds (any origin); `sleep(for:)` must throw
/// `CancellationError` promptly when its task is cancelled.
public protocol PolicyClock: Sendable {
    /// Monotonic time in seconds.
    func now() -> Double
    /// Suspends for `seconds`, or throws `CancellationError` if the task is cancelled.
    func sleep(for seconds: Double) async throws
    /// Suspends for `seconds` to bound other work (a timeout); the default is `sleep(for:)`.
    /// A virtual clock in tests may make timers never fire while backoffs pass at once.
    func timer(for seconds: Double) async throws
}

extension PolicyClock {
    public func timer(for seconds: Double) async throws {
        try await sleep(for: seconds)
    }
}

/// The real clock (`ContinuousClock`).
public struct SystemPolicyClock: PolicyClock {
    private let origin = ContinuousClock.now

    /// A clock whose origin is now.
    public init() {}

    public func now() -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    public func sleep(for seconds: Double) async throws {
        guard seconds > 0 else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: .nanoseconds(Int64(min(seconds, 1e9) * 1e9)))
    }
}
