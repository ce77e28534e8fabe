import Synchronization

/// A timer for one MCP request: when `duration` passes before `cancel()`, it marks
/// itself expired and runs `onExpiry` — which cancels the request in the SDK client,
/// so the waiting caller wakes up (the SDK's requests do not observe task
/// cancellation on their own).
final class MCPDeadline: Sendable {
    private let state = Mutex<(expired: Bool, timer: Task<Void, Never>?)>((false, nil))

    init(after duration: Duration, onExpiry: @escaping @Sendable () async -> Void) {
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: duration) } catch { return }
            guard let self, self.expire() else { return }
            await onExpiry()
        }
        state.withLock { $0.timer = timer }
    }

    /// True once the time ran out.
    var expired: Bool { state.withLock { $0.expired } }

    /// Stops the timer; after this it never expires.
    func cancel() {
        state.withLock { $0.timer }?.cancel()
    }

    private func expire() -> Bool {
        state.withLock { state in
            guard !state.expired else { return false }
            state.expired = true
            return true
        }
    }

    deinit { state.withLock { $0.timer }?.cancel() }
}
