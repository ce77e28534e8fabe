import TroupeCore

/// Entry points into the wire layer for Benchmarks/remote, which measures them against
/// Foundation's parsers. Not API: `@_spi(Benchmarks)` keeps them out of normal imports.
@_spi(Benchmarks)
public enum WireBenchmarks {
    /// Decodes one streamed chunk payload (the text after `data: `) as the client does.
    public static func decodeChunk(_ payload: UnsafeRawBufferPointer) -> ChatDelta? {
        guard case .delta(let delta)? = ChatCompletionsDecoder.chunk(from: payload) else { return nil }
        return delta
    }

    /// Only libjansson's parse and free, for comparison with ``decodeChunk(_:)``.
    public static func parseOnly(_ payload: UnsafeRawBufferPointer) -> Bool {
        JanssonNode.parse(payload) { $0.isObject } ?? false
    }

    /// Splits an SSE body into events and decodes each, as the streaming client does;
    /// returns the number of deltas.
    public static func decodeStream(_ body: UnsafeRawBufferPointer) -> Int {
        var parser = SSEParser()
        var count = 0
        let onEvent: (String?, UnsafeRawBufferPointer) -> Bool = { _, data in
            if case .delta? = ChatCompletionsDecoder.chunk(from: data) { count += 1 }
            return true
        }
        _ = parser.feed(body, onEvent: onEvent)
        parser.finish(onEvent: onEvent)
        return count
    }
}
