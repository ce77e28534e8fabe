import CCurlShim
import Foundation
import Synchronization

/// One GET transfer with libcurl, on a thread of its own (curl blocks; the
/// cooperative pool must not). The body is kept up to a byte limit; past it the
/// transfer stops and the result says it was truncated.
///
/// Thread confinement: the curl handle is created, used and freed on the
/// transfer's thread; other threads touch only `cancelled` (atomic).
final class HTTPFetch: Sendable {
    struct Result: Sendable {
        var status: Int
        var contentType: String?
        var body: Data
        var truncated: Bool
    }

    private struct Buffer {
        var body = Data()
        var truncated = false
    }

    let url: String
    let timeout: Duration
    let maximumBytes: Int
    private let cancelled = Atomic<Bool>(false)
    private let buffer = Mutex(Buffer())

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    init(url: String, timeout: Duration, maximumBytes: Int) {
        self.url = url
        self.timeout = timeout
        self.maximumBytes = maximumBytes
    }

    /// Runs the transfer; cancelling the task aborts it within ~100 ms.
    func run() async throws(HTTPToolError) -> Result {
        _ = Self.globalInit
        let outcome: Swift.Result<Result, HTTPToolError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { [self] in continuation.resume(returning: perform()) }
                thread.name = "troupe.http-get"
                thread.start()
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
        return try outcome.get()
    }

    /// Receives body bytes; returning less than offered aborts the transfer.
    fileprivate func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        buffer.withLock { buffer in
            let room = maximumBytes - buffer.body.count
            if bytes.count > room {
                buffer.body.append(contentsOf: bytes.prefix(max(room, 0)))
                buffer.truncated = true
                return 0
            }
            buffer.body.append(contentsOf: bytes)
            return bytes.count
        }
    }

    fileprivate var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    private func perform() -> Swift.Result<Result, HTTPToolError> {
        guard let handle = curl_easy_init() else { return .failure(.transfer(url: url, reason: "libcurl could not start")) }
        defer { curl_easy_cleanup(handle) }
        let me = Unmanaged.passUnretained(self).toOpaque()
        let milliseconds = Int(timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            var ok = troupe_curl_setopt_string(handle, CURLOPT_URL, url) == CURLE_OK
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK
            ok = ok && troupe_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress) == CURLE_OK
            ok = ok && troupe_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK
            ok = ok && troupe_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1) == CURLE_OK
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 5) == CURLE_OK
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(milliseconds, 1)) == CURLE_OK
            ok = ok && troupe_curl_setopt_string(handle, CURLOPT_USERAGENT, "troupe-http-get/1") == CURLE_OK
            ok = ok && troupe_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK
            ok = ok && troupe_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, me) == CURLE_OK
            ok = ok && troupe_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
                guard let user else { return 0 }
                let fetch = Unmanaged<HTTPFetch>.fromOpaque(user).takeUnretainedValue()
                return fetch.receive(UnsafeRawBufferPointer(start: data, count: size * count))
            } == CURLE_OK
            ok = ok && troupe_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, me) == CURLE_OK
            ok = ok && troupe_curl_setopt_progress_callback(handle) { user, _, _, _, _ in
                guard let user else { return 0 }
                return Unmanaged<HTTPFetch>.fromOpaque(user).takeUnretainedValue().isCancelled ? 1 : 0
            } == CURLE_OK
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0) == CURLE_OK
            guard ok else { return CURLE_FAILED_INIT }
            return curl_easy_perform(handle)
        }
        let received = buffer.withLock { $0 }
        var status = 0
        _ = troupe_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var contentTypePointer: UnsafePointer<CChar>?
        _ = troupe_curl_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &contentTypePointer)
        let contentType = contentTypePointer.map { String(cString: $0) }
        let result = Result(status: status, contentType: contentType, body: received.body, truncated: received.truncated)

        switch code {
        case CURLE_OK:
            return .success(result)
        case CURLE_WRITE_ERROR where received.truncated:
            return .success(result)
        case CURLE_ABORTED_BY_CALLBACK:
            return .failure(.cancelled(url: url))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut(url: url, after: timeout))
        case CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(.unsupportedScheme(url))
        default:
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(.transfer(url: url, reason: reason))
        }
    }
}
