import TroupeCore

extension PolicyTrace {
    /// How an error appears in spans: its description, never a key (errors are redacted).
    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }
}
