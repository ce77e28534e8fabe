/// Runs `operation`, cancelling it and throwing `onTimeout()` if it takes longer than
/// `seconds` on `clock`. With `seconds == nil` it simply runs `operation`.
///
/// The operation must honour cancellation promptly: the call returns only once it has.
func withTimeout<T: Sendable>(_ seconds: Double?, clock: any PolicyClock,
                              onTimeout: @escaping @Sendable () -> any Error,
                              operation: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let seconds else { return try await operation() }
    guard seconds > 0 else { throw onTimeout() }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await clock.timer(for: seconds)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        guard let value = first else { throw onTimeout() }
        return value
    }
}
