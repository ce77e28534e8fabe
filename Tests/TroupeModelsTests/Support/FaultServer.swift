import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

/// What the fault-injecting server does with one request.
enum Fault: Sendable {
    /// 200 with a complete JSON completion whose text is `text`.
    case ok(text: String)
    /// 200 streamed as SSE: `pieces` as content deltas, each event split into `split`-byte writes.
    case stream(pieces: [String], split: Int = 0)
    /// A streamed tool call whose arguments arrive in `fragments`.
    case streamToolCall(name: String, fragments: [String])
    /// An error status with an OpenAI-style error body.
    case status(Int, message: String, headers: [String: String] = [:])
    /// 429 with `Retry-After: seconds`.
    case rateLimited(retryAfter: Int)
    /// Headers promise a body, then the connection is closed.
    case dropAfterHeaders
    /// The handler does not answer for ``FaultServer/hangSeconds`` (or until the server stops).
    case hang
    /// A stream that sends `events` content deltas and then breaks the connection.
    case truncatedStream(events: Int)
    /// 200 `application/json` whose body is not JSON.
    case malformedJSON
    /// 200 `text/html`, as a proxy's login page would.
    case wrongContentType
    /// 200 with exactly this body and content type (recorded wire samples).
    case raw(contentType: String, body: String)
    /// 200 JSON even when the request asked for a stream (servers that ignore `stream`).
    case plainJSON(text: String)
    /// A complete stream, `[DONE]` included, whose body then never ends.
    case doneThenHang(pieces: [String])
    /// A stream whose events trickle out `interval` seconds apart.
    case slowDrip(pieces: [String], interval: Double)
}

/// An OpenAI-compatible server on 127.0.0.1 (port chosen by the system) that plays
/// a script of faults, one per request, then answers `ok` once the script runs out.
///
/// Built on FlyingFox, so its HTTP/1.1 framing, keep-alive and chunked streaming are
/// a real server's. Every request's headers and body are recorded for assertions.
///
/// Hangs and stalls last far longer (``hangSeconds``) than any bound a test asserts, so
/// on a loaded machine a test still tells "the client cut it" from "the server ended it".
final class FaultServer: Sendable {
    /// How long `.hang` and the stall of `.doneThenHang` last.
    static let hangSeconds = 300.0

    private let server: HTTPServer
    private let task: Task<Void, any Error>
    private let script: Mutex<[Fault]>
    private let fallback: @Sendable (Int) -> Fault
    private let recorded = Mutex<[RecordedRequest]>([])
    private let bodies = BodyCounter()
    let port: UInt16

