import Foundation
import Testing
import TroupeCore
@testable import TroupeStore

@Suite("The effect log in front of SQLite")
struct EffectLogTests {
    @Test("effects survive a round trip through the log format; a cut-off frame is ignored")
    func codecRoundTrip() throws {
        var failed = Sample.effect("r1", seq: 2, status: .failed)
        failed.result = nil
        failed.error = "model timed out ✂︎"
        failed.finishedAt = nil
        let effects = [Sample.effect("r1", seq: 1), failed, Sample.effect("r2", step: "a/b[3]/c", seq: 0)]
        var bytes = EffectLogCodec.header(salt: 42)
        EffectLogCodec.encode(effects, salt: 42, into: &bytes)
        #expect(EffectLogCodec.decode(bytes) == effects)
        #expect(EffectLogCodec.decode(Array(bytes.dropLast(3))) == Array(effects.prefix(2)))
        var damaged = bytes
        damaged[damaged.count - 5] ^= 0xFF
        #expect(EffectLogCodec.decode(damaged) == Array(effects.prefix(2)))
        #expect(EffectLogCodec.decode(Array("SQLite format 3\0".utf8)) == nil)
    }

    @Test("a logged effect is seen by other journals before it reaches SQLite, and merged on close")
    func loggedEffectsAreVisible() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let writer = try SQLiteJournal(path: path)
            try await writer.commit([.run(Sample.run("r1"))])
            try await writer.commit([.effect(Sample.effect("r1", seq: 0, status: .started))])
            try await writer.commit([.effect(Sample.effect("r1", seq: 0))])
            try await writer.commit([.effect(Sample.effect("r1", seq: 1))])
            #expect(!EffectLog.segmentPaths(store: path).isEmpty)

            let reader = try SQLiteJournal(path: path)
            let loaded = try #require(try await reader.load(runID: "r1"))
            #expect(loaded.effects == [Sample.effect("r1", seq: 0), Sample.effect("r1", seq: 1)])
            #expect(try await reader.cassette(runID: "r1").effects == loaded.effects)

            try await writer.close()
            #expect(EffectLog.segmentPaths(store: path).isEmpty)
            #expect(try await reader.effects(runID: "r1") == loaded.effects)
            try await reader.close()
        }
    }

    @Test("the log of a journal that went away without closing is merged by the next one to open the store")
    func orphanedLogIsRecovered() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            try await {
                let journal = try SQLiteJournal(path: path)
                try await journal.commit([.run(Sample.run("r1"))])
                for seq in 0..<5 { try await journal.commit([.effect(Sample.effect("r1", seq: seq))]) }
            }()
            // Dropped without close, as a killed process would leave it: the
            // segment is still there, and no longer locked.
            #expect(EffectLog.segmentPaths(store: path).count == 1)

            let next = try SQLiteJournal(path: path)
            #expect(EffectLog.segmentPaths(store: path).isEmpty)
            #expect(try await next.effects(runID: "r1").map(\.seq) == Array(0..<5))
            try await next.close()
        }
    }

    @Test("many tails later, every effect is read once, and closing leaves no log file behind")
    func segmentsRotateAndAreCleanedUp() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            try await journal.commit([.run(Sample.run("r1"))])
            let count = GroupCommitQueue.logTailLimit * 4 + 7
            for seq in 0..<count {
                try await journal.commit([.effect(Sample.effect("r1", seq: seq))])
                await journal.append([.step(Sample.step("r1", key: "s\(seq)"))])
            }
            let reader = try SQLiteJournal(path: path)
            #expect(try await reader.effects(runID: "r1").map(\.seq) == Array(0..<count))
            let reopened = try await closeExpectingNoLogFiles(journal, reader, path: path, folder: folder)
            #expect(try await reopened.effects(runID: "r1").count == count)
            #expect(try await reopened.steps(runID: "r1").count == count)
            try await reopened.close()
        }
    }
}
