import Foundation
import TroupeCore
import Synchronization

/// The embedded local model: SmolLM2 (or any llama-architecture GGUF) run by
/// Troupe's own kernel, offline, on this machine's cores.
///
/// ```swift
/// let model = try LocalModel()                    // local/smollm2-135m
/// let reply = try await model.respond(to: ChatRequest(messages: [.user("Hi")], sampling: .greedy))
/// for try await delta in model.stream(request) { print(delta.text, terminator: "") }
/// ```
///
/// Every `LocalModel` on one file shares one ``LocalRuntime``: the weights
/// are mapped once and concurrent requests are batched into the same forward
/// passes; each request's tokens are the same as if it ran alone. A later
/// turn of a conversation reuses the cached prefix of the earlier one.
///
/// Sampling follows the request: temperature 0 is greedy, a seed makes
/// sampling repeatable (an unseeded request uses a fixed seed, so runs
/// replay). Generation ends at an end-of-generation token (`stop`), a stop
/// sequence (`stop`, the sequence itself left out), or `maxTokens` (`length`).
/// Cancelling the calling task, or dropping the stream, stops the compute for
/// the request and throws `CancellationError`.
///
/// `responseFormat` and tools use guided decoding: the output is JSON valid
/// for the schema, or a valid call of a listed tool returned in `toolCalls`
/// (see `LocalModel+Guidance.swift` for the `toolChoice` policy). A schema
/// guided decoding cannot enforce fails the request with a ``GuidanceError``.
public struct LocalModel: ChatModel {
    /// The id of the default model.
    public static let defaultID: ModelID = "local/smollm2-135m"
    /// Tokens generated when a request sets no `maxTokens`.
    public static let defaultMaxTokens = 512

    public let id: ModelID
    public let runtime: LocalRuntime

    /// The shared runtime for `url` (the default model when `nil`).
    public init(url: URL? = nil) throws {
        try self.init(runtime: LocalRuntime.shared(url: url))
    }

    public init(runtime: LocalRuntime) {
        self.runtime = runtime
        id = runtime.modelID
    }

    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        let start = ContinuousClock.now
        var accumulator = ChatDeltaAccumulator()
        for try await delta in stream(request) { accumulator.add(delta) }
        // A cancelled task ends the stream early instead of making it throw.
        try Task.checkCancellation()
        let elapsed = ContinuousClock.now - start
        return accumulator.response(
            latency: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
            model: id)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let runtime = self.runtime
        let guidance: Guidance
        do {
            guidance = try self.guidance(for: request)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let prompt = runtime.promptTokens(for: guidance.messages)
        // A tool call is held back and returned whole as a call, not streamed as text.
        let constraint = guidance.constraint
        let holdsText: @Sendable () -> Bool = { guidance.mayCallTool && constraint?.choseText != true }
        let held = Mutex("")
        let room = runtime.transformer.contextLength - prompt.count
        let maxTokens = Swift.min(request.sampling.maxTokens ?? Self.defaultMaxTokens, Swift.max(0, room))
        let sampler = Sampler(request.sampling)
        let assembler = Mutex(TextAssembler(tokenizer: runtime.tokenizer, stops: request.sampling.stop))
        let generated = Atomic<Int>(0)

        return AsyncThrowingStream { continuation in
            let job = GenerationJob(
                prompt: prompt, sampler: sampler, maxTokens: maxTokens, constraint: constraint,
                onToken: { token in
                    generated.add(1, ordering: .relaxed)
                    let (text, stopped) = assembler.withLock { a in (a.append(token), a.stopped) }
                    if holdsText() {
                        held.withLock { $0 += text }
                    } else if !text.isEmpty {
                        continuation.yield(ChatDelta(text: text))
                    }
                    return !stopped
                },
                onFinish: { ending in
                    let count = generated.load(ordering: .relaxed)
                    let reason: FinishReason
                    switch ending {
                    case .cancelled:
                        return continuation.finish(throwing: CancellationError())
                    case .failed(let error):
                        return continuation.finish(throwing: error)
                    case .endOfGeneration:
                        reason = .stop
                    case .stoppedByConsumer:
                        reason = .stop
                    case .length:
                        reason = .length
                    }
                    let tail = assembler.withLock { $0.flush() }
                    let usage = TokenUsage(inputTokens: prompt.count, outputTokens: count)
                    if holdsText() {
                        let text = held.withLock { $0 } + tail
                        if let call = Self.toolCall(from: text, salt: prompt.count) {
                            continuation.yield(ChatDelta(
                                toolCalls: [ToolCallDelta(index: 0, id: call.id, name: call.name,
                                                          argumentsFragment: call.arguments)],
                                finishReason: .toolCalls, usage: usage))
                        } else {
                            // Cut short by maxTokens: the unfinished call is returned as text.
                            continuation.yield(ChatDelta(text: text, finishReason: reason, usage: usage))
                        }
                        return continuation.finish()
                    }
                    continuation.yield(ChatDelta(text: tail, finishReason: reason, usage: usage))
                    continuation.finish()
                })
            continuation.onTermination = { _ in job.cancel() }
            runtime.engine.submit(job)
        }
    }
}
