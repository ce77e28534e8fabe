/// What a tool call knows about the run it is part of, for tools that need it
/// (the memory tools, for instance). Set for the duration of each call an agent
/// makes; nil outside a run (`troupe tools call`, tests calling a tool directly).
///
/// ```swift
/// func call(arguments: Arguments) async throws -> String {
///     guard let memory = ToolContext.current?.memory else { throw MemoryUnavailable(operation: name) }
///     …
/// }
/// ```
public struct ToolContext: Sendable {
    public let runID: String
    /// The step whose agent made the call.
    public let step: String
    public let callID: String
    /// The key of the call's effect: unique in the run and the same when a
    /// resumed run makes the call again, so a good idempotency key for writes.
    public let effectKey: String
    /// The run's long-term memory, when its journal has one.
    public let memory: (any MemoryStore)?

    public init(runID: String, step: String, callID: String, effectKey: String, memory: (any MemoryStore)?) {
        self.runID = runID
        self.step = step
        self.callID = callID
        self.effectKey = effectKey
        self.memory = memory
    }

    /// The context of the tool call this task is running, if any.
    @TaskLocal public static var current: ToolContext?
}
