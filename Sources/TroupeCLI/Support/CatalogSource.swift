import Synchronization
import Troupe
import Workflows

/// Where the CLI finds workflows: the bundled catalog, or one a user's own
/// `troupe` executable passes to ``TroupeCommand/start(catalog:)``.
public struct CatalogSource: Sendable {
    let make: @Sendable () throws -> Catalog

    public init(_ make: @escaping @Sendable () throws -> Catalog) { self.make = make }

    /// The workflows that ship with Troupe.
    public static let bundled = CatalogSource { try Workflows.catalog() }

    private static let selected = Mutex<CatalogSource>(.bundled)
    static var current: CatalogSource {
        get { selected.withLock { $0 } }
        set { selected.withLock { $0 = newValue } }
    }

    static func load() throws -> Catalog {
        do {
            return try current.make()
        } catch {
            throw CLIFailure.failed("a workflow definition is invalid: \(error)")
        }
    }
}
