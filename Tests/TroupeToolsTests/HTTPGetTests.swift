import FlyingFox
import Foundation
import Testing
import TroupeCore
import TroupeTools

/// A FlyingFox server on 127.0.0.1 with a few routes.
struct LoopbackHTTPServer {
    let server: HTTPServer
    let task: Task<Void, any Error>
    let port: UInt16

    static func start() async throws -> LoopbackHTTPServer {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        await server.appendRoute("GET /hello") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"], body: Data("hello, tools".utf8))
        }
        await server.appendRoute("GET /big") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"],
                         body: Data(String(repeating: "x", count: 100_000).utf8))
        }
        await server.appendRoute("GET /slow") { _ in
            try await Task.sleep(for: .seconds(10))
            return HTTPResponse(statusCode: .ok, body: Data("late".utf8))
        }
        await server.appendRoute("GET /redirect") { _ in
            HTTPResponse(statusCode: .found, headers: [.location: "/hello"] as HTTPHeaders)
        }
        await server.appendRoute("GET /missing") { _ in
            HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain"], body: Data("no such page".utf8))
        }
        let task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 30)
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            task.cancel()
            throw ServerError.notListening
        }
        return LoopbackHTTPServer(server: server, task: task, port: port)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }
}

enum ServerError: Error { case notListening }

@Suite("HTTP GET over libcurl", .serialized)
struct HTTPGetTests {
    @Test func fetchesFollowsRedirectsAndReportsStatus() async throws {
        let server = try await LoopbackHTTPServer.start()
        let tool = HTTPGet(timeout: .seconds(5))
        let hello = try await tool.call(arguments: .init(url: server.url("/hello")))
        #expect(hello == HTTPGet.Response(status: 200, contentType: "text/plain", body: "hello, tools", truncated: false))
        #expect(try await tool.call(arguments: .init(url: server.url("/redirect"))).body == "hello, tools")
        let missing = try await tool.call(arguments: .init(url: server.url("/missing")))
        #expect(missing.status == 404)
        #expect(missing.body == "no such page")
        // Through the type-erased tool, as an agent calls it: JSON out.
        let json = try await AnyTool(tool).call(arguments: #"{"url":"\#(server.url("/hello"))"}"#)
        #expect(json.contains(#""status":200"#))
        await server.stop()
    }

    @Test func capsTheBodyAndTimesOut() async throws {
        let server = try await LoopbackHTTPServer.start()
        let big = try await HTTPGet(maximumBytes: 1_000).call(arguments: .init(url: server.url("/big")))
        #expect(big.truncated)
        #expect(big.body == String(repeating: "x", count: 1_000))
        let start = ContinuousClock.now
        await #expect(throws: HTTPToolError.timedOut(url: server.url("/slow"), after: .milliseconds(300))) {
            try await HTTPGet(timeout: .milliseconds(300)).call(arguments: .init(url: server.url("/slow")))
        }
        #expect(ContinuousClock.now - start < .seconds(8))   // not the 10 s the server waits
        await server.stop()
    }

    @Test func cancellationStopsTheTransfer() async throws {
        let server = try await LoopbackHTTPServer.start()
        let task = Task { try await HTTPGet(timeout: .seconds(20)).call(arguments: .init(url: server.url("/slow"))) }
        try await Task.sleep(for: .milliseconds(200))
        let start = ContinuousClock.now
        task.cancel()
        await #expect(throws: HTTPToolError.cancelled(url: server.url("/slow"))) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(8))
        await server.stop()
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "not a url", "http://"])
    func onlyHTTPAndHTTPS(url: String) async {
        await #expect(performing: { _ = try await HTTPGet().call(arguments: .init(url: url)) }, throws: { error in
            switch error as? HTTPToolError {
            case .unsupportedScheme?, .invalidURL?: true
            default: false
            }
        })
    }
}
