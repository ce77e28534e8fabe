import CCurlShim
import Foundation
import TroupeCore

/// What the response side of one call needs to know to explain a failure: the
/// endpoint, URL and model to name, and the credentials to scrub from server text.
struct RequestContext: Sendable {
    let endpoint: String
    let url: String
    let model: String
    let modelID: ModelID
    let credentials: Credentials

    /// The typed error for an HTTP error status with body `body`.
    func httpError(status: Int, headers: [String: String], body: UnsafeRawBufferPointer) -> ModelError {
        let message = serverMessage(body)
        switch status {
        case 401, 403:
            return .unauthorized(endpoint: endpoint, url: url, status: status, keyVariable: credentials.keyVariable,
                                 keyIsSet: credentials.keyIsSet, serverMessage: message)
        case 404:
            return .notFound(endpoint: endpoint, url: url, model: model, serverMessage: message)
        case 408:
            return .serverError(endpoint: endpoint, url: url, status: status,
                                retryAfter: Self.retryAfter(headers), serverMessage: message)
        case 429:
            return .rateLimited(endpoint: endpoint, url: url, retryAfter: Self.retryAfter(headers),
                                serverMessage: message)
        case 400..<500:
            return .badRequest(endpoint: endpoint, url: url, status: status, serverMessage: message)
        case 500..<600:
            return .serverError(endpoint: endpoint, url: url, status: status,
                                retryAfter: Self.retryAfter(headers), serverMessage: message)
        default:
            return .unexpectedStatus(endpoint: endpoint, url: url, status: status, serverMessage: message)
        }
    }

    /// The typed error for a transfer that libcurl ended with `outcome.code`.
    func transportError(_ outcome: TransferOutcome, streaming: Bool, eventsReceived: Int) -> ModelError {
        let detail = credentials.redact(outcome.detail)
        switch CURLcode(UInt32(truncatingIfNeeded: outcome.code)) {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectionFailed(endpoint: endpoint, url: url, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(endpoint: endpoint, url: url, seconds: nil, detail: detail)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2,
             CURLE_HTTP2_STREAM:
            if streaming, eventsReceived > 0 {
                return .truncatedStream(endpoint: endpoint, url: url, eventsReceived: eventsReceived, detail: detail)
            }
            return .connectionLost(endpoint: endpoint, url: url, detail: detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER:
            return .tlsFailure(endpoint: endpoint, url: url, detail: detail)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidConfiguration(endpoint: endpoint, detail: "the base URL is not a valid http(s) URL (\(detail))")
        default:
            return .connectionLost(endpoint: endpoint, url: url, detail: detail)
        }
    }

    func malformed(_ detail: String) -> ModelError {
        .malformedResponse(endpoint: endpoint, url: url, detail: credentials.redact(detail))
    }

    /// The typed error for a body that ``ChatCompletionsDecoder`` could not read.
    func decodeError(_ error: any Error) -> ModelError {
        switch error as? DecodeFailure {
        case .malformed(let detail)?: return malformed(detail)
        case .serverError(let message)?: return streamError(message)
        case nil: return malformed(String(describing: error))
        }
    }

    func streamError(_ message: String) -> ModelError {
        .streamError(endpoint: endpoint, url: url, serverMessage: Self.shorten(credentials.redact(message)))
    }

    func wrongContentType(_ contentType: String?, expected: String) -> ModelError {
        .wrongContentType(endpoint: endpoint, url: url, contentType: contentType, expected: expected)
    }

    /// The server's own explanation: the JSON error message, else the start of the body.
    private func serverMessage(_ body: UnsafeRawBufferPointer) -> String? {
        if body.isEmpty { return nil }
        let raw = ChatCompletionsDecoder.errorMessage(fromBody: body)
            ?? String(decoding: body.prefix(300), as: UTF8.self)
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : Self.shorten(credentials.redact(trimmed))
    }

    private static func shorten(_ text: String) -> String {
        text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// `retry-after-ms`, or `retry-after` as seconds or an HTTP date.
    static func retryAfter(_ headers: [String: String]) -> Double? {
        if let milliseconds = headers["retry-after-ms"].flatMap(Double.init), milliseconds >= 0 {
            return milliseconds / 1000
        }
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSinceNow)
    }
}
