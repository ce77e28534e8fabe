import Foundation

/// A tool with its types erased, so an agent can hold tools of any kind: takes the
/// model's arguments as a JSON string, returns the result as text for the model.
public struct AnyTool: Sendable {
    public let spec: ToolSpec
    public let requiresApproval: Bool
    public let timeout: Duration
    private let invoke: @Sendable (String) async throws -> String

    public init<T: Tool>(_ tool: T) {
        spec = tool.spec
        requiresApproval = tool.requiresApproval
        timeout = tool.timeout
        let name = tool.name
        invoke = { json in
            let arguments: T.Arguments
            do {
                arguments = try JSONDecoder().decode(T.Arguments.self, from: Data((json.isEmpty ? "{}" : json).utf8))
            } catch {
                throw ToolError.invalidArguments(tool: name, reason: ToolError.explain(error))
            }
            let output = try await tool.call(arguments: arguments)
            if let text = output as? String { return text }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(output), as: UTF8.self)
        }
    }

    public var name: String { spec.name }

    /// Runs the tool on `arguments` (JSON) within its timeout.
    public func call(arguments: String) async throws -> String {
        let timeout = timeout
        let name = name
        return try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await invoke(arguments) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ToolError.timedOut(tool: name, after: timeout)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }
}

/// What went wrong with a tool call. Sent back to the model as the call's result
/// (so it can correct itself), and recorded on the `execute_tool` span.
public enum ToolError: Error, CustomStringConvertible, Sendable, Equatable {
    case unknownTool(String, available: [String])
    case invalidArguments(tool: String, reason: String)
    case timedOut(tool: String, after: Duration)
    case failed(tool: String, reason: String)
    case rejected(tool: String, reason: String)

    public var description: String {
        switch self {
        case .unknownTool(let name, let available):
            "there is no tool named '\(name)'; available tools: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case .invalidArguments(let tool, let reason):
            "the arguments for '\(tool)' do not match its schema: \(reason)"
        case .timedOut(let tool, let after):
            "'\(tool)' did not finish within \(after); try simpler arguments or raise the tool's timeout"
        case .failed(let tool, let reason):
            "'\(tool)' failed: \(reason)"
        case .rejected(let tool, let reason):
            "a person rejected this call of '\(tool)': \(reason)"
        }
    }

    /// A decoding error in words a model (and a person) can act on.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .keyNotFound(let key, _): return "missing required property '\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' should be \(type)"
        case .valueNotFound(let type, let context):
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' should be \(type), not null"
        case .dataCorrupted(let context): return "not valid JSON (\(context.debugDescription))"
        @unknown default: return String(describing: error)
        }
    }
}
