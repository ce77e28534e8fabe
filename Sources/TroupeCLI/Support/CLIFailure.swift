/// A failure the CLI reports with its own message and exit code.
struct CLIFailure: Error {
    let message: String
    /// 1: the run or command failed; 2: wrong usage; 3: a replay diverged.
    let code: Int32

    static func failed(_ message: String) -> CLIFailure { CLIFailure(message: "error: " + message, code: 1) }
    static func usage(_ message: String) -> CLIFailure { CLIFailure(message: "error: " + message, code: 2) }
}
