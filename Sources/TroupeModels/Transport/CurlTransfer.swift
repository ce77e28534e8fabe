import CCurlShim
import Foundation
import Synchronization

/// Receives one transfer's response, in order: `receive(head:)` once, `receive(body:)`
/// for each block of bytes, then `finish(_:)` exactly once.
///
/// Every call happens on the curl thread, one at a time, so a sink may keep plain
/// mutable state. A sink must not block: it parses and hands results on.
protocol TransferSink: AnyObject {
    /// The status and headers, before the first body byte (or at the end if there is none).
    /// Return false to abort the transfer.
    func receive(head: HTTPResponseHead) -> Bool
    /// A block of body bytes, valid only during the call. Return false to abort the transfer.
    func receive(body: UnsafeRawBufferPointer) -> Bool
    /// The transfer is over: completed, failed, aborted by the sink, or cancelled.
    func finish(_ outcome: TransferOutcome)
}

/// One request in flight on the ``CurlLoop``: the curl easy-handle state and its sink.
///
/// Thread confinement: everything but `cancel()` and `isCancelled` is touched only on
/// the curl thread, which is why the class can be `@unchecked Sendable`.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequestSpec
    private let sink: any TransferSink
    private let cancelled = Atomic<Bool>(false)
    private let completed = Atomic<Bool>(false)
    private weak var loop: CurlLoop?

    // Curl-thread state.
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var errorBuffer: UnsafeMutablePointer<CChar>?
    private var responseHeaders: [String: String] = [:]
    private var headDelivered = false
    private var sinkAborted = false
    private var finished = false

    init(request: HTTPRequestSpec, sink: any TransferSink, loop: CurlLoop) {
        self.request = request
        self.sink = sink
        self.loop = loop
    }

    /// Starts the transfer on its loop. Call once.
    func start() {
        loop?.submit(self)
    }

    /// Asks the loop to abandon the transfer; safe from any thread, at any time, repeatedly.
    func cancel() {
        guard !completed.load(ordering: .acquiring) else { return }
        if cancelled.exchange(true, ordering: .acquiringAndReleasing) { return }
        loop?.requestCancel(self)
    }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    // MARK: - Curl thread

    /// Configures `handle` for this transfer. Returns false if curl refused an option.
    func attach(to handle: UnsafeMutableRawPointer) -> Bool {
        easy = handle
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        buffer.initialize(to: 0)
        errorBuffer = buffer
        var list: UnsafeMutablePointer<curl_slist>?
        // An empty `Expect:` stops curl from waiting for `100 Continue` on larger bodies.
        for line in request.headerLines + ["Expect:"] {
            list = curl_slist_append(list, line)
        }
        headerList = list
        let me = Unmanaged.passUnretained(self).toOpaque()

        var ok = troupe_curl_setopt_string(handle, CURLOPT_URL, request.url) == CURLE_OK
        ok = ok && troupe_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK
        ok = ok && troupe_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer) == CURLE_OK
        ok = ok && troupe_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list) == CURLE_OK
        if !request.body.isEmpty {
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_POST, 1) == CURLE_OK
            ok = ok && troupe_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                                              curl_off_t(request.body.count)) == CURLE_OK
            ok = ok && request.body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies, so the Swift array may go away.
                troupe_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                           UnsafeMutableRawPointer(mutating: bytes.baseAddress)) == CURLE_OK
            }
        }
        if request.connectTimeout > 0 {
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS,
                                               Self.milliseconds(request.connectTimeout)) == CURLE_OK
        }
        if request.totalTimeout > 0 {
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS,
                                               Self.milliseconds(request.totalTimeout)) == CURLE_OK
        }
        if request.idleTimeout > 0 {
            // "Less than 1 byte/s for N seconds": curl's idle timeout, whole seconds.
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1) == CURLE_OK
            ok = ok && troupe_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME,
                                               max(1, Int(request.idleTimeout.rounded(.up)))) == CURLE_OK
        }
        ok = ok && troupe_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1) == CURLE_OK
        ok = ok && troupe_curl_setopt_string(handle, CURLOPT_NOPROXY, Self.noProxy) == CURLE_OK
        ok = ok && troupe_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, me) == CURLE_OK
        ok = ok && troupe_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            guard let user else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            let length = size * count
            return transfer.didReceive(body: UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        } == CURLE_OK
        ok = ok && troupe_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, me) == CURLE_OK
        ok = ok && troupe_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            guard let user else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            let length = size * count
            transfer.didReceive(headerLine: UnsafeRawBufferPointer(start: data, count: length))
            return length
        } == CURLE_OK
        return ok
    }

    private func didReceive(headerLine raw: UnsafeRawBufferPointer) {
        var length = raw.count
        while length > 0, raw[length - 1] == 0x0A || raw[length - 1] == 0x0D { length -= 1 }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<length]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            responseHeaders = [:]  // a new response (after 100 Continue or a redirect)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            responseHeaders[name] = value
        }
    }

    private func didReceive(body: UnsafeRawBufferPointer) -> Bool {
        if isCancelled || sinkAborted { return false }
        if !headDelivered, !deliverHead() { return false }
        if body.isEmpty { return true }
        if !sink.receive(body: body) {
            sinkAborted = true
            return false
        }
        return true
    }

    private func deliverHead() -> Bool {
        headDelivered = true
        var status = 0
        if let easy { _ = troupe_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        if !sink.receive(head: HTTPResponseHead(status: status, headers: responseHeaders)) {
            sinkAborted = true
            return false
        }
        return true
    }

    /// Ends the transfer: called by the loop once curl is done with it, or on cancellation.
    func complete(code: CURLcode) {
        guard !finished else { return }
        finished = true
        completed.store(true, ordering: .releasing)
        var detail = ""
        if let errorBuffer {
            detail = String(cString: errorBuffer)
            errorBuffer.deallocate()
            self.errorBuffer = nil
        }
        if detail.isEmpty, code != CURLE_OK { detail = String(cString: curl_easy_strerror(code)) }
        if !headDelivered, !isCancelled, !sinkAborted, let easy {
            var status = 0
            _ = troupe_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            if status != 0 { _ = deliverHead() }
        }
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        easy = nil
        sink.finish(TransferOutcome(code: Int(code.rawValue), detail: detail, cancelled: isCancelled))
    }

    /// The environment's `no_proxy` list plus loopback: a local server is never reached
    /// through a proxy, whatever `http_proxy` says.
    private static let noProxy: String = {
        let environment = ProcessInfo.processInfo.environment
        let configured = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        if configured == "*" { return "*" }
        return ([configured, "localhost", "127.0.0.1", "::1"].filter { !$0.isEmpty }).joined(separator: ",")
    }()

    private static func milliseconds(_ seconds: Double) -> Int {
        Int(min(seconds * 1000, Double(Int32.max)).rounded(.up))
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
