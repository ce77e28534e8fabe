/// A rule on which tokens a sequence may produce next, applied by the
/// ``InferenceEngine`` to the logits before its ``Sampler`` picks: guided
/// decoding (``JSONConstraint``) is one.
///
/// The engine calls ``mask(_:remainingTokens:)`` and then ``accept(_:)`` for
/// every step of one sequence, on its compute thread, one step at a time.
/// Disallowed logits become -∞, so greedy and seeded sampling both choose
/// among allowed tokens only.
public protocol TokenConstraint: AnyObject, Sendable {
    /// Sets the logits of tokens that may not come next to -∞.
    ///
    /// `remainingTokens` counts the tokens the sequence may still produce, this
    /// one included, so a constraint can steer toward finishing in time.
    func mask(_ logits: UnsafeMutableBufferPointer<Float>, remainingTokens: Int)

    /// Records the token that was chosen.
    func accept(_ token: Int32)
}
