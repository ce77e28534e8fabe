import Foundation
import Synchronization
import TroupeCore

/// A model behind an OpenAI-compatible Chat Completions endpoint (OpenAI, Azure,
/// Ollama, vLLM, llama.cpp's server, LM Studio, OpenRouter…), spoken over libcurl.
///
/// ```swift
/// let model = try OpenAICompatibleModel(endpoint: .openAI(environment: env), model: "gpt-4o-mini")
/// let reply = try await model.respond(to: ChatRequest(messages: [.user("Hello")]))
/// for try await delta in model.stream(request) { print(delta.text, terminator: "") }
/// ```
///
/// - Concurrency: a value, safe to share across tasks. Transfers run on one dedicated
///   curl thread (``CurlLoop``), never on the cooperative pool; connections are kept
///   alive and reused across calls.
/// - Cancellation: cancelling the calling task (or dropping the stream) removes the
///   transfer at once and throws `CancellationError`.
/// - Errors: ``ModelError``, classified for retry and fallback policies.
/// - Secrets: the API key is read from the environment when the model is created and
///   kept inside; printing or mirroring the model never shows it.
public struct OpenAICompatibleModel: ChatModel, CustomStringConvertible, CustomReflectable {
    /// `ENDPOINT/MODEL`, e.g. `openai/gpt-4o-mini`.
    public let id: ModelID
    /// Where requests go, and the limits configured for that endpoint.
    public let endpoint: Endpoint
    /// The model name sent in each request.
    public let modelName: String

    private let credentials: Credentials
    private let encoder: ChatCompletionsEncoder
    private let loop: CurlLoop

    /// A model on `endpoint`, named `model` (or the endpoint's default model), with the
    /// key read from `environment[endpoint.apiKeyEnv]`.
    public init(endpoint: Endpoint, model: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(ModelError) {
        try self.init(endpoint: endpoint, model: model,
                      credentials: Credentials(endpoint: endpoint, environment: environment))
    }

    /// A model at `baseURL` with a key given directly (for apps that hold keys themselves).
    public init(baseURL: String, model: String, apiKey: String?, headers: [String: String] = [:],
                endpointName: String = "custom") throws(ModelError) {
        try self.init(endpoint: Endpoint(name: endpointName, baseURL: baseURL), model: model,
                      credentials: Credentials(apiKey: apiKey, headers: headers))
    }

    init(endpoint: Endpoint, model: String?, credentials: Credentials) throws(ModelError) {
        guard let name = model ?? endpoint.model, !name.isEmpty else {
            throw .invalidConfiguration(endpoint: endpoint.name,
                                        detail: "no model named; write '\(endpoint.name):MODEL' or set \"model\" for the endpoint")
        }
        let base = endpoint.baseURL.lowercased()
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw .invalidConfiguration(endpoint: endpoint.name,
                                        detail: "baseURL must start with http:// or https:// (got '\(endpoint.baseURL)')")
        }
        self.endpoint = endpoint
        self.modelName = name
        self.id = ModelID("\(endpoint.name)/\(name)")
        self.credentials = credentials
        self.encoder = ChatCompletionsEncoder(model: name, extendedSampling: endpoint.resolvedExtendedSampling,
                                              streamUsage: endpoint.streamUsage ?? true,
                                              maxTokensField: endpoint.resolvedMaxTokensField)
        self.loop = CurlLoop.shared
    }

    /// Sends the request without streaming and returns the whole answer.
    public func respond(to request: ChatRequest) async throws -> ChatResponse {
        let started = ContinuousClock.now
        let spec = httpRequest(body: encoder.encode(request, stream: false), streaming: false)
        let context = self.context
        let loop = self.loop
        let holder = TransferHolder()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let sink = CompletionSink(context: context, started: started, continuation: continuation)
                let transfer = CurlTransfer(request: spec, sink: sink, loop: loop)
                holder.set(transfer)
                transfer.start()
            }
        } onCancel: {
            holder.cancel()
        }
    }

    /// Sends the request with `stream: true`; deltas arrive as the server sends them,
    /// then a last delta with the finish reason and (if the server reports it) usage.
    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let spec = httpRequest(body: encoder.encode(request, stream: true), streaming: true)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ChatDelta.self)
        let sink = StreamSink(context: context, continuation: continuation)
        let transfer = CurlTransfer(request: spec, sink: sink, loop: loop)
        continuation.onTermination = { termination in
            // Only a consumer that went away stops the transfer; a finished stream may
            // still be draining its last bytes, and aborting would close the connection.
            if case .cancelled = termination { transfer.cancel() }
        }
        transfer.start()
        return stream
    }

    public var description: String { "OpenAICompatibleModel(\(id), \(endpoint.chatCompletionsURL))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["id": id, "endpoint": endpoint, "modelName": modelName], displayStyle: .struct)
    }

    // MARK: - Private

    private var context: RequestContext {
        RequestContext(endpoint: endpoint.name, url: endpoint.chatCompletionsURL, model: modelName,
                       modelID: id, credentials: credentials)
    }

    private func httpRequest(body: [UInt8], streaming: Bool) -> HTTPRequestSpec {
        var headers = ["Content-Type: application/json",
                       streaming ? "Accept: text/event-stream" : "Accept: application/json"]
        headers.append(contentsOf: credentials.headerLines)
        return HTTPRequestSpec(url: endpoint.chatCompletionsURL, headerLines: headers, body: body,
                               connectTimeout: endpoint.connectTimeout ?? 10,
                               totalTimeout: endpoint.timeout ?? 600,
                               idleTimeout: endpoint.idleTimeout ?? 120)
    }
}

/// Hands the transfer created inside a continuation to a cancellation handler that may
/// run before, during or after its creation.
private final class TransferHolder: Sendable {
    private let state = Mutex<(transfer: CurlTransfer?, cancelled: Bool)>((nil, false))

    func set(_ transfer: CurlTransfer) {
        let cancelled = state.withLock { state -> Bool in
            state.transfer = transfer
            return state.cancelled
        }
        if cancelled { transfer.cancel() }
    }

    func cancel() {
        let transfer = state.withLock { state -> CurlTransfer? in
            state.cancelled = true
            return state.transfer
        }
        transfer?.cancel()
    }
}
