import Foundation
import Testing

@Suite("troupe tools and the support workflow, end to end")
struct ToolsCommandTests {
    @Test func listShowsTheBuiltinsAsTextAndJSON() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let text = try await troupe.run(["tools", "list"], store: false)
        #expect(text.status == 0)
        for name in ["calculator", "http_get", "read_file", "write_file", "list_files", "memory_search", "remember", "shell"] {
            #expect(text.stdout.contains(name))
        }
        let json = try await troupe.run(["tools", "list", "--json"], store: false)
        let specs = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(specs?.count == 8)
        #expect((specs?.first?["parameters"] as? [String: Any])?["type"] as? String == "object")
    }

    @Test func callRunsToolsAndReportsErrorsWithExitCodes() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let sum = try await troupe.run(["tools", "call", "calculator", "--args", #"{"expression": "(2 + 3) * 4 ^ 2"}"#], store: false)
        #expect(sum.status == 0)
        #expect(sum.stdout == "80\n")
        let badArguments = try await troupe.run(["tools", "call", "calculator", "--args", #"{"expr": "1"}"#], store: false)
        #expect(badArguments.status == 2)
        #expect(badArguments.stderr.contains("expression"))
        let unknown = try await troupe.run(["tools", "call", "teleport"], store: false)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("available tools: calculator"))
        let divide = try await troupe.run(["tools", "call", "calculator", "--args", #"{"expression": "1/0"}"#], store: false)
        #expect(divide.status == 1)
        #expect(divide.stderr.contains("division by zero"))

        let sandbox = troupe.folder + "/box"
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        let write = try await troupe.run(["tools", "call", "write_file", "--args", #"{"path": "a/b.txt", "content": "hi"}"#,
                                    "--sandbox", sandbox], store: false)
        #expect(write.status == 0)
        let read = try await troupe.run(["tools", "call", "read_file", "--args", #"{"path": "a/b.txt"}"#, "--sandbox", sandbox],
                                  store: false)
        #expect(read.stdout == "hi\n")
        let escape = try await troupe.run(["tools", "call", "read_file", "--args", #"{"path": "../store.sqlite"}"#,
                                     "--sandbox", sandbox], store: false)
        #expect(escape.status == 1)
        #expect(escape.stderr.contains("outside the sandbox"))
        let shell = try await troupe.run(["tools", "call", "shell", "--args", #"{"command": "ls"}"#], store: false)
        #expect(shell.status == 1)
        #expect(shell.stderr.contains("disabled"))
        let allowed = try await troupe.run(["tools", "call", "shell", "--args", #"{"command": "ls"}"#, "--shell-allow", "ls",
                                      "--shell-dir", sandbox], store: false)
        #expect(allowed.stdout.contains(#""stdout":"a\n""#))
    }

    @Test func rememberAndSearchGoThroughTheStore() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let remember = try await troupe.run(["tools", "call", "remember", "--args", #"{"text": "The launch is on Friday."}"#,
                                       "--namespace", "notes"])
        #expect(remember.status == 0)
        let search = try await troupe.run(["tools", "call", "memory_search", "--args", #"{"query": "when is the launch"}"#,
                                     "--namespace", "notes"])
        #expect(search.stdout.contains("The launch is on Friday."))
    }

    @Test func supportTriagesWithToolsIntoATypedTicket() async throws {
        let troupe = try TroupeBinary.withFreshStore()
        let output = try await troupe.run(["run", "support", "--model", "scripted", "--json", "--run-id", "s1",
                                     "--input", "I was charged twice this month and want a refund"])
        #expect(output.status == 0, "\(output.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let ticketText = try #require(result?["output"] as? String)
        let ticket = try JSONSerialization.jsonObject(with: Data(ticketText.utf8)) as? [String: String]
        #expect(ticket?["category"] == "billing")
        #expect(ticket?["summary"] == "I was charged twice this month and want a refund")
        let trace = try await troupe.run(["trace", "s1"])
        #expect(trace.stdout.contains("execute_tool memory_search"))
        // The FAQ was seeded into the store's memory, once.
        let search = try await troupe.run(["tools", "call", "memory_search", "--args", #"{"query": "refund", "limit": 20}"#,
                                     "--namespace", "support-faq"])
        #expect(search.stdout.contains("[refunds]"))
        #expect(try await troupe.run(["run", "support", "--model", "scripted", "--input", "again"]).status == 0)
        let again = try await troupe.run(["tools", "call", "memory_search", "--args", #"{"query": "refunds card", "limit": 20}"#,
                                    "--namespace", "support-faq"])
        #expect(again.stdout.components(separatedBy: "[refunds]").count == 2)
    }
}
