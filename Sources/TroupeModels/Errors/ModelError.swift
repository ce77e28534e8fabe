import Foundation
import TroupeCore

/// Why a call to a remote model failed, and what to do about it.
///
/// Every case's ``description`` names the endpoint and the next step ("check the key
/// in OPENAI_API_KEY", "is the server up at …?"). Messages never contain an API key:
/// server text is passed through the client's redactor before it lands here.
///
/// ``isRetryable`` drives ``RetryPolicy`` and ``FallbackModel``: rate limits, 5xx,
/// dropped or refused connections, timeouts and garbled bodies are transient; bad
/// keys, unknown models, bad requests and non-API content types are not.
public enum ModelError: Error, ClassifiedError, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    /// 401 or 403: the key is missing, wrong, or lacks access.
    /// `keyVariable` names the environment variable the key comes from; `keyIsSet` says
    /// whether that variable held a value when the model was created.
    case unauthorized(endpoint: String, url: String, status: Int, keyVariable: String?, keyIsSet: Bool,
                      serverMessage: String?)
    /// 404: the model name or the base URL is wrong.
    case notFound(endpoint: String, url: String, model: String, serverMessage: String?)
    /// 400, 413, 422…: the server refused this request; sending it again will not help.
    case badRequest(endpoint: String, url: String, status: Int, serverMessage: String?)
    /// 429: too many requests or tokens; `retryAfter` is what the server asked for, in seconds.
    case rateLimited(endpoint: String, url: String, retryAfter: Double?, serverMessage: String?)
    /// 5xx (or 408): the server failed; usually transient.
    case serverError(endpoint: String, url: String, status: Int, retryAfter: Double?, serverMessage: String?)
    /// The server reported an error inside an otherwise healthy event stream.
    case streamError(endpoint: String, url: String, serverMessage: String)
    /// Any other unexpected status.
    case unexpectedStatus(endpoint: String, url: String, status: Int, serverMessage: String?)
    /// The server could not be reached: refused, unresolvable host, unreachable network.
    case connectionFailed(endpoint: String, url: String, detail: String)
    /// The connection broke before a complete response arrived (reset, empty reply).
    case connectionLost(endpoint: String, url: String, detail: String)
    /// A streamed answer stopped before its end (`[DONE]` or a finish reason).
    case truncatedStream(endpoint: String, url: String, eventsReceived: Int, detail: String)
    /// No answer (or no byte, for the idle limit) within the time allowed.
    case timedOut(endpoint: String, url: String, seconds: Double?, detail: String)
    /// The body was not the JSON the API promises.
    case malformedResponse(endpoint: String, url: String, detail: String)
    /// The body was not JSON or an event stream at all: likely not an OpenAI-compatible URL.
    case wrongContentType(endpoint: String, url: String, contentType: String?, expected: String)
    /// TLS failed: certificate or handshake.
    case tlsFailure(endpoint: String, url: String, detail: String)
    /// The endpoint's configuration is unusable; `detail` says which field.
    case invalidConfiguration(endpoint: String, detail: String)
    /// The endpoints configuration file could not be read.
    case configurationFile(path: String, detail: String)

    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .connectionFailed, .connectionLost, .truncatedStream, .timedOut,
             .malformedResponse, .streamError:
            return true
        case .serverError(_, _, let status, _, _):
            return status != 501 && status != 505
        case .unauthorized, .notFound, .badRequest, .unexpectedStatus, .wrongContentType,
             .tlsFailure, .invalidConfiguration, .configurationFile:
            return false
        }
    }

    public var retryAfter: Double? {
        switch self {
        case .rateLimited(_, _, let seconds, _), .serverError(_, _, _, let seconds, _): return seconds
        default: return nil
        }
    }

    /// True for a timeout, which fallback chains treat like a retryable failure.
    public var isTimeout: Bool {
        if case .timedOut = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .unauthorized(endpoint, url, status, keyVariable, keyIsSet, message):
            let fix: String
            switch (keyVariable, keyIsSet) {
            case (let variable?, true): fix = "Check the API key in the environment variable \(variable)."
            case (let variable?, false): fix = "The environment variable \(variable) that should hold the API key is not set: export it."
            case (nil, _): fix = "No API key is configured for this endpoint: set OPENAI_API_KEY, or apiKeyEnv in the endpoint's configuration."
            }
            return "\(status) \(status == 403 ? "Forbidden" : "Unauthorized") from endpoint '\(endpoint)' (\(url)): the API key was refused. \(fix)"
                + Self.server(message)
        case let .notFound(endpoint, url, model, message):
            return "404 Not Found from endpoint '\(endpoint)' (\(url)): the model '\(model)' or the base URL is wrong. Check the model name, and that the base URL is the API root (usually ending in /v1)."
                + Self.server(message)
        case let .badRequest(endpoint, url, status, message):
            return "\(status) Bad Request from endpoint '\(endpoint)' (\(url)): the server refused the request (an unsupported parameter, a context too long, or a malformed tool schema). Retrying will not help."
                + Self.server(message)
        case let .rateLimited(endpoint, url, retryAfter, message):
            let wait = retryAfter.map { " The server asked to wait \(Self.seconds($0))." } ?? ""
            return "429 Too Many Requests from endpoint '\(endpoint)' (\(url)): rate limit reached.\(wait) Add a retry policy or a rate limit for this endpoint."
                + Self.server(message)
        case let .serverError(endpoint, url, status, _, message):
            return "\(status) server error from endpoint '\(endpoint)' (\(url)). Usually transient: retry, or add a fallback model."
                + Self.server(message)
        case let .streamError(endpoint, url, message):
            return "Endpoint '\(endpoint)' (\(url)) reported an error in the middle of a stream. Usually transient: retry."
                + Self.server(message)
        case let .unexpectedStatus(endpoint, url, status, message):
            return "Unexpected HTTP status \(status) from endpoint '\(endpoint)' (\(url)). Check that the base URL points to an OpenAI-compatible API."
                + Self.server(message)
        case let .connectionFailed(endpoint, url, detail):
            return "Could not connect to endpoint '\(endpoint)' at \(url): \(detail). Is the server up at \(url)?"
        case let .connectionLost(endpoint, url, detail):
            return "The connection to endpoint '\(endpoint)' (\(url)) broke before the response was complete: \(detail). Usually transient: retry."
        case let .truncatedStream(endpoint, url, events, detail):
            return "The stream from endpoint '\(endpoint)' (\(url)) ended after \(events) events without [DONE] or a finish reason: \(detail). The server or a proxy cut it; retry."
        case let .timedOut(endpoint, url, seconds, detail):
            let limit = seconds.map { " after \(Self.seconds($0))" } ?? ""
            return "Endpoint '\(endpoint)' (\(url)) did not answer\(limit): \(detail). The server may be overloaded or the model still loading; raise the timeout or retry."
        case let .malformedResponse(endpoint, url, detail):
            return "Endpoint '\(endpoint)' (\(url)) sent a response that is not valid Chat Completions JSON: \(detail)."
        case let .wrongContentType(endpoint, url, contentType, expected):
            return "Endpoint '\(endpoint)' (\(url)) answered with content type '\(contentType ?? "none")' where \(expected) was expected. The base URL probably points to something other than an OpenAI-compatible API (a web page or a proxy's error page)."
        case let .tlsFailure(endpoint, url, detail):
            return "TLS failed with endpoint '\(endpoint)' (\(url)): \(detail). Check the URL's scheme and the server's certificate."
        case let .invalidConfiguration(endpoint, detail):
            return "Endpoint '\(endpoint)' is misconfigured: \(detail)"
        case let .configurationFile(path, detail):
            return "Cannot use the endpoints file \(path): \(detail)"
        }
    }

    public var errorDescription: String? { description }

    private static func server(_ message: String?) -> String {
        guard let message, !message.isEmpty else { return "" }
        return " Server said: \(message)"
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
