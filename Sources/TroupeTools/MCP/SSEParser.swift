/// An incremental parser of `text/event-stream` bodies: feed it bytes as they
/// arrive, get back the events they complete.
///
/// Follows the HTML living standard's rules: lines end with LF, CRLF or CR; a line
/// starting with `:` is a comment; `data` lines of one event are joined with LF; a
/// blank line dispatches the event; a field without a colon has an empty value.
struct SSEParser {
    /// One dispatched event.
    struct Event: Equatable {
        /// The `event` field, or `message` when there was none.
        var type: String
        var data: String
        var id: String?
    }

    private var line: [UInt8] = []
    private var afterCR = false
    private var type = ""
    private var data: [String] = []
    private var hasData = false
    private var id: String?

    /// Parses `bytes`, returning the events completed by them, in order.
    mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var events: [Event] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF
            }
            switch byte {
            case 0x0A:
                endLine(into: &events)
            case 0x0D:
                afterCR = true
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [Event]) {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            if hasData {
                events.append(Event(type: type.isEmpty ? "message" : type,
                                    data: data.joined(separator: "\n"), id: id))
            }
            type = ""
            data = []
            hasData = false
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring, value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            var rest = text[text.index(after: colon)...]
            if rest.first == " " { rest = rest.dropFirst() }
            value = rest
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data":
            data.append(String(value))
            hasData = true
        case "event":
            type = String(value)
        case "id":
            id = String(value)
        default:
            break  // `retry` and unknown fields do not matter for MCP answers
        }
    }
}
