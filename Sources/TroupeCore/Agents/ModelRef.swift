/// Which model an agent talks to, as a description: resolved to a ``ChatModel`` by
/// the ``ModelProvider`` of the run, so one workflow runs on the local kernel, a
/// remote endpoint or a scripted double without changing its code.
///
/// ```swift
/// Agent("critic", instructions: "…", model: .local(.smolLM2))
/// Agent("writer", instructions: "…", model: .openAI("gpt-4o-mini"))
/// Agent("tester", instructions: "…", model: .endpoint("ollama", model: "llama3.2"))
/// ```
public struct ModelRef: Sendable, CustomStringConvertible {
    /// `local`, `local:NAME`, `openai:NAME`, `ENDPOINT:NAME`, `scripted`, or `default`.
    public var spec: String
    /// A model instance supplied directly; wins over `spec`.
    public var instance: (any ChatModel)?

    public init(spec: String) {
        self.spec = spec
        self.instance = nil
    }

    /// Uses this model instance as it is.
    public static func model(_ model: any ChatModel) -> ModelRef {
        var ref = ModelRef(spec: model.id.rawValue)
        ref.instance = model
        return ref
    }

    /// Whatever the run is configured with: the local model unless `--model` says otherwise.
    public static let `default` = ModelRef(spec: "default")

    /// A model run by Troupe's own kernel, offline.
    public static func local(_ name: LocalModelName = .smolLM2) -> ModelRef {
        ModelRef(spec: "local:\(name.rawValue)")
    }

    /// A model of the OpenAI API (or of `OPENAI_BASE_URL`).
    public static func openAI(_ name: String) -> ModelRef { ModelRef(spec: "openai:\(name)") }

    /// A model of a named endpoint from the endpoints configuration.
    public static func endpoint(_ endpoint: String, model: String) -> ModelRef {
        ModelRef(spec: "\(endpoint):\(model)")
    }

    /// The part before `:`, e.g. `openai`, `local`, `scripted`.
    public var provider: String {
        spec.split(separator: ":", maxSplits: 1).first.map(String.init) ?? spec
    }

    /// The part after `:`, if any.
    public var name: String? {
        let parts = spec.split(separator: ":", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : nil
    }

    public var description: String { spec }
}

/// The local models Troupe knows by name.
public struct LocalModelName: Sendable, Hashable, RawRepresentable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// SmolLM2-135M-Instruct, Q4_1: the embedded default.
    public static let smolLM2 = LocalModelName(rawValue: "smollm2-135m")
}
