import Foundation
import Synchronization
import Troupe

/// Prints what agents say as they say it: `writer ▸ text…`, one agent streaming at
/// a time; agents speaking at once (parallel branches) are printed whole as they
/// finish, so lines never interleave.
final class ConsoleReporter: Sendable {
    private struct State {
        var streaming: String?
        var streamedAny = false
        var buffered: [String: String] = [:]
    }
    private let state = Mutex(State())
    private let showServed: Bool

    init(showServed: Bool = true) { self.showServed = showServed }

    var observer: RunObserver { { [self] event in handle(event) } }

    private func handle(_ event: RunEvent) {
        switch event {
        case .turnStarted(let agent, let step):
            let header: String? = state.withLock { state in
                guard state.streaming == nil else {
                    state.buffered[step] = ""
                    return nil
                }
                state.streaming = step
                state.streamedAny = false
                return Self.header(agent)
            }
            if let header { Terminal.out(header) }
        case .delta(_, let step, let text):
            let live = state.withLock { state -> Bool in
                if state.streaming == step {
                    state.streamedAny = true
                    return true
                }
                state.buffered[step, default: ""] += text
                return false
            }
            if live { Terminal.out(text) }
        case .turnFinished(let agent, let step, let message, let served):
            let output: String = state.withLock { state in
                if state.streaming == step {
                    state.streaming = nil
                    guard !state.streamedAny else { return "\n" }
                    return message.content + (served ? Terminal.dim("  (from journal)") : "") + "\n"
                }
                state.buffered[step] = nil
                guard showServed || !served else { return "" }
                return Self.header(agent) + message.content
                    + (served ? Terminal.dim("  (from journal)") : "") + "\n"
            }
            Terminal.out(output)
        case .stepFinished(let step, let output, let served):
            if showServed || !served {
                let name = step.split(separator: "/").last.map(String.init) ?? step
                Terminal.out(Terminal.dim("\(name) → \(output)") + (served ? Terminal.dim("  (from journal)") : "") + "\n")
            }
        case .runStarted, .runFinished:
            break
        }
    }

    private static func header(_ agent: String) -> String { Terminal.bold(agent) + " ▸ " }
}
