/// One HTTP request as the transport sends it: a POST of a JSON body, with its
/// headers and time limits. Built by the client, consumed on the curl thread.
///
/// Header lines may hold secrets (`Authorization: Bearer …`); this type never
/// prints them and is internal to the module.
struct HTTPRequestSpec: Sendable {
    /// The absolute URL, e.g. `http://127.0.0.1:8080/v1/chat/completions`.
    var url: String
    /// Complete header lines, `Name: value`.
    var headerLines: [String]
    /// The request body (JSON bytes); empty for a GET.
    var body: [UInt8]
    /// Seconds to establish the connection (TCP and TLS); 0 means curl's default.
    var connectTimeout: Double
    /// Seconds for the whole transfer; 0 means no limit.
    var totalTimeout: Double
    /// Seconds without a single byte received before the transfer is abandoned; 0 means none.
    var idleTimeout: Double
}

/// What a finished transfer reports besides the bytes its sink received.
struct TransferOutcome: Sendable {
    /// The libcurl result code (`CURLE_OK` is 0).
    var code: Int
    /// libcurl's explanation, e.g. "Failed to connect to 127.0.0.1 port 9: Connection refused".
    var detail: String
    /// True when the transfer ended because its task was cancelled.
    var cancelled: Bool
}

/// The status line and headers of a response, known before its first body byte.
struct HTTPResponseHead: Sendable {
    var status: Int
    /// Header names in lower case; the last value wins.
    var headers: [String: String]

    var contentType: String? { headers["content-type"] }
}
