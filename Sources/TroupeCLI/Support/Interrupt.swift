import Dispatch
import Foundation
import Synchronization

/// Ctrl-C during a run cancels it cleanly: the run is marked stopped, its journal
/// flushed, and it can be resumed. A second Ctrl-C exits at once.
enum Interrupt {
    static func cancellingOnSIGINT<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let presses = PressCounter()
        source.setEventHandler {
            if presses.increment() > 1 { exit(130) }
            FileHandle.standardError.write(Data("\nstopping… (Ctrl-C again to quit now)\n".utf8))
            task.cancel()
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        return try await task.value
    }
}

/// Counts Ctrl-C presses; bumped from the signal source's queue.
private final class PressCounter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
