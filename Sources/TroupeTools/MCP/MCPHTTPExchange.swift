import CCurlShim
import Foundation
import Synchronization

/// One HTTP request to an MCP server, performed by libcurl on a thread of its own
/// (`curl_easy_perform` blocks there, never on Swift's cooperative pool), with the
/// response body handed on as it arrives — which is what lets an SSE answer be
/// parsed event by event.
///
/// `cancel()` may be called from anywhere; the transfer then stops at its next
/// callback (within ~100 ms even when no byte arrives) and `perform` throws.
final class MCPHTTPExchange: @unchecked Sendable {
    /// The status line and headers of the answer (names in lower case).
    struct Head: Sendable {
        var status: Int
        var headers: [String: String]
        var contentType: String { headers["content-type"]?.lowercased() ?? "" }
    }

    /// Why a transfer failed, in libcurl's words.
    struct Failure: Error, CustomStringConvertible {
        var code: Int
        var detail: String
        var cancelled: Bool
        var description: String { cancelled ? "the request was cancelled" : "\(detail) (curl error \(code))" }
    }

    private let url: String
    private let method: String
    private let headerLines: [String]
    private let body: Data
    private let connectTimeout: Duration
    private let onHead: @Sendable (Head) -> Void
    private let onBody: @Sendable (UnsafeRawBufferPointer) -> Void
    private let cancelled = Atomic<Bool>(false)

    // Transfer-thread state.
    private var headers: [String: String] = [:]
    private var head: Head?
    private var easy: UnsafeMutableRawPointer?

    init(url: String, method: String = "POST", headerLines: [String], body: Data = Data(),
         connectTimeout: Duration,
         onHead: @escaping @Sendable (Head) -> Void = { _ in },
         onBody: @escaping @Sendable (UnsafeRawBufferPointer) -> Void = { _ in }) {
        self.url = url
        self.method = method
        self.headerLines = headerLines
        self.body = body
        self.connectTimeout = connectTimeout
        self.onHead = onHead
        self.onBody = onBody
    }

    func cancel() { cancelled.store(true, ordering: .releasing) }

    /// Runs the transfer to its end; returns the head of the answer.
    func perform() async throws -> Head {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Head, any Error>) in
                let thread = Thread { [self] in continuation.resume(with: run()) }
                thread.name = "troupe.mcp.http"
                thread.start()
            }
        } onCancel: {
            cancel()
        }
    }

    // MARK: - Transfer thread

    private func run() -> Result<Head, any Error> {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else {
            return .failure(Failure(code: Int(CURLE_OUT_OF_MEMORY.rawValue), detail: "curl_easy_init failed",
                                    cancelled: false))
        }
        easy = handle
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        var list: UnsafeMutablePointer<curl_slist>?
        for line in headerLines + ["Expect:"] { list = curl_slist_append(list, line) }
        defer {
            curl_slist_free_all(list)
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            easy = nil
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        let timeout = connectTimeout.components
        let timeoutMilliseconds = max(1, Int(timeout.seconds) * 1000 + Int(timeout.attoseconds / 1_000_000_000_000_000))
        _ = troupe_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = troupe_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = troupe_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = troupe_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = troupe_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds)
        _ = troupe_curl_setopt_string(handle, CURLOPT_NOPROXY, Self.noProxy)
        if method == "POST" {
            _ = troupe_curl_setopt_long(handle, CURLOPT_POST, 1)
            _ = troupe_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes, so `body` need not outlive this call.
                _ = troupe_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                               UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        } else {
            _ = troupe_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        }
        _ = troupe_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        _ = troupe_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            guard let user else { return 0 }
            let exchange = Unmanaged<MCPHTTPExchange>.fromOpaque(user).takeUnretainedValue()
            let length = size * count
            return exchange.received(body: UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        _ = troupe_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
        _ = troupe_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            guard let user else { return 0 }
            let exchange = Unmanaged<MCPHTTPExchange>.fromOpaque(user).takeUnretainedValue()
            let length = size * count
            exchange.received(headerLine: UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
        // The progress callback runs about every 100 ms even while nothing arrives:
        // that is where a cancellation is noticed on a silent stream.
        _ = troupe_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = troupe_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, me)
        _ = troupe_curl_setopt_progress_callback(handle) { user, _, _, _, _ in
            guard let user else { return 1 }
            let exchange = Unmanaged<MCPHTTPExchange>.fromOpaque(user).takeUnretainedValue()
            return exchange.cancelled.load(ordering: .acquiring) ? 1 : 0
        }
        let code = curl_easy_perform(handle)
        let isCancelled = cancelled.load(ordering: .acquiring)
        if code != CURLE_OK {
            var detail = String(cString: errorBuffer)
            if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
            return .failure(Failure(code: Int(code.rawValue), detail: detail, cancelled: isCancelled))
        }
        return .success(deliverHead())
    }

    private func received(headerLine raw: UnsafeRawBufferPointer) {
        let line = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers = [:]
        } else if let colon = line.firstIndex(of: ":") {
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
    }

    private func received(body: UnsafeRawBufferPointer) -> Bool {
        if cancelled.load(ordering: .acquiring) { return false }
        if head == nil { _ = deliverHead() }
        if !body.isEmpty { onBody(body) }
        return true
    }

    private func deliverHead() -> Head {
        if let head { return head }
        var status = 0
        if let easy { _ = troupe_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        let head = Head(status: status, headers: headers)
        self.head = head
        onHead(head)
        return head
    }

    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// Loopback is never reached through a proxy, whatever `http_proxy` says.
    private static let noProxy: String = {
        let environment = ProcessInfo.processInfo.environment
        let configured = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        if configured == "*" { return "*" }
        return ([configured, "localhost", "127.0.0.1", "::1"].filter { !$0.isEmpty }).joined(separator: ",")
    }()
}
