/// A counting semaphore for one endpoint: at most `limit` calls in flight, the others
/// wait their turn in arrival order. Waiting is cancellable.
public actor ConcurrencyLimiter {
    /// Calls allowed in flight at once.
    public nonisolated let limit: Int
    private var inFlight = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Calls in flight now.
    public var active: Int { inFlight }

    /// Waits for a slot; throws `CancellationError` if the task is cancelled first.
    func acquire() async throws {
        if inFlight < limit, waiters.isEmpty {
            inFlight += 1
            return
        }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Frees a slot, handing it straight to the first waiter if there is one.
    func release() {
        if waiters.isEmpty {
            inFlight = max(0, inFlight - 1)
        } else {
            waiters.removeFirst().continuation.resume()  // the slot passes on; inFlight unchanged
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
