import Foundation

/// The outcome of ``LocalRuntime/generate(prompt:sampler:maxTokens:)``, in the
/// reference file's vocabulary.
public struct Generation: Sendable, Hashable, Codable {
    /// Why generation ended: `eos` (an end-of-generation token, included in the ids) or `length`.
    public enum StopReason: String, Sendable, Hashable, Codable {
        case eos
        case length
    }
    public var promptTokenIDs: [Int32]
    public var generatedTokenIDs: [Int32]
    /// The generated text, control tokens left out.
    public var generatedText: String
    public var stopReason: StopReason

    enum CodingKeys: String, CodingKey {
        case promptTokenIDs = "prompt_token_ids"
        case generatedTokenIDs = "generated_token_ids"
        case generatedText = "generated_text"
        case stopReason = "stop_reason"
    }
}

extension LocalRuntime {
    /// Generates from raw prompt token ids, calling `onToken` (on the compute
    /// thread) with each new id as it comes.
    /// A `constraint` (guided decoding) limits which tokens may be chosen.
    public func generate(prompt: [Int32], sampler: Sampler, maxTokens: Int,
                         constraint: (any TokenConstraint)? = nil,
                         onToken: @escaping @Sendable (Int32) -> Void = { _ in }) async throws -> Generation {
        let tokenizer = self.tokenizer
        let job = JobBox()
        let ids: ([Int32], GenerationJob.Ending) = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let collected = TokenBox()
                let generation = GenerationJob(
                    prompt: prompt, sampler: sampler, maxTokens: maxTokens, constraint: constraint,
                    onToken: { token in
                        collected.tokens.append(token)
                        onToken(token)
                        return true
                    },
                    onFinish: { ending in
                        switch ending {
                        case .cancelled: continuation.resume(throwing: CancellationError())
                        case .failed(let error): continuation.resume(throwing: error)
                        default: continuation.resume(returning: (collected.tokens, ending))
                        }
                    })
                job.job = generation
                engine.submit(generation)
            }
        } onCancel: {
            job.job?.cancel()
        }
        return Generation(promptTokenIDs: prompt, generatedTokenIDs: ids.0,
                          generatedText: tokenizer.decode(ids.0),
                          stopReason: ids.1 == .endOfGeneration ? .eos : .length)
    }

    /// Teacher-forced top-`top` logits at every position from the last prompt token on
    /// (see ``Transformer/score(prompt:continuation:top:)``), computed on the engine's thread.
    public func score(prompt: [Int32], continuation: [Int32], top: Int) async throws -> [[TokenLogit]] {
        try await engine.perform { try $0.score(prompt: prompt, continuation: continuation, top: top) }
    }
}

/// Tokens collected on the compute thread, read once the job finishes.
private final class TokenBox: @unchecked Sendable {
    var tokens: [Int32] = []
}

/// The job a cancellation handler cancels; set before the job is submitted.
private final class JobBox: @unchecked Sendable {
    var job: GenerationJob?
}
