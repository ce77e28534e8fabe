import Foundation
import Synchronization

/// How the writer connection waits for another process's write lock.
///
/// SQLite's own busy timeout sleeps up to 100 ms between tries, which wastes most
/// of the lock's free time when several processes commit small transactions;
/// this handler retries after 0.1 ms, backing off to 10 ms, until the store's
/// busy timeout has passed. During a fast-path commit on a caller's thread it
/// does not wait at all (see ``GroupCommitQueue``): the commit moves to the
/// writer thread instead.
final class BusyPolicy: Sendable {
    private struct State {
        var failFast = false
        var waitStart: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let timeout: Duration

    init(timeoutSeconds: Double) {
        timeout = .milliseconds(Int64(timeoutSeconds * 1000))
    }

    /// SQLite's busy callback: true to try again, false to give up with SQLITE_BUSY.
    func shouldRetry(tries: Int) -> Bool {
        let proceed = state.withLock { state -> Bool in
            if state.failFast { return false }
            let now = ContinuousClock.now
            if tries == 0 || state.waitStart == nil { state.waitStart = now }
            return state.waitStart.map { $0.duration(to: now) < timeout } ?? true
        }
        guard proceed else { return false }
        let pause = tries < 8 ? 0.000_1 * Double(tries + 1) : min(0.001 * Double(1 << min(tries - 8, 4)), 0.01)
        Thread.sleep(forTimeInterval: pause)
        return true
    }

    /// Runs `body` with waiting turned off: a busy lock fails at once.
    func failingFast<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { $0.failFast = true }
        defer { state.withLock { $0.failFast = false } }
        return try body()
    }
}
