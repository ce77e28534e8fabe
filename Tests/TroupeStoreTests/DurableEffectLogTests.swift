import Foundation
import Testing
import TroupeCore
@testable import TroupeStore

@Suite("The durable effect log (full durability)")
struct DurableEffectLogTests {
    @Test("full-durability commits of effects go through the log, are seen by a second journal, and reach SQLite")
    func fullCommitsGoThroughTheLog() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let writer = try SQLiteJournal(path: path, options: .init(durability: .full))
            try await writer.commit([.run(Sample.run("r1"))])
            for seq in 0..<3 { try await writer.commit([.effect(Sample.effect("r1", seq: seq))]) }
            // The log holds them (or, if the tail was merged meanwhile, holds the
            // next segment, prepared): files preallocated, not grown per record.
            let segments = EffectLog.segmentPaths(store: path)
            #expect(!segments.isEmpty)
            for segment in segments {
                let size = try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int
                #expect(size == EffectLogSegment.durableSize)
            }

            let reader = try SQLiteJournal(path: path, options: .init(durability: .full))
            #expect(try await reader.effects(runID: "r1").map(\.seq) == [0, 1, 2])
            try await writer.close()
            #expect(EffectLog.segmentPaths(store: path).isEmpty)
            let merged = try await reader.committedEffects(runID: "r1")
            #expect(merged.map(\.seq) == [0, 1, 2])
            try await reader.close()
        }
    }

    @Test("many tails later every effect is read once; retired segments are reused and closing removes them")
    func durableSegmentsRotate() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path, options: .init(durability: .full))
            try await journal.commit([.run(Sample.run("r1"))])
            let count = GroupCommitQueue.logTailLimit * 4 + 7
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Two committers at once share flushes; keys differ, order within each holds.
                for half in 0..<2 {
                    group.addTask {
                        for seq in stride(from: half, to: count, by: 2) {
                            try await journal.commit([.effect(Sample.effect("r1", seq: seq))])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let reader = try SQLiteJournal(path: path)
            #expect(try await reader.effects(runID: "r1").map(\.seq).sorted() == Array(0..<count))
            let reopened = try await closeExpectingNoLogFiles(journal, reader, path: path, folder: folder)
            #expect(try await reopened.effects(runID: "r1").count == count)
            try await reopened.close()
        }
    }

    @Test("once the writer is quiet the WAL is flushed and merged tails' segments retire, leaving the live one")
    func mergedSegmentsWaitForTheWALFlush() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path, options: .init(durability: .full))
            try await journal.commit([.run(Sample.run("r1"))])
            let count = GroupCommitQueue.logTailLimit * 3 + 7
            for seq in 0..<count { try await journal.commit([.effect(Sample.effect("r1", seq: seq))]) }
            // Three tails merged without a flush of their own; once no commit comes
            // for a moment the WAL is flushed and only the live segment is left.
            let retired = try await waitUntil { EffectLog.segmentPaths(store: path).count == 1 }
            #expect(retired, "\(EffectLog.segmentPaths(store: path).count) segments are still in the log")
            #expect(try await journal.effects(runID: "r1").count == count)
            try await journal.close()
        }
    }

    @Test("a full-durability journal dropped before its WAL was flushed leaves its segments to the next one")
    func unflushedSegmentsAreRecovered() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let count = GroupCommitQueue.logTailLimit * 2 + 3
            try await {
                let journal = try SQLiteJournal(path: path, options: .init(durability: .full))
                try await journal.commit([.run(Sample.run("r1"))])
                for seq in 0..<count { try await journal.commit([.effect(Sample.effect("r1", seq: seq))]) }
            }()
            // Dropped without close, as a killed process would leave it.
            #expect(!EffectLog.segmentPaths(store: path).isEmpty)
            let next = try SQLiteJournal(path: path)
            #expect(EffectLog.segmentPaths(store: path).isEmpty)
            #expect(try await next.effects(runID: "r1").map(\.seq) == Array(0..<count))
            try await next.close()
        }
    }

    @Test("recovery merges a dead journal's durable log into SQLite and ignores a torn or garbage tail")
    func tornTailIsIgnoredOnRecovery() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path, options: .init(durability: .full))
            try await journal.commit([.run(Sample.run("r1"))])
            try await journal.close()
            // A segment as a process that died after four commits leaves it.
            let log = EffectLog(store: path, durable: true)
            var segment = try log.newSegment()
            var records: [UInt8] = []
            EffectLogCodec.encode((0..<4).map { Sample.effect("r1", seq: $0) }, salt: segment.salt, into: &records)
            try segment.append(records)
            // A fifth record cut short by power loss, then garbage.
            var torn: [UInt8] = []
            EffectLogCodec.encode([Sample.effect("r1", seq: 4)], salt: segment.salt, into: &torn)
            try segment.append(Array(torn.prefix(torn.count / 2)) + (0..<64).map { UInt8($0 &* 37 & 0xFF) })
            try segment.sync(metadata: false)
            segment.abandon()
            #expect(try Self.decodeFile(segment.path).map(\.seq) == [0, 1, 2, 3])

            let next = try SQLiteJournal(path: path, options: .init(durability: .full))
            #expect(EffectLog.segmentPaths(store: path).isEmpty)
            #expect(try await next.committedEffects(runID: "r1").map(\.seq) == [0, 1, 2, 3])
            try await next.close()
        }
    }

    @Test("a reused segment never yields the records of its previous use")
    func reusedSegmentForgetsItsPast() throws {
        try withTemporaryFolder { folder in
            let log = EffectLog(store: folder + "/troupe.sqlite", durable: true)
            var segment = try log.newSegment()
            var first: [UInt8] = []
            EffectLogCodec.encode((0..<20).map { Sample.effect("old", seq: $0) }, salt: segment.salt, into: &first)
            try segment.append(first)
            try segment.sync(metadata: false)
            #expect(try Self.decodeFile(segment.path).count == 20)

            let spare = try #require(segment.retire(as: folder + "/troupe.sqlite-effects.spare-x"))
            #expect(try Self.decodeFile(spare.path).isEmpty)
            var reused = try spare.reuse(as: folder + "/troupe.sqlite-effects-y")
            #expect(reused.salt != segment.salt)
            var second: [UInt8] = []
            EffectLogCodec.encode([Sample.effect("new", seq: 0)], salt: reused.salt, into: &second)
            try reused.append(second)
            // The old records still lie beyond the new one in the file; only the new one reads back.
            #expect(try Self.decodeFile(reused.path).map(\.runID) == ["new"])
            // Even a copy of an old record placed right after the new one is rejected: wrong salt.
            var oldRecord: [UInt8] = []
            EffectLogCodec.encode([Sample.effect("old", seq: 0)], salt: segment.salt, into: &oldRecord)
            try reused.append(oldRecord)
            #expect(try Self.decodeFile(reused.path).map(\.runID) == ["new"])
            reused.remove()
        }
    }

    // MARK: Helpers

    private func withTemporaryFolder(_ body: (String) throws -> Void) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-durable-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try body(url.path)
    }

    private static func decodeFile(_ path: String) throws -> [EffectRecord] {
        try #require(EffectLogCodec.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: path)))))
    }
}
