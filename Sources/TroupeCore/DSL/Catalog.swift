/// Workflows registered by name, so the CLI can run, resume and replay them.
///
/// ```swift
/// let catalog = try Catalog([review, research, triage])
/// let workflow = try catalog.workflow(named: "review")
/// ```
public struct Catalog: Sendable {
    public private(set) var workflows: [String: Workflow] = [:]

    public init(_ workflows: [Workflow]) throws {
        for workflow in workflows {
            guard self.workflows[workflow.name] == nil else {
                throw CatalogError.duplicate(workflow.name)
            }
            self.workflows[workflow.name] = workflow
        }
    }

    /// Workflow names, sorted.
    public var names: [String] { workflows.keys.sorted() }

    /// The workflow with this name.
    /// - Throws: ``CatalogError/unknown(_:known:)`` listing the known names.
    public func workflow(named name: String) throws -> Workflow {
        guard let workflow = workflows[name] else { throw CatalogError.unknown(name, known: names) }
        return workflow
    }
}

/// Errors of looking up workflows.
public enum CatalogError: Error, CustomStringConvertible, Sendable {
    case unknown(String, known: [String])
    case duplicate(String)

    public var description: String {
        switch self {
        case .unknown(let name, let known):
            "no workflow named '\(name)'; known workflows: \(known.joined(separator: ", "))"
        case .duplicate(let name):
            "two workflows are named '\(name)'; names in a catalog must differ"
        }
    }
}
