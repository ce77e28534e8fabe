/// How the keys of steps are built from their place in the workflow: a child
/// `key` under `path` is `path/key`, a loop's iteration is `path[n]`. Keys are
/// what the journal records effects, messages and spans under, so they must be
/// the same in a run and in its resume or replay.
enum StepPath {
    /// The key of child `key` under `path`: `path/key`.
    static func child(_ key: String, of path: String) -> String {
        joined(path, UInt8(ascii: "/"), key, nil)
    }

    /// The path of a loop's iteration: `path[iteration]`.
    static func iteration(_ iteration: Int, of path: String) -> String {
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
