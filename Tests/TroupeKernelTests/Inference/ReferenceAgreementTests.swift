import Foundation
import Testing
@testable import TroupeKernel

/// Teacher-forced agreement with llama.cpp on every shared reference prompt:
/// the bar is the one llama.cpp's own builds clear against this reference.
@Suite("Agreement with llama.cpp")
struct ReferenceAgreementTests {
    struct Agreement {
        var positions = 0
        var argmaxMatches = 0
        var deltaSum = 0.0
        var deltaCount = 0
        var matchRate: Double { Double(argmaxMatches) / Double(max(positions, 1)) }
        var meanDelta: Double { deltaSum / Double(max(deltaCount, 1)) }
    }

    static func measure(_ model: Transformer, _ reference: ReferenceData) throws -> Agreement {
        var total = Agreement()
        for prompt in reference.prompts {
            var position = 0
            try model.teacherForcedLogits(prompt: prompt.promptTokenIDs,
                                          continuation: prompt.generatedTokenIDs) { row in
                let best = Transformer.top(1, of: row)[0].id
                if best == Int(prompt.generatedTokenIDs[position]) { total.argmaxMatches += 1 }
                for candidate in prompt.candidates(at: position).prefix(5) {
                    total.deltaSum += Double(abs(row[candidate.id] - candidate.logit))
                    total.deltaCount += 1
                }
                total.positions += 1
                position += 1
            }
        }
        return total
    }

    @Test("picks the reference's next token at >= 96% of positions, mean |dlogit| <= 0.17 over its top 5")
    func agreesWithReference() throws {
        let model = try Transformer(file: GGUFFile(url: Fixtures.modelURL))
        let reference = try ReferenceData.load()
        let agreement = try Self.measure(model, reference)
        print("[kernel] \(model.isa): argmax \(agreement.argmaxMatches)/\(agreement.positions) = \(agreement.matchRate), mean |dlogit| \(agreement.meanDelta)")
        #expect(!reference.prompts.isEmpty)
        #expect(agreement.positions == reference.prompts.reduce(0) { $0 + $1.generatedTokenIDs.count })
        #expect(agreement.matchRate >= 0.96)
        #expect(agreement.meanDelta <= 0.17)
    }
}
