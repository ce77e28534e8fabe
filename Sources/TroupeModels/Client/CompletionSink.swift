import TroupeCore

/// Collects a non-streamed response and resumes the waiting `respond(to:)` call with
/// a ``ChatResponse`` or a typed error. Runs on the curl thread (see ``TransferSink``).
final class CompletionSink: TransferSink, @unchecked Sendable {
    /// Bodies larger than this are refused: no chat completion is that big.
    static let maximumBody = 64 << 20

    private let context: RequestContext
    private let started: ContinuousClock.Instant
    private var continuation: CheckedContinuation<ChatResponse, any Error>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var failure: ModelError?

    init(context: RequestContext, started: ContinuousClock.Instant,
         continuation: CheckedContinuation<ChatResponse, any Error>) {
        self.context = context
        self.started = started
        self.continuation = continuation
    }

    func receive(head: HTTPResponseHead) -> Bool {
        self.head = head
        if (200..<300).contains(head.status), let type = head.contentType,
           !Self.isJSON(type), !Self.isEventStream(type) {
            failure = context.wrongContentType(type, expected: "application/json")
            return false
        }
        return true
    }

    func receive(body bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= Self.maximumBody else {
            failure = context.malformed("the body exceeds \(Self.maximumBody >> 20) MiB")
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func finish(_ outcome: TransferOutcome) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: result(outcome))
    }

    private func result(_ outcome: TransferOutcome) -> Result<ChatResponse, any Error> {
        if outcome.cancelled { return .failure(CancellationError()) }
        if let failure { return .failure(failure) }
        if let head, !(200..<300).contains(head.status) {
            return .failure(body.withUnsafeBytes { context.httpError(status: head.status, headers: head.headers, body: $0) })
        }
        if outcome.code != 0 || head == nil {
            return .failure(context.transportError(outcome, streaming: false, eventsReceived: 0))
        }
        let latency = Self.seconds(ContinuousClock.now - started)
        if let type = head?.contentType, Self.isEventStream(type) {
            return accumulateEvents(latency: latency)  // a server that streams regardless
        }
        do {
            var response = try body.withUnsafeBytes { bytes in
                try ChatCompletionsDecoder.response(from: bytes, model: context.modelID)
            }
            response.latency = latency
            return .success(response)
        } catch {
            return .failure(context.decodeError(error))
        }
    }

    private func accumulateEvents(latency: Double) -> Result<ChatResponse, any Error> {
        var parser = SSEParser()
        var accumulator = ChatDeltaAccumulator()
        var failure: ModelError?
        let onEvent: (String?, UnsafeRawBufferPointer) -> Bool = { _, data in
            if data.elementsEqual("[DONE]".utf8) { return false }
            switch ChatCompletionsDecoder.chunk(from: data) {
            case .delta(let delta)?: accumulator.add(delta)
            case .error(let message)?: failure = self.context.streamError(message)
            case nil: failure = self.context.malformed("an event is not valid JSON")
            }
            return failure == nil
        }
        let complete = body.withUnsafeBytes { parser.feed($0, onEvent: onEvent) }
        if complete { parser.finish(onEvent: onEvent) }
        if let failure { return .failure(failure) }
        return .success(accumulator.response(latency: latency, model: context.modelID))
    }

    static func isJSON(_ contentType: String) -> Bool {
        contentType.lowercased().contains("json")
    }

    static func isEventStream(_ contentType: String) -> Bool {
        contentType.lowercased().contains("text/event-stream")
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
