import Foundation
import Troupe

/// A run's spans arranged for reading: a tree by parent, and causal chains by link.
struct TraceView {
    let spans: [SpanRecord]
    let links: [SpanLinkRecord]
    private let byID: [String: SpanRecord]
    private let children: [String: [SpanRecord]]
    private let causes: [String: [String]]

    init(spans: [SpanRecord], links: [SpanLinkRecord]) {
        self.spans = spans
        self.links = links
        byID = Dictionary(spans.map { ($0.spanID, $0) }, uniquingKeysWith: { _, last in last })
        children = Dictionary(grouping: spans.filter { $0.parentID != nil }, by: { $0.parentID ?? "" })
            .mapValues { $0.sorted { ($0.startTime, $0.name) < ($1.startTime, $1.name) } }
        causes = Dictionary(grouping: links, by: \.spanID).mapValues { $0.map(\.linkedSpanID) }
    }

    /// A span by id, id prefix, or step key (an agent step resolves to its turn).
    func find(_ query: String) -> SpanRecord? {
        if let span = byID[query] { return span }
        let byKey = spans.filter { $0.attributes["troupe.step.key"]?.stringValue == query }
        if let turn = byKey.first(where: { $0.kind == .agentTurn }) ?? byKey.first { return turn }
        let prefixed = spans.filter { $0.spanID.hasPrefix(query) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    // MARK: Tree

    func renderTree() -> String {
        var out = ""
        let roots = spans.filter { $0.parentID == nil || byID[$0.parentID ?? ""] == nil }
            .sorted { $0.startTime < $1.startTime }
        for root in roots { render(root, prefix: "", isLast: true, isRoot: true, into: &out) }
        return out
    }

    private func render(_ span: SpanRecord, prefix: String, isLast: Bool, isRoot: Bool, into out: inout String) {
        let branch = isRoot ? "" : (isLast ? "└─ " : "├─ ")
        out += prefix + branch + describe(span) + "\n"
        let kids = children[span.spanID] ?? []
        let childPrefix = isRoot ? "" : prefix + (isLast ? "   " : "│  ")
        for (index, child) in kids.enumerated() {
            render(child, prefix: childPrefix, isLast: index == kids.count - 1, isRoot: false, into: &out)
        }
    }

    private func describe(_ span: SpanRecord) -> String {
        var parts = [span.name]
        if let duration = span.duration { parts.append(Self.format(duration)) }
        let input = span.attributes["gen_ai.usage.input_tokens"].flatMap(Self.int)
        let output = span.attributes["gen_ai.usage.output_tokens"].flatMap(Self.int)
        if let input, let output, input + output > 0 { parts.append("\(input)→\(output) tok") }
        if case .error(let message) = span.status { parts.append("ERROR: \(message.prefix(80))") }
        parts.append(Terminal.dim("[\(span.spanID)]"))
        return parts.joined(separator: "  ")
    }

    // MARK: Causality

    /// The span and every span it was caused by, nearest first (breadth first).
    func causes(of span: SpanRecord) -> [SpanRecord] {
        var seen: Set<String> = [span.spanID]
        var order = [span]
        var queue = [span.spanID]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            let owner = turnOwning(current)
            for cause in (causes[owner] ?? []) where seen.insert(cause).inserted {
                if let record = byID[cause] { order.append(record) }
                queue.append(cause)
            }
        }
        return order
    }

    /// Model and tool calls are caused by the turn they belong to.
    private func turnOwning(_ id: String) -> String {
        guard let span = byID[id], span.kind == .modelCall || span.kind == .toolCall,
              let parent = span.parentID else { return id }
        return parent
    }

    func renderWhy(_ span: SpanRecord) -> String {
        var out = ""
        var visited: Set<String> = []
        chain(span.spanID, depth: 0, visited: &visited, into: &out)
        return out
    }

    private func chain(_ id: String, depth: Int, visited: inout Set<String>, into out: inout String) {
        guard let span = byID[id] else { return }
        let indent = String(repeating: "  ", count: depth)
        let arrow = depth == 0 ? "" : "← "
        out += indent + arrow + summary(span) + "\n"
        guard visited.insert(id).inserted else { return }
        for cause in causes[turnOwning(id)] ?? [] {
            chain(cause, depth: depth + 1, visited: &visited, into: &out)
        }
    }

    private func summary(_ span: SpanRecord) -> String {
        switch span.kind {
        case .run:
            let input = span.attributes["troupe.run.input"]?.stringValue ?? ""
            return "run input: \"\(input)\"  \(Terminal.dim("[\(span.spanID)]"))"
        default:
            let key = span.attributes["troupe.step.key"]?.stringValue ?? ""
            let preview = span.attributes["troupe.message.preview"]?.stringValue.map { "  \"\($0)\"" } ?? ""
            return "\(span.name) (\(key))\(preview)  \(Terminal.dim("[\(span.spanID)]"))"
        }
    }

    // MARK: Formatting and JSON

    static func format(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.1fms", seconds * 1000) : String(format: "%.2fs", seconds)
    }

    static func int(_ value: JSONValue) -> Int? {
        if case .number(let number) = value { return Int(number) }
        return nil
    }

    struct JSONSpan: Encodable {
        let spanID: String
        let parentID: String?
        let name: String
        let kind: String
        let start: Double
        let end: Double?
        let error: String?
        let attributes: [String: JSONValue]
        init(_ span: SpanRecord) {
            spanID = span.spanID
            parentID = span.parentID
            name = span.name
            kind = span.kind.rawValue
            start = span.startTime
            end = span.endTime
            if case .error(let message) = span.status { error = message } else { error = nil }
            attributes = span.attributes
        }
        enum CodingKeys: String, CodingKey {
            case spanID = "span_id", parentID = "parent_id", name, kind, start, end, error, attributes
        }
    }

    struct JSONTrace: Encodable {
        let spans: [JSONSpan]
        let links: [[String: String]]
        init(_ view: TraceView) {
            spans = view.spans.map(JSONSpan.init)
            links = view.links.map { ["span_id": $0.spanID, "caused_by": $0.linkedSpanID] }
        }
    }
}
