import Synchronization
import Troupe

/// Four agents of one type in a ring pass a counter for `hops` hops.
///
/// - `publish`: each agent publishes the incremented counter on the next agent's
///   topic (fire and forget); the agent that reaches `hops` signals the end.
/// - `send`: a driver sends each hop to the next agent and awaits its reply.
///
/// Same shape as the autogen-core peer (peers/ring_autogen.py), warm-up included.
enum RingBench {
    static let size = 4

    struct Hop: Sendable { var count: Int }

    /// Resumes the waiting benchmark once, when the last hop arrives.
    final class Finish: Sendable {
        private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
        func wait(_ start: @Sendable () -> Void) async {
            await withCheckedContinuation { continuation in
                waiter.withLock { $0 = continuation }
                start()
            }
        }
        func signal() { waiter.withLock { $0.take() }?.resume() }
    }

    actor RingAgent: RuntimeAgent {
        let nextTopic: String
        let hops: Int
        let finish: Finish

        init(nextTopic: String, hops: Int, finish: Finish) {
            self.nextTopic = nextTopic
            self.hops = hops
            self.finish = finish
        }

        func handle(_ message: any Sendable, context: MessageContext) async throws -> (any Sendable)? {
            guard let hop = message as? Hop else { return nil }
            let next = Hop(count: hop.count + 1)
            if context.topic == nil { return next }              // send: reply
            if next.count >= hops { finish.signal() } else {     // publish: pass it on
                context.runtime.publish(next, to: nextTopic, from: context.recipient)
            }
            return nil
        }
    }

    static func run(_ options: Options) async throws -> Report {
        let mode = options.string("mode", "publish")
        let hops = options.int("hops", 20_000)
        let warmup = options.int("warmup", 2_000)
        guard mode == "publish" || mode == "send" else { throw BenchError("--mode is publish or send") }

        let repeats = max(1, options.int("repeat", 1))
        _ = try await ring(mode: mode, hops: warmup)
        var times: [Double] = []
        for _ in 0..<repeats { times.append(try await ring(mode: mode, hops: hops)) }
        // The median of `repeats` rings, as the peer script reports it.
        let seconds = times.sorted()[times.count / 2]

        var report = Report(workload: "ring-\(mode)")
        report["hops"] = hops
        report["repeats"] = repeats
        report["seconds"] = seconds
        report["hops_per_s"] = Measure.round(Double(hops) / seconds, 1)
        report["us_per_hop"] = Measure.round(seconds * 1e6 / Double(hops), 3)
        report["peak_rss_mib"] = Measure.round(Measure.peakRSSMiB(), 1)
        return report
    }

    /// One ring on a fresh runtime; returns the seconds the hops took.
    static func ring(mode: String, hops: Int) async throws -> Double {
        let runtime = AgentRuntime()
        let finish = Finish()
        let ids = (0..<size).map { AgentID("ring", key: String($0)) }
        for index in 0..<size {
            try runtime.register(RingAgent(nextTopic: "ring.\((index + 1) % size)", hops: hops, finish: finish),
                                 as: ids[index])
            runtime.subscribe(ids[index], to: "ring.\(index)")
        }
        defer { runtime.unregister(ids) }

        let start = Measure.now()
        if mode == "publish" {
            await finish.wait { runtime.publish(Hop(count: 0), to: "ring.0") }
        } else {
            var hop = Hop(count: 0)
            while hop.count < hops {
                hop = try await runtime.send(hop, to: ids[hop.count % size], as: Hop.self)
            }
        }
        return Measure.seconds(start, Measure.now())
    }
}
