import Foundation
import GRDB

/// One workload's figures, printed as a single JSON object.
struct Report {
    private var fields: [(String, Any)] = [("impl", "troupe")]

    init(workload: String) { fields.append(("workload", workload)) }

    subscript(key: String) -> Any? {
        get { fields.first { $0.0 == key }?.1 }
        set {
            fields.removeAll { $0.0 == key }
            if let newValue { fields.append((key, newValue)) }
        }
    }

    func json() -> String {
        let object = Dictionary(fields, uniquingKeysWith: { _, last in last })
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

enum Measure {
    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func seconds(_ from: UInt64, _ to: UInt64) -> Double { Double(to - from) / 1e9 }

    /// The process's peak resident set (VmHWM), in MiB.
    static func peakRSSMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }

    /// Bytes of a closed SQLite store once its WAL is checkpointed into it: the
    /// data, not the WAL's high-water mark.
    static func storeBytes(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        return fileBytes(path)
    }

    /// Bytes of a SQLite file and its WAL, if any.
    static func fileBytes(_ path: String) -> Int {
        size(of: path) + size(of: path + "-wal")
    }

    /// Bytes of one file; 0 when it is missing.
    static func size(of file: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil) ?? 0
    }

    /// A fresh path for a store in `dir` (any old file and its WAL removed).
    static func freshStore(in dir: String, name: String) -> String {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent(name)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return path
    }

    static func round(_ value: Double, _ places: Int = 3) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}
