import Foundation
import Synchronization
import Troupe

/// The durable-loop workload: function steps a → b → c in a loop, each adding one
/// to the counter carried in the message `n/target`, until `n` reaches `target`
/// (the run's input). Step k is the one that turns `k-1` into `k`. The same graph
/// as the bundled `count` workflow and as the LangGraph peer.
///
/// Two hooks for the crash benchmark, read from the environment:
/// - `TROUPE_CRASH_AT_STEP=k`: the process exits (`_exit`) inside step k, before
///   the step returns, so its result is never journaled;
/// - `TROUPE_BENCH_STEP_LOG=path`: every step that runs to completion appends its
///   number to `path`, so the driver can count steps that ran twice.
enum LoopWorkflow {
    static let name = "bench-loop"

    static func make() throws -> Workflow {
        try Workflow(name, description: "a→b→c adding 1 per step until the input count") {
            Loop(max: 10_000_000, until: .when("target reached", reached)) {
                Step("a", add)
                Step("b", add)
                Step("c", add)
            }
        }
    }

    @Sendable static func add(_ input: StepInput) async throws -> String {
        let (value, target) = parse(input.text)
        let step = value + 1
        if step == Hooks.crashAtStep { _exit(137) }
        Hooks.log(step)
        return "\(step)/\(target)"
    }

    @Sendable static func reached(_ messages: ArraySlice<Message>) -> Bool {
        guard let last = messages.last?.content else { return false }
        let (value, target) = parse(last)
        return value >= target
    }

    /// `n/target`, or the bare target (the run's input, n = 0).
    ///
    /// One pass over the bytes for the usual `digits/digits`: `split` goes through
    /// the generic collection machinery and cost a fifth of a replayed step.
    static func parse(_ text: String) -> (value: Int, target: Int) {
        var numbers = (0, 0)
        var slashes = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "/"), digits > 0, slashes == 0 {
                slashes = 1
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 18 {
                let digit = Int(byte - UInt8(ascii: "0"))
                if slashes == 0 { numbers.0 = numbers.0 * 10 + digit } else { numbers.1 = numbers.1 * 10 + digit }
                digits += 1
            } else {
                return parseSlowly(text)
            }
        }
        if digits == 0 { return parseSlowly(text) }
        return slashes == 1 ? numbers : (0, numbers.0)
    }

    private static func parseSlowly(_ text: String) -> (value: Int, target: Int) {
        let parts = text.split(separator: "/")
        if parts.count == 2 { return (Int(parts[0]) ?? 0, Int(parts[1]) ?? 0) }
        return (0, Int(text) ?? 0)
    }

    enum Hooks {
        static let crashAtStep: Int? = ProcessInfo.processInfo.environment["TROUPE_CRASH_AT_STEP"].flatMap { Int($0) }
        static let logDescriptor: Int32? = ProcessInfo.processInfo.environment["TROUPE_BENCH_STEP_LOG"].map {
            open($0, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }

        /// One write(2) per step: it reaches the kernel, so it survives `_exit`.
        static func log(_ step: Int) {
            guard let fd = logDescriptor, fd >= 0 else { return }
            let line = "\(step)\n"
            _ = line.withCString { write(fd, $0, strlen($0)) }
        }
    }
}

/// Marks the moment each step finishes, for per-step timings.
final class StepClock: Sendable {
    private let marks: Mutex<[UInt64]>

    init(capacity: Int) {
        var marks: [UInt64] = []
        marks.reserveCapacity(capacity + 1)
        self.marks = Mutex(marks)
    }

    var observer: RunObserver {
        { [self] event in
            if case .stepFinished = event {
                let now = Measure.now()
                marks.withLock { $0.append(now) }
            }
        }
    }

    var times: [UInt64] { marks.withLock { $0 } }

    /// Time of the first `count` steps over the time of the last `count`, measured
    /// from `start` (the run's start) through the step marks.
    func lastOverFirst(start: UInt64, count: Int = 100) -> (first: Double, last: Double)? {
        let marks = times
        guard marks.count > count else { return nil }
        let first = Measure.seconds(start, marks[count - 1])
        let last = Measure.seconds(marks[marks.count - count - 1], marks[marks.count - 1])
        return (first, last)
    }
}
