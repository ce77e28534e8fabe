import Foundation

/// The command line: `troupe-bench WORKLOAD [--option value …]`.
enum Bench {
    static let usage = """
        usage: troupe-bench WORKLOAD [options]   (prints one JSON object)
          ring     --mode publish|send [--hops 20000] [--warmup 2000] [--repeat 1]
          loop     --steps N --durability full|normal [--dir DIR]
          ceiling  [--commits 300] [--dir DIR]
          replay   [--steps 1000] [--durability normal] [--dir DIR]
          crash    [--steps 300] [--at 150] [--durability normal] [--dir DIR]
        """

    static func main(_ arguments: [String]) async -> Int32 {
        guard let workload = arguments.first else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 2
        }
        let options = Options(Array(arguments.dropFirst()))
        do {
            let report: Report
            switch workload {
            case "ring": report = try await RingBench.run(options)
            case "loop": report = try await DurableLoopBench.run(options)
            case "ceiling": report = try DiskCeilingBench.run(options)
            case "replay": report = try await ReplayBench.run(options)
            case "crash": report = try await CrashBench.run(options)
            case "crash-child": report = try await CrashBench.child(options)
            default:
                FileHandle.standardError.write(Data("unknown workload '\(workload)'\n\(usage)\n".utf8))
                return 2
            }
            print(report.json())
            return 0
        } catch {
            FileHandle.standardError.write(Data("troupe-bench \(workload): \(error)\n".utf8))
            return 1
        }
    }
}

/// `--name value` pairs; the first bare word (if any) is the positional argument.
struct Options {
    private var values: [String: String] = [:]
    private(set) var positional: [String] = []

    init(_ arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--"), index + 1 < arguments.count {
                values[String(argument.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                positional.append(argument)
                index += 1
            }
        }
    }

    func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap { Int($0) } ?? fallback }
    func optional(_ name: String) -> String? { values[name] }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
