#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks how many threads a small forward pass (a decode step) should use, by timing.
///
/// A decode step is ~300 small operations; on two cores shared with other
/// processes, meeting up after each can cost more than the second thread
/// saves. The tuner alternates "all threads" and "one thread" for a few steps,
/// keeps the faster for a while, then measures again, so it follows the
/// machine's load. While one choice keeps winning clearly, it measures less
/// often (the slower candidate's steps are a cost of their own). Results do not depend on the choice: every output element
/// is computed the same way on any thread.
struct ThreadTuner {
    let maximum: Int
    private var samples: [[Double]] = [[], []]  // seconds per token: [all threads, one thread]
    private var chosen = 0
    private var remaining = 0                   // calls left before measuring again
    private(set) var interval = ThreadTuner.callsBetweenMeasurements

    static let samplesPerCandidate = 6
    static let callsBetweenMeasurements = 256
    static let longestInterval = 4_096
    /// How much slower the loser must be for the choice to count as clear.
    static let clearMargin = 1.25

    init(maximum: Int) { self.maximum = maximum }

    /// Threads for the next small pass.
    mutating func next() -> Int {
        guard maximum > 1 else { return 1 }
        if remaining > 0 { return chosen == 0 ? maximum : 1 }
        let candidate = samples[0].count <= samples[1].count ? 0 : 1
        return candidate == 0 ? maximum : 1
    }

    /// Records how long a pass with `threads` threads took for `tokens` tokens.
    mutating func record(threads: Int, tokens: Int, seconds: Double) {
        guard maximum > 1 else { return }
        if remaining > 0 {
            remaining -= 1
            return
        }
        samples[threads == 1 ? 1 : 0].append(seconds / Double(max(tokens, 1)))
        if samples[0].count >= Self.samplesPerCandidate, samples[1].count >= Self.samplesPerCandidate {
            let medians = samples.map { $0.sorted()[$0.count / 2] }
            let next = medians[1] < medians[0] ? 1 : 0
            let clear = Swift.max(medians[0], medians[1]) >= Self.clearMargin * Swift.min(medians[0], medians[1])
            interval = clear && next == chosen ? Swift.min(interval * 2, Self.longestInterval) : Self.callsBetweenMeasurements
            chosen = next
            samples = [[], []]
            remaining = interval
        }
    }

    /// Threads the tuner currently prefers (for reports).
    var preferred: Int { chosen == 0 ? maximum : 1 }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
