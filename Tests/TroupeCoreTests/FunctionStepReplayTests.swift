import Testing
import TroupeCore

/// Strict replay of function steps, which takes a synchronous shortcut when the
/// recording serves the step exactly: it must give what the general path gives,
/// and leave every divergence to the general path's report.
@Suite("Replaying function steps")
struct FunctionStepReplayTests {
    /// a → b in a loop, each appending a mark, until the text has `count` of them;
    /// `mark` may need JSON escaping.
    static func marks(_ mark: String = "+", count: Int = 6) throws -> Workflow {
        try Workflow("marks") {
            Loop(max: 100, until: .when("enough") { ($0.last?.content.count ?? 0) >= count * mark.count }) {
                Step("a") { $0.text + mark }
                Step("b") { $0.text + mark }
            }
        }
    }

    static func record(_ workflow: Workflow, input: String = "") async throws -> (RunResult, RunJournal) {
        let journal = InMemoryJournal()
        let live = try await WorkflowRunner(journal: journal, models: NoModelProvider())
            .run(workflow, input: input, runID: "run-1")
        let recording = try #require(try await journal.load(runID: "run-1"))
        return (live, recording)
    }

    /// A strict replay of `recording` with `workflow` (the default marks).
    static func replay(_ recording: RunJournal, with workflow: Workflow? = nil) async throws -> RunResult {
        try await WorkflowRunner(journal: InMemoryJournal(), models: NoModelProvider())
            .replay(try workflow ?? marks(), recording: recording)
    }

    @Test(arguments: ["+", "\"\\\n"])
    func replayGivesTheLiveRunsMessagesWithoutRunningAStep(mark: String) async throws {
        let (live, recording) = try await Self.record(try Self.marks(mark))
        let replayed = try await Self.replay(recording, with: try Self.marks(mark))
        #expect(replayed.output == live.output)
        #expect(replayed.messages == live.messages)
        #expect(replayed.liveEffects == 0)
        #expect(replayed.servedEffects == 6)
    }

    @Test func aChangedInputIsADivergenceNamingTheStepWithBothRequests() async throws {
        var (_, recording) = try await Self.record(try Self.marks(), input: "x")
        recording.run.input = "y"
        await #expect {
            _ = try await Self.replay(recording)
        } throws: { error in
            guard let divergence = error as? DivergenceError else { return false }
            return divergence.step == "marks/loop[1]/a" && divergence.reason == .requestChanged
                && divergence.recordedRequest == #"{"input":"x"}"# && divergence.newRequest == #"{"input":"y"}"#
                && divergence.description.contains("recorded:")
        }
    }

    @Test func aStepTheRecordingLacksIsADivergence() async throws {
        var (_, recording) = try await Self.record(try Self.marks())
        recording.effects.removeLast()
        await #expect {
            _ = try await Self.replay(recording)
        } throws: { ($0 as? DivergenceError)?.reason == .missing }
    }

    @Test func anEffectRecordedUnfinishedIsADivergence() async throws {
        var (_, recording) = try await Self.record(try Self.marks())
        recording.effects[2].status = .started
        recording.effects[2].result = nil
        await #expect {
            _ = try await Self.replay(recording)
        } throws: { ($0 as? DivergenceError)?.reason == .incomplete }
    }

    @Test func effectsRecordedOutOfOrderAreStillServedByKey() async throws {
        let (live, recording) = try await Self.record(try Self.marks())
        var shuffled = recording
        shuffled.effects.reverse()
        let replayed = try await Self.replay(shuffled)
        #expect(replayed.messages == live.messages)
        #expect(replayed.liveEffects == 0)
    }

    /// A recording built by hand may hold a key twice; the later record is the one
    /// served, as when a store's effect is updated in place.
    @Test func aKeyRecordedTwiceServesTheLaterRecord() async throws {
        let (live, recording) = try await Self.record(try Self.marks())
        var edited = recording
        var later = try #require(edited.effects.last)
        later.result = #""++++++ from the later record""#
        edited.effects.append(later)
        let replayed = try await Self.replay(edited)
        #expect(replayed.output == "++++++ from the later record")
        #expect(Array(replayed.messages.dropLast()) == Array(live.messages.dropLast()))
    }
}

