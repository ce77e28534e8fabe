import Foundation
import TroupeCore
import Synchronization

/// Everything a local model needs, loaded once per file and shared: the
/// memory-mapped weights, the tokenizer, the chat template and the engine
/// that serves every sequence on them.
///
/// ```swift
/// let runtime = try LocalRuntime.shared()          // the default model
/// let ids = runtime.promptTokens(for: [.user("Hi")])
/// ```
///
/// Concurrency: immutable after loading; the engine serialises compute on its
/// own thread. `shared` maps each file once per process, whatever the number
/// of ``LocalModel`` values or agents using it.
public final class LocalRuntime: Sendable {
    public let file: GGUFFile
    public let transformer: Transformer
    public let tokenizer: Tokenizer
    public let template: ChatTemplate
    public let engine: InferenceEngine

    /// Loads `url` with its own engine (prefer ``shared(url:threads:)``).
    public init(url: URL, threads: Int? = nil, isa: KernelISA = .default) throws {
        file = try GGUFFile(url: url)
        try file.validateForInference()
        transformer = try Transformer(file: file, threads: threads, isa: isa)
        tokenizer = try Tokenizer(file: file)
        template = ChatTemplate(file: file)
        engine = InferenceEngine(transformer: transformer, endOfGeneration: tokenizer.endOfGenerationIDs)
    }

    private static let loaded = Mutex<[String: LocalRuntime]>([:])

    /// The process-wide runtime for `url` (the default model when `nil`), loaded on first use.
    public static func shared(url: URL? = nil, threads: Int? = nil) throws -> LocalRuntime {
        let url = try url ?? ModelLocator().url(for: nil)
        let key = url.standardizedFileURL.resolvingSymlinksInPath().path
        // Loading holds the lock: two callers racing for one file must not map it twice.
        return try loaded.withLock { table in
            if let runtime = table[key] { return runtime }
            let runtime = try LocalRuntime(url: url, threads: threads)
            table[key] = runtime
            return runtime
        }
    }

    /// The token ids of `messages` rendered with the model's chat template, ready for a reply.
    public func promptTokens(for messages: [ChatMessage]) -> [Int32] {
        tokenizer.encode(template.render(messages: messages, addGenerationPrompt: true), parseSpecial: true)
    }

    /// The model's stable name: `local/smollm2-135m` for the default model, else `local/<file name>`.
    public var modelID: ModelID {
        let name = URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent
        if name == URL(fileURLWithPath: ModelLocator.defaultFileName).deletingPathExtension().lastPathComponent {
            return LocalModel.defaultID
        }
        return ModelID("local/\(name.lowercased())")
    }
}
