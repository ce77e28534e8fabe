import Foundation
import Synchronization

/// The thread a store's writer drains run on: a thread of the store's own, at a
/// lower CPU priority than the threads that run steps.
///
/// A drain mostly merges a tail of appended entries into SQLite (~515 rows, ~2 ms
/// of CPU at full durability), which no caller waits for. Run at normal priority
/// on a 2-core machine, every merge made the effect log's next `fdatasync` return
/// 1–2 ms late: the sync thread, woken by the disk, waited for the merge to give
/// up its core. At nice 10 the scheduler runs the woken thread at once (slow
/// flushes in a 3,000-step loop: 20–24 at nice 0, 6–7 at nice 10).
///
/// The drain goes through GRDB's writer queue synchronously
/// (`writeWithoutTransaction`), which runs the block on the calling thread, so
/// the SQLite work itself happens here. Lowering a thread's priority needs no
/// privilege; raising it back would, which is why the thread is this one and not
/// one borrowed from a shared pool.
final class DrainThread: Sendable {
    /// The `nice` value of the thread (Linux; elsewhere the thread keeps the default).
    static let niceness: Int32 = 10

    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var started = false
        var stopped = false
    }

    private let name: String
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    init(name: String) {
        self.name = name
    }

    /// Runs `job` on the thread, after the jobs queued before it; starts the
    /// thread the first time.
    func async(_ job: @escaping @Sendable () -> Void) {
        let start = state.withLock { state -> Bool in
            state.jobs.append(job)
            defer { state.started = true }
            return !state.started
        }
        if start {
            let thread = Thread { [self] in run() }
            thread.name = name
            thread.start()
        }
        wake.signal()
    }

    /// Blocks until the jobs queued so far have run; for closing the store, never
    /// from a job.
    func waitUntilIdle() {
        guard state.withLock({ $0.started && !$0.stopped }) else { return }
        let done = DispatchSemaphore(value: 0)
        async { done.signal() }
        done.wait()
    }

    /// Ends the thread once the jobs already queued have run.
    func stop() {
        let running = state.withLock { state -> Bool in
            state.stopped = true
            return state.started
        }
        if running { wake.signal() }
    }

    private func run() {
        #if os(Linux)
        // On Linux, PRIO_PROCESS with id 0 is the calling thread alone.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        #endif
        while true {
            wake.wait()
            let (jobs, stopped) = state.withLock { state in
                defer { state.jobs = [] }
                return (state.jobs, state.stopped)
            }
            for job in jobs { job() }
            if stopped { return }
        }
    }
}
