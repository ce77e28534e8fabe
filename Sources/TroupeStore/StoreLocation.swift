import Foundation

/// Where the store lives: `--store PATH`, else `TROUPE_STORE`, else
/// `traces/troupe.sqlite` under the working directory.
///
/// ```swift
/// let path = try StoreLocation.resolve(explicit: options.store)
/// let journal = try SQLiteJournal(path: path)
/// ```
public enum StoreLocation {
    /// The environment variable that names the store when `--store` is not given.
    public static let environmentVariable = "TROUPE_STORE"
    /// The default store, relative to the working directory.
    public static let defaultRelativePath = "traces/troupe.sqlite"

    /// The store path to use, as an absolute path.
    ///
    /// A relative `explicit` or environment path is taken from
    /// `workingDirectory`. Only for the default location is the `traces` folder
    /// created when missing; an explicit path must name an existing folder, so a
    /// typo does not silently create one.
    ///
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the default folder
    ///   cannot be created.
    public static func resolve(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> String {
        let base = URL(fileURLWithPath: workingDirectory, isDirectory: true)
        if let explicit, !explicit.isEmpty {
            return absolute(explicit, base: base)
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return absolute(fromEnvironment, base: base)
        }
        let path = base.appendingPathComponent(defaultRelativePath).path
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "its folder cannot be created (\(error.localizedDescription))")
        }
        return path
    }

    private static func absolute(_ path: String, base: URL) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return base.appendingPathComponent(expanded).standardizedFileURL.path
    }
}
