/// An incremental parser for `text/event-stream` bodies (the WHATWG server-sent
/// events format), fed with blocks of bytes split anywhere.
///
/// Lines end in LF, CRLF or CR, even when the CR and LF arrive in different blocks.
/// `:` comments and keep-alives are skipped; `data:` lines of one event are joined
/// with `\n`; an event is dispatched at the blank line that ends it (or at the end
/// of the stream, if the server closed without one).
struct SSEParser {
    /// Largest line accepted; a longer one means the peer is not speaking SSE.
    static let maximumLineLength = 8 << 20

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventName: String?
    private var lastWasCR = false
    /// True once a line exceeded ``maximumLineLength``.
    private(set) var overflowed = false

    init() {
        line.reserveCapacity(1024)
        data.reserveCapacity(1024)
    }

    /// Parses `bytes`, calling `onEvent(name, data)` for each complete event. Stops and
    /// returns false as soon as `onEvent` returns false or a line is too long.
    mutating func feed(_ bytes: UnsafeRawBufferPointer,
                       onEvent: (String?, UnsafeRawBufferPointer) -> Bool) -> Bool {
        var start = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                if byte == 0x0A, lastWasCR, start == index, line.isEmpty {
                    // The LF of a CRLF whose CR ended the previous line.
                    lastWasCR = false
                    index += 1
                    start = index
                    continue
                }
                lastWasCR = byte == 0x0D
                let keepGoing: Bool
                if line.isEmpty {
                    keepGoing = process(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), onEvent)
                } else {
                    // Swap the buffer out so `process` may mutate `self` while reading it.
                    var pending: [UInt8] = []
                    swap(&pending, &line)
                    pending.append(contentsOf: bytes[start..<index])
                    keepGoing = pending.withUnsafeBytes { process($0, onEvent) }
                    pending.removeAll(keepingCapacity: true)
                    swap(&pending, &line)
                }
                if !keepGoing { return false }
                index += 1
                start = index
            } else {
                lastWasCR = false
                index += 1
            }
        }
        if start < count {
            line.append(contentsOf: bytes[start..<count])
            if line.count > Self.maximumLineLength {
                overflowed = true
                return false
            }
        }
        return true
    }

    /// The stream ended: dispatches what an unterminated last line or event still holds.
    mutating func finish(onEvent: (String?, UnsafeRawBufferPointer) -> Bool) {
        if !line.isEmpty {
            let pending = line
            line.removeAll()
            guard pending.withUnsafeBytes({ process($0, onEvent) }) else { return }
        }
        if hasData { _ = dispatch(onEvent) }
    }

    // MARK: - Private

    private mutating func process(_ text: UnsafeRawBufferPointer,
                                  _ onEvent: (String?, UnsafeRawBufferPointer) -> Bool) -> Bool {
        if text.isEmpty { return hasData ? dispatch(onEvent) : resetEvent() }
        if text[0] == UInt8(ascii: ":") { return true }  // comment / keep-alive
        var colon = 0
        while colon < text.count, text[colon] != UInt8(ascii: ":") { colon += 1 }
        let field = UnsafeRawBufferPointer(rebasing: text[0..<colon])
        var valueStart = Swift.min(colon + 1, text.count)
        if valueStart < text.count, text[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = UnsafeRawBufferPointer(rebasing: text[valueStart..<text.count])
        if Self.equals(field, "data") {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if Self.equals(field, "event") {
            eventName = String(decoding: value, as: UTF8.self)
        }
        // `id` and `retry` only matter to reconnecting browsers.
        return true
    }

    private mutating func dispatch(_ onEvent: (String?, UnsafeRawBufferPointer) -> Bool) -> Bool {
        let keepGoing = data.withUnsafeBytes { onEvent(eventName, $0) }
        data.removeAll(keepingCapacity: true)
        hasData = false
        eventName = nil
        return keepGoing
    }

    private mutating func resetEvent() -> Bool {
        eventName = nil
        return true
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return bytes.elementsEqual(expected)
    }
}
