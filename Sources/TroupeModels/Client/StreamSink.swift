import TroupeCore

/// Parses a streamed response as its bytes arrive and yields each ``ChatDelta`` to the
/// consumer's `AsyncThrowingStream`. Runs on the curl thread (see ``TransferSink``).
///
/// The body is parsed incrementally (SSE events may be split anywhere); a stream is
/// complete at `[DONE]` or once a finish reason arrived. A server that ignores
/// `stream: true` and answers plain JSON is accepted: its answer becomes one delta.
final class StreamSink: TransferSink, @unchecked Sendable {
    private enum Mode {
        case events
        case json
        case errorBody(HTTPResponseHead)
    }

    private let context: RequestContext
    private let continuation: AsyncThrowingStream<ChatDelta, any Error>.Continuation
    private var mode = Mode.events
    private var parser = SSEParser()
    private var buffer: [UInt8] = []
    private var eventsReceived = 0
    private var sawDone = false
    private var sawFinish = false
    private var failure: ModelError?

    init(context: RequestContext, continuation: AsyncThrowingStream<ChatDelta, any Error>.Continuation) {
        self.context = context
        self.continuation = continuation
    }

    func receive(head: HTTPResponseHead) -> Bool {
        guard (200..<300).contains(head.status) else {
            mode = .errorBody(head)
            return true
        }
        let type = head.contentType ?? ""
        if CompletionSink.isEventStream(type) {
            mode = .events
        } else if CompletionSink.isJSON(type) {
            mode = .json
        } else {
            failure = context.wrongContentType(head.contentType, expected: "text/event-stream")
            return false
        }
        return true
    }

    func receive(body bytes: UnsafeRawBufferPointer) -> Bool {
        switch mode {
        case .events:
            if sawDone { return true }  // trailing bytes after [DONE] are ignored
            let keepGoing = parser.feed(bytes, onEvent: handleEvent)
            if parser.overflowed { failure = context.malformed("an event line exceeds 8 MiB") }
            return keepGoing || sawDone
        case .json:
            guard buffer.count + bytes.count <= CompletionSink.maximumBody else {
                failure = context.malformed("the body exceeds \(CompletionSink.maximumBody >> 20) MiB")
                return false
            }
            buffer.append(contentsOf: bytes)
            return true
        case .errorBody:
            if buffer.count < 64 << 10 { buffer.append(contentsOf: bytes) }
            return true
        }
    }

    func finish(_ outcome: TransferOutcome) {
        if outcome.cancelled {
            continuation.finish(throwing: CancellationError())
            return
        }
        if let failure {
            continuation.finish(throwing: failure)
            return
        }
        switch mode {
        case .errorBody(let head):
            let error = buffer.withUnsafeBytes {
                context.httpError(status: head.status, headers: head.headers, body: $0)
            }
            continuation.finish(throwing: error)
        case .json:
            finishJSON(outcome)
        case .events:
            if !sawDone, outcome.code == 0 || outcome.code == 18 {
                parser.finish(onEvent: handleEvent)  // a last event without its blank line
                if let failure {
                    continuation.finish(throwing: failure)
                    return
                }
            }
            if sawDone || sawFinish {
                continuation.finish()
            } else if outcome.code != 0 {
                continuation.finish(throwing: context.transportError(outcome, streaming: true,
                                                                     eventsReceived: eventsReceived))
            } else {
                continuation.finish(throwing: ModelError.truncatedStream(
                    endpoint: context.endpoint, url: context.url, eventsReceived: eventsReceived,
                    detail: "the server closed the stream cleanly but early"))
            }
        }
    }

    private func handleEvent(_ name: String?, _ data: UnsafeRawBufferPointer) -> Bool {
        eventsReceived += 1
        if data.count == 6, data.elementsEqual("[DONE]".utf8) {
            sawDone = true
            // The answer is complete: release the consumer now rather than when the server
            // ends the body; the transfer drains in the background and keeps its connection.
            continuation.finish()
            return false
        }
        switch ChatCompletionsDecoder.chunk(from: data) {
        case .delta(let delta)?:
            if delta.finishReason != nil { sawFinish = true }
            if !delta.text.isEmpty || !delta.toolCalls.isEmpty || delta.finishReason != nil || delta.usage != nil {
                continuation.yield(delta)
            }
            return true
        case .error(let message)?:
            failure = context.streamError(message)
            return false
        case nil:
            if name == "ping" || data.isEmpty { return true }  // keep-alive events some servers send
            failure = context.malformed("event \(eventsReceived) is not valid JSON")
            return false
        }
    }

    private func finishJSON(_ outcome: TransferOutcome) {
        guard outcome.code == 0 else {
            continuation.finish(throwing: context.transportError(outcome, streaming: false, eventsReceived: 0))
            return
        }
        do {
            let response = try buffer.withUnsafeBytes { bytes in
                try ChatCompletionsDecoder.response(from: bytes, model: context.modelID)
            }
            continuation.yield(ChatDelta(whole: response))
            continuation.finish()
        } catch {
            continuation.finish(throwing: context.decodeError(error))
        }
    }
}
