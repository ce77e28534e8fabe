import Foundation
import Synchronization

/// Numbers rows in the order they are first written (the `ord` column).
///
/// Starts from the wall clock in nanoseconds and counts up, so numbers grow
/// within a process and, as long as the clock does not jump back, across the
/// processes that continue a run (a resume days later numbers after the
/// original). Only the order of rows within one run matters.
final class WriteOrder: Sendable {
    private let last: Mutex<Int64>

    init() {
        last = Mutex(Int64(Date().timeIntervalSince1970 * 1e9))
    }

    func next() -> Int64 {
        last.withLock { value in
            value += 1
            return value
        }
    }
}
