import Foundation

/// The parts of ../shared/reference/smollm2-llamacpp.json the numerics tests read.
struct ReferenceData: Decodable {
    struct Candidate: Decodable {
        var id: Int
        var logit: Float
    }
    struct FirstPosition: Decodable {
        var top10: [Candidate]
    }
    struct Prompt: Decodable {
        var id: String
        var promptTokenIDs: [Int32]
        var generatedTokenIDs: [Int32]
        var firstPosition: FirstPosition
        /// [[id, logit], ...] per generated position.
        var top5PerStep: [[[Double]]]

        enum CodingKeys: String, CodingKey {
            case id
            case promptTokenIDs = "prompt_token_ids"
            case generatedTokenIDs = "generated_token_ids"
            case firstPosition = "first_position"
            case top5PerStep = "top5_per_step"
        }

        /// The reference's best candidates at position `i`: the top 10 first, the top 5 later.
        func candidates(at i: Int) -> [Candidate] {
            i == 0 ? firstPosition.top10
                : top5PerStep[i].map { Candidate(id: Int($0[0]), logit: Float($0[1])) }
        }
    }
    var prompts: [Prompt]

    static func load() throws -> ReferenceData {
        try JSONDecoder().decode(ReferenceData.self, from: Data(contentsOf: Fixtures.referenceURL))
    }
}
