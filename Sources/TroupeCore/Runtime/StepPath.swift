/// How the keys of steps and effects are built from their place in the workflow:
/// a child `key` under `path` is `path/key`; a loop's iteration, a map's item or a
/// chat's turn is `path[n]`; effect `seq` of a step is `step#seq`. Keys are what
/// the journal records effects, messages and spans under, so they must be the
/// same in a run and in its resume or replay: build them here only.
package enum StepPath {
    /// The key of child `key` under `path`: `path/key`.
    package static func child(_ key: String, of path: String) -> String {
        joined(path, UInt8(ascii: "/"), key, nil)
    }

    /// The path of the `number`th of something under `path`: `path[number]`
    /// (loop iterations, map items and chat turns count from 1).
    package static func numbered(_ number: Int, of path: String) -> String {
        joined(path, UInt8(ascii: "["), String(number), UInt8(ascii: "]"))
    }

    /// The key of effect `seq` of the step with key `step`: `step#seq`.
    package static func effect(_ seq: Int, of step: String) -> String {
        joined(step, UInt8(ascii: "#"), String(seq), nil)
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
