import Foundation
import Troupe

/// Where the CLI finds local models: `$TROUPE_MODELS`, `./models`, or the
/// `models` folder of the checkout this `troupe` was built in (so the binary
/// works from any directory after `scripts/setup`).
enum LocalModels {
    /// The first candidate folder that holds the default model, else the usual one.
    static func locator() -> ModelLocator {
        let usual = ModelLocator()
        if ProcessInfo.processInfo.environment[ModelLocator.environmentKey] != nil
            || FileManager.default.fileExists(atPath: usual.defaultModelURL.path) {
            return usual
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            let candidate = ModelLocator(directory: folder.appendingPathComponent("models", isDirectory: true))
            if FileManager.default.fileExists(atPath: candidate.defaultModelURL.path) { return candidate }
        }
        return usual
    }
}
