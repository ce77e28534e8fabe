import TroupeCore

// MARK: - Composing policies

extension ChatModel {
    /// This model, retried under `policy`.
    ///
    /// ```swift
    /// let model = remote.retrying(RetryPolicy(maxAttempts: 4, attemptTimeout: 20, deadline: 60))
    ///     .fallingBack(to: local)
    /// ```
    public func retrying(_ policy: RetryPolicy = .default,
                         clock: any PolicyClock = SystemPolicyClock()) -> RetryingModel {
        RetryingModel(self, policy: policy, clock: clock)
    }

    /// This model, then `others` in order when it fails with a retryable error, a
    /// timeout or an open circuit.
    public func fallingBack(to others: any ChatModel...) -> FallbackModel {
        FallbackModel([self] + others)
    }

    /// This model behind `breaker` (share one breaker per endpoint).
    public func circuitBreaking(_ breaker: CircuitBreaker) -> CircuitBreakingModel {
        CircuitBreakingModel(self, breaker: breaker)
    }

    /// This model within the request and token budgets of `limiter`.
    public func rateLimited(_ limiter: RateLimiter,
                            clock: any PolicyClock = SystemPolicyClock()) -> RateLimitedModel {
        RateLimitedModel(self, limiter: limiter, clock: clock)
    }

    /// This model with at most `limiter.limit` calls in flight.
    public func concurrencyLimited(_ limiter: ConcurrencyLimiter) -> ConcurrencyLimitedModel {
        ConcurrencyLimitedModel(self, limiter: limiter)
    }
}
