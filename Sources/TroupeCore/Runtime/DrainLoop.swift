import Synchronization

/// The drain loop a handler runs in, so a publish from inside a handler can hand
/// the newly woken mailbox to this loop instead of starting a task for it.
///
/// A loop holds at most one hand-off; further wake-ups get tasks of their own, so
/// a fan-out still runs in parallel.
final class DrainLoop: Sendable {
    @TaskLocal static var current: DrainLoop?

    private let pending = Mutex<Mailbox?>(nil)

    /// Takes `box` as this loop's next mailbox if the slot is free.
    func offer(_ box: Mailbox) -> Bool {
        pending.withLock { slot in
            guard slot == nil else { return false }
            slot = box
            return true
        }
    }

    func take() -> Mailbox? {
        pending.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }
}
