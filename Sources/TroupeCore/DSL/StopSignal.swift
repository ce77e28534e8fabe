import Synchronization

/// A stop button for a running workflow: raise it from anywhere (a signal handler,
/// another task, a UI) and every loop or chat with `.externalStop(signal)` ends
/// after its current message.
///
/// Reads of the signal are journaled, so a replay stops at the same place.
public final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)
    public let name: String

    public init(_ name: String = "stop") { self.name = name }

    /// Asks the runs watching this signal to stop.
    public func raise() { raised.store(true, ordering: .releasing) }

    public var isRaised: Bool { raised.load(ordering: .acquiring) }
}
