import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server process started for the stdio transport: its pipes, the threads that
/// read them, and its end.
///
/// - Each pipe is read by a dedicated thread that blocks in `read(2)`, so a message is
///   handed on the moment it arrives, without polling and off Swift's cooperative pool.
/// - Standard output is split into lines (one JSON-RPC message each) for `onMessage`;
///   standard error is kept as a bounded tail for error messages.
/// - When standard output ends, `onExit` is called once with the exit status and that
///   tail. `stop()` (or the last reference going away) ends the process: it closes
///   its stdin, sends SIGTERM, then SIGKILL after a grace period.
final class MCPServerProcess: @unchecked Sendable {
    private let process: Process
    private let input: FileHandle
    private let writes = DispatchQueue(label: "troupe.mcp.stdin")
    /// What the reader threads share; they hold this, not `self`, so dropping the last
    /// reference to `self` still stops the process.
    private let shared = Shared()
    private let stopping = Atomic<Bool>(false)

    /// The process id, for diagnostics.
    var pid: Int32 { process.processIdentifier }

    /// Starts `command` with pipes on its standard streams.
    ///
    /// - Throws: ``MCPClientError/serverNotFound(command:searched:)`` when the program is
    ///   not found, ``MCPClientError/launchFailed(server:reason:)`` when it cannot start.
    init(command: [String], environment: [String: String], workingDirectory: String?,
         onMessage: @escaping @Sendable (Data) -> Void,
         onExit: @escaping @Sendable (MCPServerExit) -> Void) throws {
        guard let program = command.first, !program.isEmpty else {
            throw MCPClientError.invalidServer("the command is empty; give the program and its arguments")
        }
        Self.ignoreSIGPIPE
        let executable = try Self.resolve(program, environment: environment)
        let process = Process()
        process.executableURL = executable
        process.arguments = Array(command.dropFirst())
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        process.environment = merged
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let shared = self.shared
        process.terminationHandler = { _ in shared.exited.signal() }
        self.process = process
        self.input = stdin.fileHandleForWriting
        do {
            try process.run()
        } catch {
            throw MCPClientError.launchFailed(server: command.joined(separator: " "), reason: "\(error)")
        }
        let errorFD = stderr.fileHandleForReading.fileDescriptor
        Self.startThread(name: "troupe.mcp.stderr") {
            Self.readLoop(errorFD) { chunk in shared.stderrTail.withLock { $0.append(chunk) } }
            shared.stderrDone.signal()
        }
        let outputFD = stdout.fileHandleForReading.fileDescriptor
        let outputHandle = stdout.fileHandleForReading, errorHandle = stderr.fileHandleForReading
        Self.startThread(name: "troupe.mcp.stdout") { [process] in
            var lines = LineSplitter()
            Self.readLoop(outputFD) { chunk in
                for line in lines.append(chunk) { onMessage(line) }
            }
            // Stdout ended: the server exited or closed it. Wait for the status, and for
            // the last words on stderr, but never forever.
            if shared.exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                _ = shared.exited.wait(timeout: .now() + 2)
            }
            _ = shared.stderrDone.wait(timeout: .now() + 0.5)
            let tail = shared.stderrTail.withLock { $0.text }
            let signaled = process.terminationReason == .uncaughtSignal
            onExit(MCPServerExit(status: process.isRunning ? -1 : process.terminationStatus,
                                 signaled: signaled, stderr: tail))
            withExtendedLifetime((outputHandle, errorHandle)) {}
        }
    }

    deinit { stop() }

    /// Writes one message and a newline to the server's standard input.
    func write(_ message: Data) async throws {
        var bytes = message
        bytes.append(0x0A)
        let fd = input.fileDescriptor
        let payload = bytes
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writes.async {
                let failure = payload.withUnsafeBytes { raw -> Int32? in
                    guard let base = raw.baseAddress else { return nil }
                    var offset = 0
                    while offset < raw.count {
                        let written = systemWrite(fd, base + offset, raw.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            return errno
                        }
                        offset += written
                    }
                    return nil
                }
                if let failure {
                    continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO))
                } else {
                    continuation.resume()
                }
            }
        }
    }

    /// Ends the process: closes its stdin, then SIGTERM, then SIGKILL after `grace`.
    /// Safe to call repeatedly and from any thread.
    func stop(grace: Duration = .milliseconds(500)) {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? input.close()
        let pid = process.processIdentifier
        guard process.isRunning, pid > 0 else { return }
        kill(pid, SIGTERM)
        let exited = shared.exited
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) * 1e-18
        DispatchQueue.global().async { [process] in
            if exited.wait(timeout: .now() + seconds) == .timedOut, process.isRunning {
                kill(pid, SIGKILL)
            } else {
                exited.signal()  // let the stdout thread see it too
            }
        }
    }

    // MARK: - Helpers

    /// A closed pipe must fail a write with EPIPE, not kill the whole process.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private static func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    /// Reads `fd` until end of file, handing each chunk on.
    private static func readLoop(_ fd: Int32, _ handle: (UnsafeRawBufferPointer) -> Void) {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer, size)
            if count > 0 {
                handle(UnsafeRawBufferPointer(start: buffer, count: count))
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// The program to run: a path as given, or the first match on `PATH`.
    private static func resolve(_ program: String, environment: [String: String]) throws -> URL {
        let manager = FileManager.default
        if program.contains("/") {
            guard manager.isExecutableFile(atPath: program) else {
                throw MCPClientError.serverNotFound(command: program, searched: [])
            }
            return URL(fileURLWithPath: program)
        }
        let path = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init)
        for folder in folders {
            let candidate = (folder as NSString).appendingPathComponent(program)
            if manager.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw MCPClientError.serverNotFound(command: program, searched: folders)
    }
}

/// `write(2)`, named apart from the method that calls it.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

/// The state a server process shares with the threads that read its pipes.
private final class Shared: Sendable {
    let stderrTail = Mutex(StderrTail())
    let exited = DispatchSemaphore(value: 0)
    let stderrDone = DispatchSemaphore(value: 0)
}

/// The last few kilobytes a server wrote to stderr.
private struct StderrTail {
    private var bytes: [UInt8] = []
    private let limit = 4096

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: chunk)
        if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
    }

    var text: String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Splits a byte stream into newline-terminated messages (empty lines dropped).
struct LineSplitter {
    private var pending: [UInt8] = []

    mutating func append(_ chunk: UnsafeRawBufferPointer) -> [Data] {
        var lines: [Data] = []
        var start = chunk.startIndex
        for index in chunk.indices where chunk[index] == 0x0A {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<index]))
            if pending.last == 0x0D { pending.removeLast() }
            if !pending.isEmpty { lines.append(Data(pending)) }
            pending.removeAll(keepingCapacity: true)
            start = index + 1
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
        return lines
    }
}
