import Foundation
import TroupeCore

/// Deterministic answers for the bundled workflows, computed from the request, so
/// the demos and end-to-end tests run without a model (`troupe run --model scripted`).
///
/// Critics approve on their second turn, dispatchers hand off, selectors pick the
/// first member who has not spoken yet; everyone else drafts a reply that names
/// the turn and echoes the request.
public enum DemoScript {
    /// A scripted model answering every request this way, after `delay`.
    public static func model(delay: Duration = .zero) -> ScriptedModel {
        ScriptedModel(id: "scripted/demo", answering: { answer(to: $0) }, delay: delay)
    }

    /// The demo answer to `request`, tool calls included: JSON valid for the
    /// schema when one is asked for; a call of the first tool (not a handoff)
    /// whose arguments are all strings, with the run's input, before any tool
    /// result is in; the first line of the last tool result after; else ``reply(to:)``.
    public static func answer(to request: ChatRequest) -> ScriptedModel.Reply {
        let conversation = request.messages.filter { $0.role != .system }.map(\.content).joined(separator: "\n")
        // The run's input: the first user message.
        let first = request.messages.first { $0.role == .user }?.content ?? ""
        let topic = String(first.split(separator: "\n").first?.prefix(80) ?? "")
        if case .jsonSchema(_, let schema) = request.responseFormat {
            return .text(SchemaExample.json(for: schema, context: conversation, topic: topic))
        }
        let tools = request.tools.filter { !$0.name.hasPrefix("transfer_to_") }
        if let result = request.messages.last(where: { $0.role == .tool }) {
            if request.messages.last?.role == .tool {
                return .text("Found: " + (result.content.split(separator: "\n").first.map(String.init) ?? result.content))
            }
        } else if let tool = tools.first(where: SchemaExample.takesOnlyStrings) {
            let arguments = SchemaExample.json(for: tool.parameters, context: "", topic: topic)
            return .toolCalls([ToolCall(id: "call_demo_1", name: tool.name, arguments: arguments)])
        }
        return .text(reply(to: request))
    }

    /// The demo answer to `request`.
    public static func reply(to request: ChatRequest) -> String {
        let system = request.messages.first { $0.role == .system }?.content ?? ""
        let turn = request.messages.filter { $0.role == .assistant }.count + 1
        let last = request.messages.last { $0.role == .user }?.content ?? ""
        let topic = String(last.split(separator: "\n").first?.prefix(60) ?? "")

        if system.hasPrefix("You choose who speaks next") {
            return pickSpeaker(system: system, conversation: last)
        }
        if let targets = handoffTargets(system), turn == 1, let first = targets.first {
            return "This needs \(first). Passing it on.\nHANDOFF: \(first)"
        }
        if system.contains("APPROVED") {
            return turn >= 2 ? "APPROVED. Clear and concrete." : "Make it shorter and add one concrete example."
        }
        if system.contains("RESOLVED") {
            return "Here is the fix for: \(topic). RESOLVED"
        }
        return "Draft \(turn) on \"\(topic)\"."
    }

    private static func handoffTargets(_ system: String) -> [String]? {
        guard let range = system.range(of: "where <name> is one of: ") else { return nil }
        let list = system[range.upperBound...].prefix { $0 != "." }
        return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private static func pickSpeaker(system: String, conversation: String) -> String {
        let members = system.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("- "), let colon = line.firstIndex(of: ":") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 2)..<colon])
        }
        let spoken = Set(conversation.split(separator: "\n").compactMap { line in
            line.firstIndex(of: ":").map { String(line[..<$0]) }
        })
        return members.first { !spoken.contains($0) } ?? members.first ?? ""
    }
}
