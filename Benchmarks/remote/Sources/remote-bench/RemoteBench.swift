import Foundation
@_spi(Benchmarks) import TroupeModels
import TroupeCore

/// `remote-bench json` — libjansson vs Foundation on streamed chunks.
/// `remote-bench client BASE_URL REQUESTS STREAM_RUNS CHUNKS` — per-request and
/// per-chunk overhead of OpenAICompatibleModel against a loopback server; one JSON line.
@main
struct RemoteBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case "json":
            JSONParsingBenchmark.run(iterations: Int(arguments.dropFirst().first ?? "") ?? 200_000)
        case "client":
            let rest = Array(arguments.dropFirst())
            guard rest.count == 4, let requests = Int(rest[1]), let runs = Int(rest[2]), let chunks = Int(rest[3]) else {
                fatalError("usage: remote-bench client BASE_URL REQUESTS STREAM_RUNS CHUNKS")
            }
            try await clientOverhead(baseURL: rest[0], requests: requests, streamRuns: runs, chunks: chunks)
        default:
            print("usage: remote-bench json [ITERATIONS] | client BASE_URL REQUESTS STREAM_RUNS CHUNKS")
        }
    }

    static func clientOverhead(baseURL: String, requests: Int, streamRuns: Int, chunks: Int) async throws {
        let model = try OpenAICompatibleModel(baseURL: baseURL, model: "bench", apiKey: "sk-bench")
        let request = ChatRequest(messages: [.user("What is the capital of France?")], sampling: .init(maxTokens: 16))
        for _ in 0..<50 { _ = try await model.respond(to: request) }  // warm-up

        var latencies: [Double] = []
        latencies.reserveCapacity(requests)
        let requestCPU = processCPUMicroseconds()
        for _ in 0..<requests {
            let start = ContinuousClock.now
            _ = try await model.respond(to: request)
            latencies.append(microseconds(ContinuousClock.now - start))
        }

        let cpuPerRequest = (processCPUMicroseconds() - requestCPU) / Double(requests)

        var perChunk: [Double] = []
        var streamCPU = 0.0
        var streaming = request
        streaming.sampling.maxTokens = chunks
        for run in 0..<(streamRuns + 3) {
            let cpuStart = processCPUMicroseconds()
            let start = ContinuousClock.now
            var count = 0
            for try await delta in model.stream(streaming) where !delta.text.isEmpty { count += 1 }
            let elapsed = microseconds(ContinuousClock.now - start)
            precondition(count == chunks, "expected \(chunks) chunks, got \(count)")
            if run >= 3 {
                perChunk.append(elapsed / Double(chunks))
                streamCPU += processCPUMicroseconds() - cpuStart
            }
        }
        let result: [String: Any] = [
            "client": "troupe OpenAICompatibleModel (libcurl)",
            "request_p50_us": percentile(latencies, 50), "request_p99_us": percentile(latencies, 99),
            "chunk_p50_us": percentile(perChunk, 50), "chunk_p99_us": percentile(perChunk, 99),
            "request_cpu_us": cpuPerRequest, "chunk_cpu_us": streamCPU / Double(streamRuns * chunks),
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// User + system CPU time of the whole process (all threads), in microseconds.
    static func processCPUMicroseconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }

    static func microseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) * 1e-12
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))
        return sorted[index]
    }
}
