import Foundation
import TroupeCore

/// Fetches a web page or API response with an HTTP GET (libcurl), for the model
/// to read.
///
/// ```swift
/// let agent = Agent("reader", instructions: "…", tools: [HTTPGet(maximumBytes: 64 * 1024)])
/// ```
///
/// Only `http` and `https` URLs (redirects included, at most 5); the transfer
/// stops after `timeout`, and the body is cut at `maximumBytes` (the result
/// then says `truncated: true`). An error status (404, 500…) is a result, not
/// a failure: the model sees the status and the body. The tool does not block
/// private or loopback addresses: give it to agents whose network you trust,
/// or wrap it with your own host check.
public struct HTTPGet: Tool {
    public struct Arguments: Codable, Sendable, SchemaDescribed {
        public var url: String
        public init(url: String) { self.url = url }
        public static let propertyDescriptions = ["url": "An http:// or https:// URL"]
    }

    /// What the model gets back.
    public struct Response: Codable, Sendable, Hashable {
        public var status: Int
        public var contentType: String?
        public var body: String
        public var truncated: Bool

        public init(status: Int, contentType: String?, body: String, truncated: Bool) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.truncated = truncated
        }
    }

    public let name = "http_get"
    public let description = "Fetches a URL with HTTP GET and returns its status and body as text."
    /// Longest a transfer may take (also the tool's timeout, plus a second).
    public var transferTimeout: Duration
    /// Body bytes kept; the rest is not downloaded.
    public var maximumBytes: Int

    public init(timeout: Duration = .seconds(15), maximumBytes: Int = 256 * 1024) {
        self.transferTimeout = timeout
        self.maximumBytes = maximumBytes
    }

    public var timeout: Duration { transferTimeout + .seconds(1) }

    public func call(arguments: Arguments) async throws -> Response {
        guard let components = URLComponents(string: arguments.url),
              let scheme = components.scheme?.lowercased(), components.host?.isEmpty == false else {
            throw HTTPToolError.invalidURL(arguments.url)
        }
        guard scheme == "http" || scheme == "https" else { throw HTTPToolError.unsupportedScheme(arguments.url) }
        let fetch = HTTPFetch(url: arguments.url, timeout: transferTimeout, maximumBytes: maximumBytes)
        let result = try await fetch.run()
        return Response(status: result.status, contentType: result.contentType,
                        body: String(decoding: result.body, as: UTF8.self), truncated: result.truncated)
    }
}

/// What went wrong with an HTTP GET.
public enum HTTPToolError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidURL(String)
    case unsupportedScheme(String)
    case timedOut(url: String, after: Duration)
    case cancelled(url: String)
    case transfer(url: String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url): "'\(url)' is not a URL; give a full one such as https://example.com/page"
        case .unsupportedScheme(let url): "'\(url)' is not an http or https URL; only those can be fetched"
        case .timedOut(let url, let after): "\(url) did not answer within \(after); try again later or another URL"
        case .cancelled(let url): "the request to \(url) was cancelled"
        case .transfer(let url, let reason): "fetching \(url) failed: \(reason)"
        }
    }
}
