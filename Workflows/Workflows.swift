import Troupe

/// The workflows that ship with Troupe, registered by name.
public enum Workflows {
    /// Every bundled workflow, by name.
    public static func catalog() throws -> Catalog {
        try Catalog([review(), research(), triage(), count(), support()])
    }
}
