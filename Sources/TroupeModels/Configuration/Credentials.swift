/// The secret part of an endpoint: the header lines that carry its key, read from
/// the environment once, and the list of secret strings to scrub from any text.
///
/// It lives only inside ``OpenAICompatibleModel``: it is not `Codable`, and printing,
/// dumping or mirroring it shows nothing, so a key cannot reach the journal, a trace,
/// a log line or an error message by way of a model value.
final class Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// `Authorization: Bearer …` and the expanded configured headers.
    let headerLines: [String]
    /// The environment variable named for the key, if any.
    let keyVariable: String?
    /// Whether that variable held a non-empty value.
    let keyIsSet: Bool
    private let secrets: [String]

    init(endpoint: Endpoint, environment: [String: String]) {
        var lines: [String] = []
        var secrets: [String] = []
        keyVariable = endpoint.apiKeyEnv
        if let variable = endpoint.apiKeyEnv, let key = environment[variable], !key.isEmpty {
            lines.append("Authorization: Bearer \(key)")
            secrets.append(key)
            keyIsSet = true
        } else {
            keyIsSet = false
        }
        for name in endpoint.headers.keys.sorted() {
            guard let template = endpoint.headers[name] else { continue }
            let (value, expanded) = Self.expand(template, environment: environment)
            secrets.append(contentsOf: expanded)
            lines.append("\(name): \(value)")
        }
        headerLines = lines
        self.secrets = secrets.filter { $0.count >= 4 }
    }

    /// Direct construction for a key given in code (tests, embedding apps).
    init(apiKey: String?, headers: [String: String] = [:]) {
        var lines: [String] = []
        if let apiKey, !apiKey.isEmpty { lines.append("Authorization: Bearer \(apiKey)") }
        for name in headers.keys.sorted() {
            if let value = headers[name] { lines.append("\(name): \(value)") }
        }
        headerLines = lines
        keyVariable = nil
        keyIsSet = apiKey?.isEmpty == false
        secrets = ([apiKey].compactMap { $0 } + headers.values).filter { $0.count >= 4 }
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingAll(secret, with: "[REDACTED]")
        }
        return result
    }

    var description: String { "Credentials([REDACTED])" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .class) }

    /// Expands `${NAME}` references; returns the text and the substituted values.
    static func expand(_ template: String, environment: [String: String]) -> (String, [String]) {
        var output = ""
        var substituted: [String] = []
        var rest = template[...]
        while let open = rest.firstRange(of: "${") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                output += rest[open.lowerBound...]
                return (output, substituted)
            }
            let name = String(afterOpen[..<close])
            let value = environment[name] ?? ""
            output += value
            if !value.isEmpty { substituted.append(value) }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        output += rest
        return (output, substituted)
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
