import Foundation
import TroupeCore

/// How ``LocalModel`` turns a request's tools and response format into guided decoding.
///
/// - `responseFormat: .jsonSchema` constrains the text to the schema;
///   `.json` to any JSON object.
/// - Tools with `toolChoice: .required` or `.tool(NAME)`: the reply is one
///   constrained call, `{"name":…,"arguments":…}` with arguments valid for the
///   named tool, returned as ``ChatResponse/toolCalls`` with finish reason
///   `tool_calls` and no text.
/// - Tools with `.auto`: the first token decides. A token that starts the
///   call grammar commits to a (constrained) call; any token that does not
///   open an object starts a plain-text answer. The tools and the call format
///   are described in a system message, since the chat template has no tool
///   syntax of its own.
/// - `.none`: tools are ignored and the answer is text.
///
/// One call per reply: parallel calls are not generated.
extension LocalModel {
    /// The constraint and prompt messages for one request.
    struct Guidance {
        var constraint: JSONConstraint?
        /// Whether the reply may be a tool call (and is held back rather than streamed as text).
        var mayCallTool: Bool
        var messages: [ChatMessage]
    }

    func guidance(for request: ChatRequest) throws(GuidanceError) -> Guidance {
        let messages = Self.renderingToolCalls(request.messages)
        let vocabulary = GuidedVocabulary.shared(for: runtime)
        if !request.tools.isEmpty, request.toolChoice != .none {
            let only: String? = if case .tool(let name) = request.toolChoice { name } else { nil }
            let grammar = vocabulary.grammar(try JSONGrammar.toolCall(request.tools, only: only))
            let optional = request.toolChoice == .auto
            return Guidance(constraint: JSONConstraint(grammar, allowsText: optional), mayCallTool: true,
                            messages: Self.describingTools(request.tools, only: only, in: messages))
        }
        switch request.responseFormat {
        case .text:
            return Guidance(constraint: nil, mayCallTool: false, messages: messages)
        case .json:
            return Guidance(constraint: JSONConstraint(vocabulary.grammar(.anyObject)), mayCallTool: false,
                            messages: messages)
        case .jsonSchema(_, let schema):
            return Guidance(constraint: JSONConstraint(vocabulary.grammar(try JSONGrammar(schema: schema))),
                            mayCallTool: false, messages: messages)
        }
    }

    /// The call in `text` (`{"name":…,"arguments":…}`), with a stable id derived from its content.
    static func toolCall(from text: String, salt: Int) -> ToolCall? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
              case .string(let name)? = value["name"], let arguments = value["arguments"] else { return nil }
        let id = "call_" + String(FNV1a.hash("\(salt):\(text)"), radix: 16)
        return ToolCall(id: id, name: name, arguments: arguments.canonicalJSON)
    }

    /// Adds a system message listing the tools and the call format.
    private static func describingTools(_ tools: [ToolSpec], only: String?, in messages: [ChatMessage]) -> [ChatMessage] {
        var text = "You can call tools. To call one, reply with only a JSON object "
            + #"{"name": TOOL NAME, "arguments": {…}}."# + "\nTools:"
        for tool in tools where only == nil || tool.name == only {
            text += "\n- \(tool.name): \(tool.description) Arguments: \(tool.parameters.canonicalJSON)"
        }
        var messages = messages
        if let first = messages.first, first.role == .system {
            messages[0].content = first.content + "\n\n" + text
        } else {
            messages.insert(.system(text), at: 0)
        }
        return messages
    }

    /// Earlier calls and results as text the chat template can show: an
    /// assistant turn's calls as the JSON it would have written.
    private static func renderingToolCalls(_ messages: [ChatMessage]) -> [ChatMessage] {
        messages.map { message in
            guard let calls = message.toolCalls, !calls.isEmpty else { return message }
            var message = message
            let written = calls.map { #"{"name":\#(JSONValue.string($0.name).canonicalJSON),"arguments":\#($0.arguments)}"# }
            message.content = ([message.content].filter { !$0.isEmpty } + written).joined(separator: "\n")
            return message
        }
    }
}
