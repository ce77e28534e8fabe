import Foundation
import Testing
import TroupeCore
import TroupeStore

@Suite("Writing: group commit, append and flush")
struct GroupCommitTests {
    @Test("many concurrent commits are all durable and visible after reopening")
    func concurrentCommits() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            try await journal.commit([.run(Sample.run("r1"))])
            let tasks = 64, perTask = 25
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for i in 0..<perTask {
                            let seq = task * perTask + i
                            try await journal.commit([
                                .effect(Sample.effect("r1", step: "s\(task)", seq: seq)),
                                .step(Sample.step("r1", key: "s\(task)/\(i)")),
                            ])
                        }
                    }
                }
                try await group.waitForAll()
            }
            // No close: what a commit returned must already be on disk for a new connection.
            let reopened = try SQLiteJournal(path: path)
            let effects = try await reopened.effects(runID: "r1")
            #expect(effects.count == tasks * perTask)
            #expect(Set(effects.map(\.seq)) == Set(0..<(tasks * perTask)))
            #expect(try await reopened.steps(runID: "r1").count == tasks * perTask)
            try await reopened.close()
            try await journal.close()
        }
    }

    @Test("appended entries ride along with a commit of a run record; flush writes the rest")
    func appendRidesAlong() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("troupe.sqlite").path
            let journal = try SQLiteJournal(path: path)
            await journal.append([.message(Sample.message("r1", n: 0))])
            try await journal.commit([.run(Sample.run("r1"))])
            #expect(try await journal.run(id: "r1") == Sample.run("r1"))
            #expect(try await journal.messages(runID: "r1") == [Sample.message("r1", n: 0)])

            await journal.append([.message(Sample.message("r1", n: 1))])
            // An effect's commit writes its own rows; the tail may wait for a later one.
            try await journal.commit([.effect(Sample.effect("r1", seq: 0))])
            #expect(try await journal.effects(runID: "r1").count == 1)
            try await journal.flush()
            try await journal.flush()  // nothing queued: returns at once
            #expect(try await journal.messages(runID: "r1").count == 2)
            try await journal.close()
        }
    }

    @Test("a tail that no commit takes is written after a short delay")
    func staleTailIsWritten() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("t.sqlite").path)
            try await journal.commit([.run(Sample.run("r1"))])
            await journal.append([.message(Sample.message("r1", n: 0))])
            let deadline = ContinuousClock.now + .seconds(10)
            while try await journal.messages(runID: "r1").isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await journal.messages(runID: "r1").count == 1)
            try await journal.close()
        }
    }

    @Test("writing an entry again updates its row; effects keep the order they were first started in")
    func upsertsKeepOrder() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("s.sqlite").path)
            try await journal.commit([
                .run(Sample.run("r1")),
                .effect(Sample.effect("r1", step: "b", seq: 0, status: .started)),
                .effect(Sample.effect("r1", step: "a", seq: 1, status: .started)),
            ])
            var done = Sample.effect("r1", step: "b", seq: 0)
            done.executions = 2
            var finished = Sample.run("r1", status: .completed)
            finished.output = "the end"
            try await journal.commit([.effect(done), .run(finished)])

            let loaded = try #require(try await journal.load(runID: "r1"))
            #expect(loaded.run == finished)
            #expect(loaded.effects.map(\.key) == ["b#0", "a#1"])
            #expect(loaded.effects[0] == done)
            #expect(loaded.effects[1].status == .started)
            #expect(try await journal.load(runID: "missing") == nil)
            try await journal.close()
        }
    }

    @Test("spans are replaced only when asked; links are never duplicated")
    func spanReplaceAndLinks() async throws {
        try await withTemporaryDirectory { folder in
            let journal = try SQLiteJournal(path: folder.appendingPathComponent("s.sqlite").path)
            let first = Sample.span("r1", id: "00000000000000a1", parent: nil, status: .ok)
            var second = first
            second.status = .error("model timed out")
            second.endTime = nil
            let link = SpanLinkRecord(runID: "r1", spanID: "00000000000000a2", linkedSpanID: "00000000000000a1")
            try await journal.commit([.span(first, replace: true), .link(link), .link(link)])
            try await journal.commit([.span(second, replace: false)])
            #expect(try await journal.spans(runID: "r1") == [first])
            try await journal.commit([.span(second, replace: true)])
            #expect(try await journal.spans(runID: "r1") == [second])
            #expect(try await journal.links(runID: "r1") == [link])
            try await journal.close()
        }
    }

    @Test("four journals on one file, as four processes would be, never see a lock failure")
    func sharedFileInOneProcess() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("shared.sqlite").path
            let journals = try (0..<4).map { _ in try SQLiteJournal(path: path) }
            let perJournal = 300
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, journal) in journals.enumerated() {
                    for lane in 0..<3 {
                        group.addTask {
                            let runID = "run\(index)"
                            try await journal.commit([.run(Sample.run(runID))])
                            for seq in stride(from: lane, to: perJournal, by: 3) {
                                try await journal.commit([.effect(Sample.effect(runID, seq: seq))])
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for (index, journal) in journals.enumerated() {
                #expect(try await journal.effects(runID: "run\(index)").count == perJournal)
                try await journal.close()
            }
        }
    }

    @Test("full durability writes the same rows")
    func fullDurability() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("full.sqlite").path
            let journal = try SQLiteJournal(path: path, options: .init(durability: .full))
            try await journal.commit([.run(Sample.run("r1")), .effect(Sample.effect("r1", seq: 0))])
            #expect(try await journal.effects(runID: "r1").count == 1)
            try await journal.close()
        }
    }
}
