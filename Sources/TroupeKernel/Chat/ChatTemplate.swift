import Foundation
import TroupeCore

/// Renders a conversation into the prompt text a model was trained on.
///
/// Troupe does not interpret Jinja. It recognises the ChatML template that
/// SmolLM2 (and Qwen, and many others) store in `tokenizer.chat_template` and
/// renders it natively, including the template's default system prompt, which
/// is inserted when the first message is not a system message:
///
/// ```text
/// <|im_start|>system
/// You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
/// <|im_start|>user
/// Hi<|im_end|>
/// <|im_start|>assistant
/// ```
///
/// A template that is missing or not ChatML falls back to plain ChatML without
/// a default system prompt; ``isRecognized`` is then `false` so callers can say
/// so. Tokenize the result with `parseSpecial: true` so the markers become
/// control tokens.
public struct ChatTemplate: Sendable, Hashable {
    /// The template text from the GGUF, if it had one.
    public let source: String?
    /// Whether `source` was recognised as ChatML (otherwise ChatML is assumed).
    public let isRecognized: Bool
    /// The system prompt added when a conversation does not start with one.
    public let defaultSystemPrompt: String?

    static let start = "<|im_start|>"
    static let end = "<|im_end|>"

    /// The template stored in `file` (`tokenizer.chat_template`).
    public init(file: GGUFFile) {
        self.init(source: file.string("tokenizer.chat_template"))
    }

    /// A template from its Jinja source; `nil` means plain ChatML.
    public init(source: String?) {
        self.source = source
        guard let source, source.contains(Self.start), source.contains(Self.end) else {
            isRecognized = false
            defaultSystemPrompt = nil
            return
        }
        isRecognized = true
        defaultSystemPrompt = Self.defaultSystemPrompt(in: source)
    }

    /// The prompt text for `messages`.
    ///
    /// - Parameter addGenerationPrompt: End with the opening of an assistant
    ///   turn, so the model's continuation is the reply.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var text = ""
        if let defaultSystemPrompt, messages.first?.role != .system {
            append(role: "system", content: defaultSystemPrompt, to: &text)
        }
        for message in messages {
            append(role: message.role.rawValue, content: message.content, to: &text)
        }
        if addGenerationPrompt {
            text += Self.start + "assistant\n"
        }
        return text
    }

    private func append(role: String, content: String, to text: inout String) {
        text += Self.start
        text += role
        text += "\n"
        text += content
        text += Self.end
        text += "\n"
    }

    /// The literal system turn a template emits when the first message is not
    /// a system message: the text between `<|im_start|>system\n` and
    /// `<|im_end|>` in a branch guarded by a `!= 'system'` test.
    static func defaultSystemPrompt(in source: String) -> String? {
        guard source.contains("!= 'system'") || source.contains("!= \"system\"") else { return nil }
        let opening = start + "system"
        guard let open = source.range(of: opening),
              let close = source.range(of: end, range: open.upperBound..<source.endIndex) else { return nil }
        var body = String(source[open.upperBound..<close.lowerBound])
        // A Jinja literal may spell the newline as an escape.
        if body.hasPrefix("\\n") {
            body.removeFirst(2)
        } else if body.hasPrefix("\n") {
            body.removeFirst()
        } else {
            return nil
        }
        // Anything computed (an expression or a tag) is not a fixed default.
        guard !body.contains("{{"), !body.contains("{%"), !body.contains("'"), !body.contains("\"") else { return nil }
        return body.replacingOccurrences(of: "\\n", with: "\n")
    }
}
