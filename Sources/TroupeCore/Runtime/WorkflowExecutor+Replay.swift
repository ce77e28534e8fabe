/// The strict replay's shortcut: a function step whose effect the recording holds
/// is answered without suspending, building a step context or a request string.
///
/// A replayed step's result is known before the step starts, so the general path
/// (async calls through ``StepContext/perform(_:request:seq:live:)``, a
/// `StepContext`, the canonical request) was most of a replayed step's time.
/// Anything the shortcut does not serve exactly — an effect missing, changed or
/// incomplete — takes that general path, which reports the divergence with both
/// requests as before.
extension WorkflowExecutor {
    /// Serves `node` from the recording when it is a function step of a strict
    /// replay whose compute effect was recorded completed with the same request:
    /// appends the step's message and returns true. Returns false, having done
    /// nothing, for anything else.
    func serveFromRecording(_ node: Node, path: String, transcript: inout [Message], parentSpan: String) -> Bool {
        // Only a strict replay: a resume also journals the served step, which awaits.
        guard run.discards, case .function(let key, _) = node else { return false }
        let nodePath = Self.path(path, key)
        // The request `runFunction` would make, `{"input": last}`, hashed in place.
        let last = transcript.isEmpty ? "" : transcript[transcript.count - 1].content
        let hash = Canonical.objectHash("input", last)
        guard let recorded = run.servedResult(step: nodePath, seq: 1, kind: .compute, requestHash: hash),
              let output = Canonical.plainString(recorded) ?? (try? Canonical.decode(String.self, from: recorded))
        else { return false }
        run.noteEffect(live: false)
        let message = Message(id: nodePath, sender: key, content: output, spanID: run.spanID(for: nodePath))
        run.emit(.stepFinished(step: nodePath, output: output, served: true))
        transcript.append(message)
        return true
    }

    /// The key of child `key` under `path`: `path/key`.
    static func path(_ path: String, _ key: String) -> String {
        joined(path, UInt8(ascii: "/"), key, nil)
    }

    /// The path of a loop's iteration: `path[iteration]`.
    static func path(_ path: String, iteration: Int) -> String {
        joined(path, UInt8(ascii: "["), String(iteration), UInt8(ascii: "]"))
    }

    /// `head + separator + tail + end`, copied into one new string. Growing a copy
    /// of `head` with `+=` went through String's general append and cost as much
    /// as the rest of a replayed step.
    private static func joined(_ head: String, _ separator: UInt8, _ tail: String, _ end: UInt8?) -> String {
        var head = head
        var tail = tail
        let count = head.utf8.count + 1 + tail.utf8.count + (end == nil ? 0 : 1)
        return head.withUTF8 { first in
            tail.withUTF8 { second in
                String(unsafeUninitializedCapacity: count) { buffer in
                    var at = buffer.initialize(fromContentsOf: first)
                    buffer[at] = separator
                    at += 1
                    at = buffer[at...].initialize(fromContentsOf: second)
                    if let end {
                        buffer[at] = end
                        at += 1
                    }
                    return at
                }
            }
        }
    }
}
