import Foundation
@_spi(Benchmarks) import TroupeModels
import TroupeCore

/// Parses the same streamed chunk into a ChatDelta with libjansson (the client's path),
/// JSONSerialization and JSONDecoder, and prints nanoseconds per chunk (best of 5).
/// Time is the thread's CPU time, so other processes on a busy machine do not count.
enum JSONParsingBenchmark {
    /// A chunk shaped like llama.cpp's and OpenAI's: the hot path's typical input.
    static let chunk = Array(#"{"id": "chatcmpl-cb319908-3c1e-4843-83a5-333b133dd28b", "model": "smollm2", "created": 1795413365, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": " autumn"}, "logprobs": null, "finish_reason": null}]}"#.utf8)

    static func run(iterations: Int) {
        let data = Data(chunk)
        let decoder = JSONDecoder()
        let candidates: [(String, () -> ChatDelta?)] = [
            ("libjansson (TroupeModels)", { chunk.withUnsafeBytes { WireBenchmarks.decodeChunk($0) } }),
            ("JSONSerialization", { serialization(data) }),
            ("JSONDecoder", { try? decoder.decode(Chunk.self, from: data).delta }),
        ]
        do {
            var best = Double.infinity
            for _ in 0..<5 {
                let start = cpuNanoseconds()
                var sink = 0
                for _ in 0..<iterations { sink &+= chunk.withUnsafeBytes { WireBenchmarks.parseOnly($0) } ? 1 : 0 }
                best = min(best, (cpuNanoseconds() - start) / Double(iterations))
                precondition(sink == iterations)
            }
            print("\("json_loadb + free only".padding(toLength: 28, withPad: " ", startingAt: 0)) \(Int(best.rounded())) ns/chunk")
        }
        for (name, parse) in candidates {
            precondition(parse()?.text == " autumn", "\(name) decoded the chunk wrongly")
            var best = Double.infinity
            for _ in 0..<5 {
                let start = cpuNanoseconds()
                var sink = 0
                for _ in 0..<iterations { sink &+= parse()?.text.utf8.count ?? 0 }
                best = min(best, (cpuNanoseconds() - start) / Double(iterations))
                precondition(sink > 0)
            }
            print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(Int(best.rounded())) ns/chunk")
        }
    }

    static func cpuNanoseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1e9 + Double(time.tv_nsec)
    }

    static func serialization(_ data: Data) -> ChatDelta? {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        var delta = ChatDelta()
        if let choice = (root["choices"] as? [[String: Any]])?.first {
            let body = choice["delta"] as? [String: Any]
            delta.text = body?["content"] as? String ?? ""
            if let calls = body?["tool_calls"] as? [[String: Any]] {
                for (position, call) in calls.enumerated() {
                    let function = call["function"] as? [String: Any]
                    delta.toolCalls.append(ToolCallDelta(index: call["index"] as? Int ?? position, id: call["id"] as? String,
                                                         name: function?["name"] as? String,
                                                         argumentsFragment: function?["arguments"] as? String ?? ""))
                }
            }
            delta.finishReason = (choice["finish_reason"] as? String).flatMap(FinishReason.init(rawValue:))
        }
        if let usage = root["usage"] as? [String: Any] {
            delta.usage = TokenUsage(inputTokens: usage["prompt_tokens"] as? Int ?? 0,
                                     outputTokens: usage["completion_tokens"] as? Int ?? 0)
        }
        return delta
    }

    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                struct Call: Decodable {
                    struct Function: Decodable { var name: String?; var arguments: String? }
                    var index: Int?; var id: String?; var function: Function?
                }
                var content: String?
                var tool_calls: [Call]?
            }
            var delta: Delta?
            var finish_reason: String?
        }
        struct Usage: Decodable { var prompt_tokens: Int; var completion_tokens: Int }
        var choices: [Choice]
        var usage: Usage?

        var delta: ChatDelta {
            var delta = ChatDelta()
            if let choice = choices.first {
                delta.text = choice.delta?.content ?? ""
                delta.toolCalls = (choice.delta?.tool_calls ?? []).enumerated().map { position, call in
                    ToolCallDelta(index: call.index ?? position, id: call.id, name: call.function?.name,
                                  argumentsFragment: call.function?.arguments ?? "")
                }
                delta.finishReason = choice.finish_reason.flatMap(FinishReason.init(rawValue:))
            }
            delta.usage = usage.map { TokenUsage(inputTokens: $0.prompt_tokens, outputTokens: $0.completion_tokens) }
            return delta
        }
    }
}
