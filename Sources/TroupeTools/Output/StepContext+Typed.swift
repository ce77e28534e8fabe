import Foundation
import TroupeCore

extension StepContext {
    /// Asks `agent`'s model for a `T`, as JSON constrained by `T`'s derived schema,
    /// and decodes it. Journaled like any model call.
    ///
    /// ```swift
    /// Step("ticket") { input in
    ///     guard let context = input.context else { return "" }
    ///     let ticket = try await context.respond(as: .ticketWriter, to: input.messages, generating: Ticket.self)
    ///     return ticket.summary
    /// }
    /// ```
    ///
    /// The request carries `responseFormat: .jsonSchema`: remote models get it as
    /// `response_format`, the local model as guided decoding. The answer is
    /// validated against the schema before decoding.
    ///
    /// - Throws: ``TypedOutputError`` when the schema cannot be derived or the
    ///   answer does not match it; the model's errors.
    public func respond<T: Decodable>(as agent: Agent, to transcript: [Message],
                                      generating type: T.Type) async throws -> T {
        let (request, schema) = try TypedOutput.request(for: agent, transcript: transcript, generating: type)
        let response = try await complete(request, model: agent.model, agent: agent.name)
        return try TypedOutput.decode(response, schema: schema, as: type, agent: agent)
    }
}

extension Step {
    /// A step where `agent` answers with a `T` (see ``TroupeCore/StepContext/respond(as:to:generating:)``);
    /// the message it adds is `T` as JSON with sorted keys.
    ///
    /// ```swift
    /// Step(.ticketWriter, output: Ticket.self)
    /// ```
    public init<T: Codable & Sendable>(_ agent: Agent, key: String? = nil, output type: T.Type) {
        let key = key ?? agent.name
        self.init(key) { input in
            guard let context = input.context else { throw TypedOutputError.noContext(step: key) }
            let value = try await context.respond(as: agent, to: input.messages, generating: type)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        }
    }
}

/// A typed answer could not be had.
public enum TypedOutputError: Error, Sendable, Hashable, CustomStringConvertible {
    case noSchema(agent: String, reason: String)
    case invalid(agent: String, reason: String, answer: String)
    case noContext(step: String)

    public var description: String {
        switch self {
        case .noSchema(let agent, let reason):
            "\(agent)'s output type has no JSON Schema: \(reason)"
        case .invalid(let agent, let reason, let answer):
            "\(agent) answered with JSON that does not match the output type (\(reason)): \(answer); "
                + "use a model that honours response formats (the local model does, by guided decoding)"
        case .noContext(let step):
            "step '\(step)' ran without a step context; run it through a WorkflowRunner"
        }
    }
}