    struct RecordedRequest: Sendable {
        var path: String
        /// The client's port: equal ports mean one kept-alive connection.
        var peerPort: UInt16?
        var headers: [String: String]
        var body: Data
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        }
    }

    /// Starts a server playing `script`, then `fallback(requestNumber)` for later requests.
    static func start(script: [Fault] = [],
                      fallback: @escaping @Sendable (Int) -> Fault = { _ in .ok(text: "fine") }) async throws -> FaultServer {
        // FlyingFox answers 500 to a handler slower than `timeout`: keep it out of the way of hangs.
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: hangSeconds * 2,
                                logger: .disabled)
        let task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 30)
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            task.cancel()
            throw SocketError.unsupportedAddress
        }
        let instance = FaultServer(server: server, task: task, port: port, script: script, fallback: fallback)
        await server.appendRoute("POST /v1/chat/completions") { [instance] request in
            try await instance.handle(request)
        }
        return instance
    }

    private init(server: HTTPServer, task: Task<Void, any Error>, port: UInt16, script: [Fault],
                 fallback: @escaping @Sendable (Int) -> Fault) {
        self.server = server
        self.task = task
        self.port = port
        self.script = Mutex(script)
        self.fallback = fallback
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    var requests: [RecordedRequest] { recorded.withLock { $0 } }

    /// Scripted response bodies being written now: a body leaves this count when it
    /// ends or when the server finds that the client hung up.
    var bodiesInProgress: Int { bodies.current }

    func enqueue(_ faults: [Fault]) {
        script.withLock { $0.append(contentsOf: faults) }
    }

    func stop() async {
        await server.stop(timeout: 0)
        task.cancel()
    }

    // MARK: - Playing faults

    private func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try await request.bodyData
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        let number = recorded.withLock { list -> Int in
            var peer: UInt16?
            if case .ip4(_, let port)? = request.remoteAddress { peer = port }
            list.append(RecordedRequest(path: request.path, peerPort: peer, headers: headers, body: body))
            return list.count
        }
        let fault = script.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? fallback(number)
        let streaming = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["stream"] as? Bool ?? false
        return try await respond(to: fault, streaming: streaming)
    }

    private func respond(to fault: Fault, streaming: Bool) async throws -> HTTPResponse {
        switch fault {
        case .ok(let text):
            if streaming { return sse(Self.contentEvents(text.split(separator: " ", omittingEmptySubsequences: false)
                .enumerated().map { $0.offset == 0 ? String($0.element) : " " + $0.element })) }
            return json(200, Self.completion(text: text))
        case .stream(let pieces, let split):
            return sse(Self.contentEvents(pieces), split: split)
        case .streamToolCall(let name, let fragments):
            return sse(Self.toolCallEvents(name: name, fragments: fragments), split: 7)
        case .status(let code, let message, let headers):
            var response = json(code, #"{"error":{"message":"\#(message)","type":"test_error"}}"#)
            for (name, value) in headers { response.headers[HTTPHeader(name)] = value }
            return response
        case .rateLimited(let seconds):
            var response = json(429, #"{"error":{"message":"Rate limit reached","type":"rate_limit"}}"#)
            response.headers[HTTPHeader("Retry-After")] = String(seconds)
            return response
        case .dropAfterHeaders:
            let body = ScriptedBody(steps: [.fail], counter: bodies)
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"],
                                body: HTTPBodySequence(from: body, count: 500))
        case .hang:
            try await Task.sleep(for: .seconds(Self.hangSeconds))
            return json(200, Self.completion(text: "too late"))
        case .truncatedStream(let events):
            let pieces = (0..<events).map { "part\($0) " }
            let steps = Self.contentEvents(pieces, finish: false).map { ScriptedBody.Step.bytes(Array($0.utf8)) }
            return streamResponse(steps + [.fail])
        case .raw(let contentType, let body):
            if contentType.hasPrefix("text/event-stream") {
                return streamResponse(Array(body.utf8).chunked(by: 61).map { .bytes($0) })
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: contentType], body: Data(body.utf8))
        case .plainJSON(let text):
            return json(200, Self.completion(text: text))
        case .malformedJSON:
            return json(200, #"{"id":"x","choices":[{"index":0,"message":{"content":"unterminated"#)
        case .wrongContentType:
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/html"],
                                body: Data("<html><body>Sign in</body></html>".utf8))
        case .doneThenHang(let pieces):
            return streamResponse([.bytes(Array(Self.contentEvents(pieces).joined().utf8)), .pause(Self.hangSeconds)])
        case .slowDrip(let pieces, let interval):
            var steps: [ScriptedBody.Step] = []
            for event in Self.contentEvents(pieces) {
                steps.append(.pause(interval))
                steps.append(.bytes(Array(event.utf8)))
            }
            return streamResponse(steps)
        }
    }

    private func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Status \(status)"),
                     headers: [.contentType: "application/json"], body: Data(body.utf8))
    }

    private func sse(_ events: [String], split: Int = 0) -> HTTPResponse {
        let bytes = Array(events.joined().utf8)
        guard split > 0 else { return streamResponse([.bytes(bytes)]) }
        var steps: [ScriptedBody.Step] = []
        var index = 0
        while index < bytes.count {
            let end = Swift.min(index + split, bytes.count)
            steps.append(.bytes(Array(bytes[index..<end])))
            index = end
        }
        return streamResponse(steps)
    }

    private func streamResponse(_ steps: [ScriptedBody.Step]) -> HTTPResponse {
        HTTPResponse(statusCode: .ok,
                     headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
                     body: HTTPBodySequence(from: ScriptedBody(steps: steps, counter: bodies)))
    }

    // MARK: - Wire text

    static func completion(text: String) -> String {
        #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"test","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}"#
    }

    static func chunk(_ delta: String, finish: String? = nil) -> String {
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        return #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"test","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(reason)}]}"# + "\n\n"
    }

    static func contentEvents(_ pieces: [String], finish: Bool = true) -> [String] {
        var events = [": keep-alive\n\n", chunk(#"{"role":"assistant"}"#)]
        for piece in pieces {
            let escaped = piece.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            events.append(chunk(#"{"content":"\#(escaped)"}"#))
        }
        if finish {
            events.append(chunk("{}", finish: "stop"))
            events.append(#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"test","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":\#(pieces.count),"total_tokens":\#(5 + pieces.count)}}"# + "\n\n")
            events.append("data: [DONE]\n\n")
        }
        return events
    }

    static func toolCallEvents(name: String, fragments: [String]) -> [String] {
        var events = [chunk(#"{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"\#(name)","arguments":""}}]}"#)]
        for fragment in fragments {
            let escaped = fragment.replacingOccurrences(of: "\"", with: "\\\"")
            events.append(chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"\#(escaped)"}}]}"#))
        }
        events.append(chunk("{}", finish: "tool_calls"))
        events.append("data: [DONE]\n\n")
        return events
    }
}

/// A response body played step by step: bytes, pauses, and a failure that makes
/// FlyingFox close the socket mid-body.
struct ScriptedBody: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8

    enum Step: Sendable {
        case bytes([UInt8])
        case pause(Double)
        case fail
    }

    struct BrokenBody: Error {}

    let steps: [Step]
    let counter: BodyCounter

    func makeAsyncIterator() -> Iterator { Iterator(steps: steps[...], lease: counter.lease()) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var steps: ArraySlice<Step>
        /// Held while the server writes this body: released when FlyingFox drops the iterator.
        let lease: BodyCounter.Lease
        var pending: ArraySlice<UInt8> = []

        mutating func next() async throws -> UInt8? {
            guard let buffer = try await nextBuffer(suggested: 1) else { return nil }
            return buffer.first
        }

        mutating func nextBuffer(suggested count: Int) async throws -> ArraySlice<UInt8>? {
            while pending.isEmpty {
                guard let step = steps.popFirst() else { return nil }
                switch step {
                case .bytes(let bytes): pending = bytes[...]
                case .pause(let seconds): try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                case .fail: throw BrokenBody()
                }
            }
            let take = Swift.min(Swift.max(1, count), pending.count)
            let chunk = pending.prefix(take)
            pending = pending.dropFirst(take)
            return chunk
        }
    }
}

/// Counts the scripted bodies whose iterators are alive.
final class BodyCounter: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .acquiring) }

    func lease() -> Lease { Lease(self) }

    final class Lease: Sendable {
        private let counter: BodyCounter
        init(_ counter: BodyCounter) {
            self.counter = counter
            counter.count.add(1, ordering: .acquiringAndReleasing)
        }
        deinit { counter.count.subtract(1, ordering: .acquiringAndReleasing) }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(by size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
