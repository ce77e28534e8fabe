import Foundation
import TroupeCore

/// How an agent is asked for a value of a Codable type: the request (with the
/// type's JSON Schema as the response format) and the checked decoding of the answer.
/// Shared by workflow steps (journaled) and ``TroupeCore/Agent/respond(to:generating:using:)``.
enum TypedOutput {
    static func request<T: Decodable>(for agent: Agent, transcript: [Message], generating type: T.Type)
        throws -> (ChatRequest, JSONValue)
    {
        let schema: JSONValue
        do {
            schema = try JSONSchema.derive(type)
        } catch {
            throw TypedOutputError.noSchema(agent: agent.name, reason: error.description)
        }
        let messages = agent.conversation(of: transcript,
                                          extraInstructions: "Answer with one JSON object and nothing else.")
        let name = String(describing: type).filter { $0.isLetter || $0.isNumber }
        let request = ChatRequest(messages: messages, responseFormat: .jsonSchema(name: name, schema: schema),
                                  sampling: agent.sampling)
        return (request, schema)
    }

    static func decode<T: Decodable>(_ response: ChatResponse, schema: JSONValue, as type: T.Type,
                                     agent: Agent) throws -> T {
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            try JSONSchemaValidator(schema: schema).validate(json: text)
        } catch {
            throw TypedOutputError.invalid(agent: agent.name, reason: error.description, answer: String(text.prefix(200)))
        }
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw TypedOutputError.invalid(agent: agent.name, reason: String(describing: error), answer: String(text.prefix(200)))
        }
    }
}

extension Agent {
    /// Asks this agent once, outside any workflow, for a `T`: the request carries
    /// `T`'s JSON Schema (`response_format` for remote models, guided decoding for
    /// the local one) and the answer is validated before it is decoded.
    ///
    /// ```swift
    /// let ticket = try await Agent.ticketWriter.respond(to: "I was charged twice",
    ///                                                   generating: Ticket.self, using: models)
    /// ```
    ///
    /// Nothing is journaled; inside a workflow use `Step(agent, output: T.self)`.
    /// - Throws: ``TypedOutputError``, or the model's errors.
    public func respond<T: Decodable>(to prompt: String, generating type: T.Type,
                                      using models: any ModelProvider) async throws -> T {
        let transcript = [Message(id: "input", sender: "user", role: .user, content: prompt)]
        let (request, schema) = try TypedOutput.request(for: self, transcript: transcript, generating: type)
        let response = try await (model.instance ?? models.model(for: model)).respond(to: request)
        return try TypedOutput.decode(response, schema: schema, as: type, agent: self)
    }
}
