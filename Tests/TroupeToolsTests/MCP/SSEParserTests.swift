import Testing
@testable import TroupeTools

@Suite("SSE parser")
struct SSEParserTests {
    @Test func eventsSplitAcrossChunksAndLineEndings() {
        var parser = SSEParser()
        let stream = "event: message\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n: comment\n\ndata:x\rid: 7\r\r"
        var events: [SSEParser.Event] = []
        for byte in stream.utf8 { events += parser.feed([byte]) }  // one byte at a time
        #expect(events == [SSEParser.Event(type: "message", data: "{\"a\":\n1}", id: nil),
                           SSEParser.Event(type: "message", data: "x", id: "7")])
    }

    @Test func anEventWithoutDataIsNotDispatched() {
        var parser = SSEParser()
        #expect(parser.feed(Array("event: ping\n\nretry: 10\n\n".utf8)).isEmpty)
        #expect(parser.feed(Array("event: custom\ndata\n\n".utf8))
            == [SSEParser.Event(type: "custom", data: "", id: nil)])
    }
}

@Suite("MCP server descriptions")
struct MCPServerParsingTests {
    @Test func commandLinesAndURLs() throws {
        #expect(try MCPServer(parsing: "python3 'my server.py' --flag").endpoint
            == .command(["python3", "my server.py", "--flag"], environment: [:], workingDirectory: nil))
        #expect(try MCPServer(parsing: " http://127.0.0.1:8000/mcp ").endpoint
            == .url("http://127.0.0.1:8000/mcp", headers: [:]))
        #expect(throws: MCPClientError.self) { try MCPServer(parsing: "   ") }
        #expect(throws: MCPClientError.self) { try MCPServer(parsing: "python3 'open") }
    }

    @Test func aBadDescriptionSaysHowToFixIt() async throws {
        let quote = #expect(throws: MCPClientError.self) { try MCPServer(parsing: "python3 'open") }
        #expect(quote?.description.contains("close the quote") == true)
        let transport = MCPHTTPTransport(url: "ftp://127.0.0.1/mcp", connectTimeout: .seconds(1))
        let url = await #expect(throws: MCPClientError.self) { try await transport.connect() }
        #expect(url?.description.contains("give the server's full URL") == true)
    }

    @Test func toolNamesAreMadeSafe() {
        #expect(MCPTool.localName("files.read/v2") == "files_read_v2")
        #expect(MCPTool.localName("ok_name-1") == "ok_name-1")
    }
}
