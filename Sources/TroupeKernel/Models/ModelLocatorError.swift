/// Why a local model file could not be found, and how to get it.
public enum ModelLocatorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The model the caller asked for is not in the models folder.
    case notFound(name: String, searched: String)

    public var description: String {
        switch self {
        case .notFound(let name, let searched):
            if name == ModelLocator.defaultFileName {
                "the default model \(name) is not in \(searched). Run scripts/setup to fetch it (or set TROUPE_MODELS to the folder that holds it)."
            } else {
                "no model named '\(name)' in \(searched). Run `troupe models` to list local models, pass a path to a .gguf file, or set TROUPE_MODELS."
            }
        }
    }
}
