import Foundation
import Synchronization

/// Serves many sequences on one ``Transformer`` from a dedicated compute thread.
///
/// Each step runs one forward pass over the weights for every active sequence:
/// the next token of each sequence that is generating, plus a slice of the
/// prompt of each that is still reading it (continuous batching). Products are
/// batch-invariant, so a sequence's tokens are the same alone or in company.
///
/// Finished sequences leave their ``KVCache`` in a small pool; a new prompt
/// that starts with the same tokens (the next turn of a conversation) reuses
/// the longest matching cache and computes only what is new.
///
/// ```swift
/// let engine = InferenceEngine(transformer: model)
/// engine.submit(GenerationJob(prompt: ids, sampler: .greedy, maxTokens: 64,
///                             onToken: { print($0); return true }, onFinish: { print($0) }))
/// ```
///
/// Concurrency: `submit` may be called from any thread; callbacks run on the
/// compute thread and must return quickly. Cancelling a job stops its compute
/// at the next step. The thread lives as long as the engine.
public final class InferenceEngine: @unchecked Sendable {
    public let transformer: Transformer
    /// Finished caches kept for prefix reuse, at most.
    public let reusableCaches: Int
    /// Memory the kept caches may hold together, in bytes.
    public let reusableBytes: Int

    private struct Active {
        var job: GenerationJob
        var cache: KVCache
        /// Prompt tokens not yet fed.
        var pending: ArraySlice<Int32>
        /// The token to feed next once the prompt is read.
        var next: Int32?
        var generated = 0
    }

    private struct State {
        var incoming: [GenerationJob] = []
        var tasks: [@Sendable () -> Void] = []
        var idle: [KVCache] = []     // most recently used last
        var stopping = false
    }

    private let state = Mutex(State())
    private let wake = NSCondition()
    /// Tokens a step may take from prompts (decode tokens always fit).
    private let prefillBudget: Int

    /// Counts of work done, for tests and benchmarks.
    public struct Statistics: Sendable, Hashable {
        public var steps = 0
        public var promptTokensComputed = 0
        public var promptTokensReused = 0
        public var generatedTokens = 0
    }
    private let stats = Mutex(Statistics())
    public var statistics: Statistics { stats.withLock { $0 } }

    /// Tokens that end a sequence (the tokenizer's end-of-generation set).
    public let endOfGeneration: Set<Int32>

