import Testing
@testable import TroupeKernel

/// The tuner decides from the timings it is given; these feed it made-up ones.
@Suite("Thread tuner")
struct ThreadTunerTests {
    /// Runs one measuring phase: every call gets `seconds(threads)` per token.
    static func measure(_ tuner: inout ThreadTuner, _ seconds: (Int) -> Double) {
        for _ in 0..<(2 * ThreadTuner.samplesPerCandidate) {
            let threads = tuner.next()
            tuner.record(threads: threads, tokens: 1, seconds: seconds(threads))
        }
    }

    /// Runs the calls between measurements and returns how many there were and the threads they used.
    static func exploit(_ tuner: inout ThreadTuner) -> (calls: Int, threads: Set<Int>) {
        var used: Set<Int> = []
        for _ in 0..<tuner.interval {
            let threads = tuner.next()
            used.insert(threads)
            tuner.record(threads: threads, tokens: 1, seconds: 1)
        }
        return (tuner.interval, used)
    }

    @Test("keeps the faster choice, and measures less often while it wins clearly")
    func backsOffWhileClear() {
        var tuner = ThreadTuner(maximum: 2)
        Self.measure(&tuner) { $0 == 2 ? 0.004 : 0.008 }
        #expect(tuner.preferred == 2)
        #expect(Self.exploit(&tuner).threads == [2])
        let first = tuner.interval
        Self.measure(&tuner) { $0 == 2 ? 0.004 : 0.008 }
        #expect(tuner.interval == 2 * first)
        #expect(Self.exploit(&tuner).threads == [2])
        Self.measure(&tuner) { $0 == 2 ? 0.004 : 0.008 }
        #expect(tuner.interval == 4 * first)
        for _ in 0..<8 {
            _ = Self.exploit(&tuner)
            Self.measure(&tuner) { $0 == 2 ? 0.004 : 0.008 }
        }
        #expect(tuner.interval == ThreadTuner.longestInterval)
    }

    @Test("a close or changed result goes back to measuring often")
    func resetsWhenUnclear() {
        var tuner = ThreadTuner(maximum: 2)
        Self.measure(&tuner) { $0 == 2 ? 0.004 : 0.008 }
        _ = Self.exploit(&tuner)
        Self.measure(&tuner) { $0 == 2 ? 0.004 : 0.008 }
        #expect(tuner.interval > ThreadTuner.callsBetweenMeasurements)
        _ = Self.exploit(&tuner)
        // The machine got busy: one thread is now faster.
        Self.measure(&tuner) { $0 == 2 ? 0.009 : 0.006 }
        #expect(tuner.preferred == 1)
        #expect(tuner.interval == ThreadTuner.callsBetweenMeasurements)
        #expect(Self.exploit(&tuner).threads == [1])
    }

    @Test("one thread available means one thread, without measuring")
    func single() {
        var tuner = ThreadTuner(maximum: 1)
        for _ in 0..<50 {
            #expect(tuner.next() == 1)
            tuner.record(threads: 1, tokens: 1, seconds: 1)
        }
    }
}
