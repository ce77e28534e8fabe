import TroupeCore

/// One policy as a value, so a list of them can be stored (in an agent's definition,
/// say) and applied to whichever model the reference resolves to.
///
/// ```swift
/// let policies: [ModelPolicy] = [.timeout(20), .retry(.default), .fallback([localModel])]
/// let model = ModelPolicy.apply(policies, to: remote)
/// ```
///
/// Policies apply in order, each wrapping the result of the previous ones: the first
/// is closest to the model. So `[.retry(…), .fallback([b])]` retries the model, then
/// falls back to `b`; `[.fallback([b]), .retry(…)]` retries the whole chain.
public enum ModelPolicy: Sendable {
    /// Retries under the policy (``RetryingModel``).
    case retry(RetryPolicy)
    /// Bounds each call (a single attempt with `attemptTimeout`).
    case timeout(Double)
    /// Tries these models in order after a retryable error, a timeout or an open circuit.
    case fallback([any ChatModel])
    /// Goes through a shared circuit breaker.
    case circuitBreaker(CircuitBreaker)
    /// Waits for budget in a shared rate limiter.
    case rateLimit(RateLimiter)
    /// Takes a slot of a shared concurrency limiter.
    case concurrencyLimit(ConcurrencyLimiter)

    /// `model` wrapped in `policies`, first policy innermost.
    public static func apply(_ policies: [ModelPolicy], to model: any ChatModel,
                             clock: any PolicyClock = SystemPolicyClock()) -> any ChatModel {
        policies.reduce(model) { wrapped, policy in policy.wrap(wrapped, clock: clock) }
    }

    /// `model` wrapped in this policy.
    public func wrap(_ model: any ChatModel, clock: any PolicyClock = SystemPolicyClock()) -> any ChatModel {
        switch self {
        case .retry(let policy): return RetryingModel(model, policy: policy, clock: clock)
        case .timeout(let seconds):
            return RetryingModel(model, policy: RetryPolicy(maxAttempts: 1, attemptTimeout: seconds), clock: clock)
        case .fallback(let others): return FallbackModel([model] + others)
        case .circuitBreaker(let breaker): return CircuitBreakingModel(model, breaker: breaker)
        case .rateLimit(let limiter): return RateLimitedModel(model, limiter: limiter, clock: clock)
        case .concurrencyLimit(let limiter): return ConcurrencyLimitedModel(model, limiter: limiter)
        }
    }
}