    /// Starts the compute thread. It keeps the engine alive until ``shutdown()``.
    public init(transformer: Transformer, endOfGeneration: Set<Int32>, reusableCaches: Int = 8,
                reusableBytes: Int = 32 << 20) {
        self.reusableBytes = reusableBytes
        self.transformer = transformer
        self.endOfGeneration = endOfGeneration
        self.reusableCaches = reusableCaches
        prefillBudget = transformer.maxBatch
        let thread = Thread { self.run() }
        thread.name = "troupe.kernel"
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Queues a job; its callbacks start on the compute thread.
    public func submit(_ job: GenerationJob) {
        guard !job.prompt.isEmpty else { return job.onFinish(.failed(.emptyInput(what: "the prompt"))) }
        guard job.maxTokens > 0 else { return job.onFinish(.length) }
        state.withLock { $0.incoming.append(job) }
        wake.lock(); wake.signal(); wake.unlock()
    }

    /// Runs `body` with the transformer on the compute thread, between two steps,
    /// so direct forward passes (scoring, benchmarks) never overlap the engine's.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (Transformer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let transformer = self.transformer
            state.withLock { $0.tasks.append({ continuation.resume(with: Result { try body(transformer) }) }) }
            wake.lock(); wake.signal(); wake.unlock()
        }
    }

    /// Stops the compute thread after the current step; jobs still queued are cancelled.
    public func shutdown() {
        state.withLock { $0.stopping = true }
        wake.lock(); wake.signal(); wake.unlock()
    }

    // MARK: The compute thread

    private func run() {
        var active: [Active] = []
        let vocab = transformer.config.vocabularySize
        var logits = [Float](repeating: 0, count: vocab * 8)
        while true {
            let (incoming, tasks, stopping) = state.withLock { s in
                defer { s.incoming.removeAll(); s.tasks.removeAll() }
                return (s.incoming, s.tasks, s.stopping)
            }
            for task in tasks { task() }
            if stopping {
                for job in incoming { job.onFinish(.cancelled) }
                for a in active { a.job.onFinish(.cancelled) }
                return
            }
            for job in incoming {
                // A prompt that cannot fit fails alone instead of failing the whole batch.
                guard job.prompt.count < transformer.contextLength else {
                    job.onFinish(.failed(.contextFull(limit: transformer.contextLength)))
                    continue
                }
                active.append(admit(job))
            }

            active.removeAll { a in
                guard a.job.isCancelled else { return false }
                a.job.onFinish(.cancelled)
                retire(a.cache)
                return true
            }
            if active.isEmpty {
                wake.lock()
                while state.withLock({ $0.incoming.isEmpty && $0.tasks.isEmpty && !$0.stopping }) { wake.wait() }
                wake.unlock()
                continue
            }

            // One batch: every generating sequence's next token, then prompt slices.
            var batch: [Transformer.Token] = []
            var owners: [Int] = []      // active index of each token that wants logits
            for (i, a) in active.enumerated() where a.pending.isEmpty {
                if let next = a.next {
                    batch.append(.init(id: next, cache: a.cache, wantsLogits: true))
                    owners.append(i)
                }
            }
            var budget = prefillBudget
            for i in active.indices where !active[i].pending.isEmpty && budget > 0 {
                let take = Swift.min(budget, active[i].pending.count)
                let slice = active[i].pending.prefix(take)
                active[i].pending = active[i].pending.dropFirst(take)
                budget -= take
                for (k, id) in slice.enumerated() {
                    let last = active[i].pending.isEmpty && k == take - 1
                    batch.append(.init(id: id, cache: active[i].cache, wantsLogits: last))
                    if last { owners.append(i) }
                }
                stats.withLock { $0.promptTokensComputed += take }
            }
            if logits.count < owners.count * vocab { logits = [Float](repeating: 0, count: owners.count * vocab) }

            let failure = logits.withUnsafeMutableBufferPointer { buffer -> InferenceError? in
                do throws(InferenceError) { try transformer.forward(batch, logits: buffer.baseAddress); return nil } catch { return error }
            }
            if let error = failure {
                for a in active { a.job.onFinish(.failed(error)); retire(a.cache) }
                active.removeAll()
                continue
            }
            stats.withLock { $0.steps += 1 }

            var finished = Set<Int>()
            logits.withUnsafeMutableBufferPointer { buffer in
                for (row, i) in owners.enumerated() {
                    let a = active[i]
                    let rowLogits = UnsafeMutableBufferPointer(rebasing: buffer[(row * vocab)..<((row + 1) * vocab)])
                    if let constraint = a.job.constraint {
                        let room = Swift.min(a.job.maxTokens - a.generated, a.cache.limit - a.cache.tokens.count + 1)
                        constraint.mask(rowLogits, remainingTokens: room)
                    }
                    let token = a.job.sampler.withLock { $0.sample(rowLogits, history: a.cache.tokens) }
                    a.job.constraint?.accept(token)
                    active[i].generated += 1
                    stats.withLock { $0.generatedTokens += 1 }
                    let eog = a.job.stopsAtEndOfGeneration && endOfGeneration.contains(token)
                    let keepGoing = a.job.onToken(token)
                    if eog {
                        a.job.onFinish(.endOfGeneration); finished.insert(i)
                    } else if !keepGoing {
                        a.job.onFinish(.stoppedByConsumer); finished.insert(i)
                    } else if active[i].generated >= a.job.maxTokens {
                        a.job.onFinish(.length); finished.insert(i)
                    } else if a.cache.tokens.count >= a.cache.limit {
                        a.job.onFinish(.length); finished.insert(i)
                    } else {
                        active[i].next = token
                    }
                }
            }
            if !finished.isEmpty {
                for i in finished { retire(active[i].cache) }
                active = active.enumerated().filter { !finished.contains($0.offset) }.map(\.element)
            }
        }
    }

    /// Starts a job on the idle cache sharing the longest prefix with its prompt, or a new one.
    private func admit(_ job: GenerationJob) -> Active {
        let prompt = job.prompt
        let (cache, reused) = state.withLock { s -> (KVCache, Int) in
            var best: (index: Int, length: Int)?
            for (i, c) in s.idle.enumerated() {
                let n = c.commonPrefix(with: prompt)
                if n > 0, n > (best?.length ?? 0) { best = (i, n) }
            }
            if let best { return (s.idle.remove(at: best.index), best.length) }
            // No shared prefix: recycle the least recently used cache rather than
            // hold its memory idle while allocating more.
            if !s.idle.isEmpty { return (s.idle.removeFirst(), 0) }
            return (transformer.makeCache(), 0)
        }
        // The last prompt token is always fed, for its logits.
        let keep = Swift.min(reused, prompt.count - 1)
        cache.truncate(to: Swift.max(0, keep))
        stats.withLock { $0.promptTokensReused += Swift.max(0, keep) }
        return Active(job: job, cache: cache, pending: prompt[Swift.max(0, keep)...], next: nil)
    }

    private func retire(_ cache: KVCache) {
        state.withLock { s in
            s.idle.append(cache)
            // Oldest first out; the cache just finished is kept even if it alone is over budget.
            while s.idle.count > 1,
                  s.idle.count > reusableCaches || s.idle.reduce(0, { $0 + $1.allocatedBytes }) > reusableBytes {
                s.idle.removeFirst()
            }
        }
    }
}
