import Foundation

/// A minimal OpenAI-compatible server in Python on 127.0.0.1 (port chosen by the
/// system), so the end-to-end tests need no server library. It answers every chat
/// completion with "APPROVED." (as JSON, or as SSE when asked to stream) unless its
/// mode says otherwise, and logs one line per request: whether the request carried
/// the expected key, and the status it got.
final class LoopbackServer {
    enum Mode: String {
        /// 200 to every request with the right key (401 without it).
        case answer
        /// 401 to every request, echoing the key it was sent, as a careless proxy would.
        case refuse
        /// 503 to the first request, then as `answer`.
        case flaky
        /// 503 to every request.
        case unavailable
    }

    /// The API root, `http://127.0.0.1:PORT/v1`.
    let baseURL: String
    private let process: Process
    private let log: String

    /// Starts the server; its script and request log go in `folder`. The server expects
    /// `Authorization: Bearer KEY` when `key` is given.
    init(mode: Mode, key: String? = nil, folder: String) throws {
        let script = folder + "/loopback_server.py"
        log = folder + "/loopback_requests.log"
        try Self.source.write(toFile: script, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, mode.rawValue, log]
        var environment = ProcessInfo.processInfo.environment
        // Not in the script or its arguments, which a secrets test may search.
        environment["EXPECTED_KEY"] = key ?? ""
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the server died before printing its port
            line.append(chunk)
        }
        let printed = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(printed) else {
            kill(process.processIdentifier, SIGKILL)
            throw StartFailure(output: printed)
        }
        baseURL = "http://127.0.0.1:\(port)/v1"
    }

    struct StartFailure: Error, CustomStringConvertible {
        let output: String
        var description: String { "the Python loopback server did not start (it printed '\(output)')" }
    }

    /// One line per request so far: "authorized 200", "unauthorized 401", "authorized 503"…
    var requests: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        // SIGKILL: a child spawned by the test runner may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static let source = #"""
        import json, os, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        MODE, LOG = sys.argv[1], sys.argv[2]
        KEY = os.environ.get("EXPECTED_KEY", "")
        TEXT = "APPROVED."
        lock = threading.Lock()
        seen = [0]

        def chunk(delta, finish=None):
            return {"id": "chatcmpl-e2e", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        def error(message, kind):
            return json.dumps({"error": {"message": message, "type": kind}})

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, content_type, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                sent = self.headers.get("Authorization", "")
                authorized = not KEY or sent == "Bearer " + KEY
                with lock:
                    seen[0] += 1
                    number = seen[0]
                if MODE == "refuse" or not authorized:
                    status, kind = 401, "application/json"
                    body = error("Incorrect API key provided: " + sent.removeprefix("Bearer "), "invalid_request_error")
                elif MODE == "unavailable" or (MODE == "flaky" and number == 1):
                    status, kind, body = 503, "application/json", error("overloaded", "server_error")
                elif request.get("stream"):
                    events = [chunk({"role": "assistant", "content": ""}), chunk({"content": TEXT}), chunk({}, "stop")]
                    status, kind = 200, "text/event-stream"
                    body = "".join("data: %s\n\n" % json.dumps(event) for event in events) + "data: [DONE]\n\n"
                else:
                    message = {"role": "assistant", "content": TEXT}
                    completion = {"id": "chatcmpl-e2e", "object": "chat.completion", "created": 1, "model": "test-model",
                                  "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                                  "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}
                    status, kind, body = 200, "application/json", json.dumps(completion)
                # Logged before answering, so the log is complete once the client has its answers.
                with lock, open(LOG, "a") as log:
                    log.write("%s %d\n" % ("authorized" if authorized else "unauthorized", status))
                self.reply(status, kind, body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
