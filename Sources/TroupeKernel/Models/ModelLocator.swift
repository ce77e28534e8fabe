import Foundation

/// Finds GGUF model files on disk: the models folder, the default model, a model by name.
///
/// The folder is `$TROUPE_MODELS` when set, else `./models` (relative to the
/// current directory), which is where `scripts/setup` puts the default model,
/// SmolLM2-135M-Instruct (Q4_1).
///
/// ```swift
/// let url = try ModelLocator().url(for: nil)          // the default model
/// let other = try ModelLocator().url(for: "my-model") // models/my-model.gguf
/// ```
public struct ModelLocator: Sendable, Hashable {
    /// The file name of the default model.
    public static let defaultFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    /// The environment variable that overrides the models folder.
    public static let environmentKey = "TROUPE_MODELS"

    /// The folder searched for models.
    public let directory: URL

    /// A locator for `directory`, or for `$TROUPE_MODELS` / `./models` when `nil`.
    public init(directory: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let directory {
            self.directory = directory
        } else if let configured = environment[Self.environmentKey], !configured.isEmpty {
            self.directory = URL(fileURLWithPath: configured, isDirectory: true)
        } else {
            self.directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
                .appendingPathComponent("models", isDirectory: true)
        }
    }

    /// The path of the default model (which may not exist yet).
    public var defaultModelURL: URL { directory.appendingPathComponent(Self.defaultFileName) }

    /// The model file for `name`, checked to exist.
    ///
    /// `nil` is the default model. A name containing `/` or ending in `.gguf`
    /// that exists as given is used as a path; otherwise the name is looked up
    /// in ``directory``, with or without its `.gguf` extension.
    ///
    /// - Throws: ``ModelLocatorError/notFound(name:searched:)`` saying how to get the file.
    public func url(for name: String?) throws(ModelLocatorError) -> URL {
        guard let name, !name.isEmpty else {
            guard Self.isFile(defaultModelURL) else {
                throw .notFound(name: Self.defaultFileName, searched: directory.path)
            }
            return defaultModelURL
        }
        if name.contains("/") || name.hasSuffix(".gguf") {
            let direct = URL(fileURLWithPath: name)
            if Self.isFile(direct) { return direct }
        }
        for candidate in [name, name + ".gguf"] {
            let url = directory.appendingPathComponent(candidate)
            if Self.isFile(url) { return url }
        }
        // A unique prefix, such as `SmolLM2`, is enough.
        let matches = localModels().filter { $0.lastPathComponent.lowercased().hasPrefix(name.lowercased()) }
        if matches.count == 1, let only = matches.first { return only }
        throw .notFound(name: name, searched: directory.path)
    }

    /// Every `.gguf` file in ``directory``, sorted by name; empty when the folder is missing.
    public func localModels() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".gguf") }.sorted()
            .map { directory.appendingPathComponent($0) }
            .filter(Self.isFile)
    }

    private static func isFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
