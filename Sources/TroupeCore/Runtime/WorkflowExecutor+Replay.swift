/// The strict replay's shortcut: a function step whose effect the recording holds
/// is answered without suspending, building a step context or a request string.
///
/// A replayed step's result is known before the step starts, so the general path
/// (async calls through ``StepContext/perform(_:request:seq:live:)``, a
/// `StepContext`, the canonical request) was most of a replayed step's time.
/// Anything the shortcut does not serve exactly — an effect missing, changed or
/// incomplete — takes that general path, which reports the divergence with both
/// requests as before.
extension WorkflowExecutor {
    /// Serves `node` from the recording when it is a function step of a strict
    /// replay whose compute effect was recorded completed with the same request:
    /// appends the step's message and returns true. Returns false, having done
    /// nothing, for anything else.
    ///
    /// - Parameter pathHash: the span hash of `path`, computed on first use and
    ///   kept by the caller for the node's siblings.
    func serveFromRecording(_ node: Node, path: String, pathHash: inout UInt64?,
                            transcript: inout [Message]) -> Bool {
        // Only a strict replay: a resume also journals the served step, which awaits.
        guard run.discards, case .function(let key, _) = node else { return false }
        // The request `runFunction` would make, `{"input": last}`, hashed in place.
        let last = transcript.lastContent
        let hash = Canonical.inputHash(last)
        let recorded = run.recorded
        guard let position = recorded.servedPosition(path: path, key: key, seq: 1, kind: .compute, requestHash: hash),
              let result = recorded.records[position].result,
              let output = Canonical.plainString(result) ?? (try? Canonical.decode(String.self, from: result))
        else { return false }
        run.noteEffect(live: false)
        let parent = pathHash ?? run.spanHash(of: path)
        pathHash = parent
        // The recorded step key is the node's path (`path/key`): shared, not built.
        let nodePath = recorded.records[position].stepKey
        run.emit(.stepFinished(step: nodePath, output: output, served: true))
        transcript.append(Message(id: nodePath, sender: key, content: output,
                                  spanID: run.spanID(child: key, of: parent)))
        return true
    }
}
