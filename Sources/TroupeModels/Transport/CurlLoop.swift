import CCurlShim
import Foundation
import Synchronization

/// A dedicated thread that drives every HTTP transfer of the process through one
/// curl multi handle.
///
/// - One thread, many transfers: the thread sleeps in `curl_multi_poll` and never
///   runs on (or blocks) Swift's cooperative pool.
/// - Connections are reused: the multi handle keeps one connection cache for all
///   transfers, so consecutive requests to an endpoint share a kept-alive socket.
/// - Other threads talk to it only through `submit` and `requestCancel`, which queue
///   a command under a lock and wake the poll.
final class CurlLoop: @unchecked Sendable {
    /// The loop every client uses unless told otherwise.
    static let shared = CurlLoop()

    private enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private let commands = Mutex<[Command]>([])
    private let multi: UnsafeMutableRawPointer
    private var thread: Thread?

    // Curl-thread state.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var spareHandles: [UnsafeMutableRawPointer] = []
    private static let maxSpareHandles = 32

    init() {
        _ = CurlGlobal.initialized
        guard let multi = curl_multi_init() else {
            // Only fails when out of memory; nothing sensible can continue.
            preconditionFailure("curl_multi_init failed")
        }
        self.multi = multi
        let thread = Thread { [self] in run() }
        thread.name = "troupe.curl"
        self.thread = thread
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) {
        commands.withLock { $0.append(.start(transfer)) }
        curl_multi_wakeup(multi)
    }

    func requestCancel(_ transfer: CurlTransfer) {
        commands.withLock { $0.append(.cancel(transfer)) }
        curl_multi_wakeup(multi)
    }

    // MARK: - Curl thread

    private func run() {
        var running: Int32 = 0
        while true {
            let batch = commands.withLock { queued -> [Command] in
                let batch = queued
                queued.removeAll(keepingCapacity: true)
                return batch
            }
            for command in batch {
                switch command {
                case .start(let transfer): begin(transfer)
                case .cancel(let transfer): abandon(transfer)
                }
            }
            curl_multi_perform(multi, &running)
            reapFinished()
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func begin(_ transfer: CurlTransfer) {
        if transfer.isCancelled {
            transfer.complete(code: CURLE_ABORTED_BY_CALLBACK)
            return
        }
        guard let handle = spareHandles.popLast() ?? curl_easy_init() else {
            transfer.complete(code: CURLE_OUT_OF_MEMORY)
            return
        }
        guard transfer.attach(to: handle), curl_multi_add_handle(multi, handle) == CURLM_OK else {
            transfer.complete(code: CURLE_BAD_FUNCTION_ARGUMENT)
            recycle(handle)
            return
        }
        active[handle] = transfer
    }

    private func abandon(_ transfer: CurlTransfer) {
        guard let handle = transfer.easy, active[handle] === transfer else { return }
        curl_multi_remove_handle(multi, handle)
        active[handle] = nil
        transfer.complete(code: CURLE_ABORTED_BY_CALLBACK)
        recycle(handle)
    }

    private func reapFinished() {
        var result = CURLE_OK
        while let handle = troupe_curl_multi_next_done(multi, &result) {
            curl_multi_remove_handle(multi, handle)
            if let transfer = active.removeValue(forKey: handle) {
                transfer.complete(code: result)
            }
            recycle(handle)
        }
    }

    private func recycle(_ handle: UnsafeMutableRawPointer) {
        if spareHandles.count < Self.maxSpareHandles {
            curl_easy_reset(handle)
            spareHandles.append(handle)
        } else {
            curl_easy_cleanup(handle)
        }
    }
}

/// `curl_global_init` must run once, before any other curl call.
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}
