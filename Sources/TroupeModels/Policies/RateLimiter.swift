import TroupeCore

/// Budgets per minute for one endpoint: requests, and tokens (input + output).
public struct RateLimit: Sendable, Hashable, Codable {
    /// Requests per minute; nil for no limit.
    public var requestsPerMinute: Int?
    /// Input plus output tokens per minute; nil for no limit.
    public var tokensPerMinute: Int?

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }
}

/// Token buckets for an endpoint's request and token budgets, shared by every model
/// of that endpoint (wrap each with ``RateLimitedModel``).
///
/// A call reserves one request and its estimated tokens; when a bucket runs short the
/// call waits until the bucket has refilled (buckets refill continuously and hold at
/// most one minute's budget). Reservations queue in arrival order. When the answer
/// arrives, the estimate is corrected with the usage the server reported.
public actor RateLimiter {
    /// The budgets enforced.
    public nonisolated let limit: RateLimit
    private let clock: any PolicyClock
    private var requests: Double
    private var tokens: Double
    private var updated: Double

    /// Full buckets; refills are measured on `clock`.
    public init(_ limit: RateLimit, clock: any PolicyClock = SystemPolicyClock()) {
        self.limit = limit
        self.clock = clock
        self.requests = Double(limit.requestsPerMinute ?? 0)
        self.tokens = Double(limit.tokensPerMinute ?? 0)
        self.updated = clock.now()
    }

    /// Takes one request and `estimatedTokens` from the buckets; returns how long the
    /// caller must wait before sending (0 when the budget allows it now).
    func reserve(estimatedTokens: Int) -> Double {
        refill()
        var wait = 0.0
        if let perMinute = limit.requestsPerMinute, perMinute > 0 {
            requests -= 1
            if requests < 0 { wait = max(wait, -requests * 60 / Double(perMinute)) }
        }
        if let perMinute = limit.tokensPerMinute, perMinute > 0 {
            tokens -= Double(estimatedTokens)
            if tokens < 0 { wait = max(wait, -tokens * 60 / Double(perMinute)) }
        }
        return wait
    }

    /// Gives back a reservation that was never used (the caller was cancelled).
    func refund(estimatedTokens: Int) {
        if limit.requestsPerMinute != nil { requests += 1 }
        if limit.tokensPerMinute != nil { tokens += Double(estimatedTokens) }
    }

    /// Replaces a call's estimate with its real usage.
    func settle(estimatedTokens: Int, actualTokens: Int) {
        guard limit.tokensPerMinute != nil else { return }
        tokens += Double(estimatedTokens - actualTokens)
    }

    private func refill() {
        let now = clock.now()
        let elapsed = max(0, now - updated)
        updated = now
        if let perMinute = limit.requestsPerMinute {
            requests = min(Double(perMinute), requests + elapsed * Double(perMinute) / 60)
        }
        if let perMinute = limit.tokensPerMinute {
            tokens = min(Double(perMinute), tokens + elapsed * Double(perMinute) / 60)
        }
    }

    /// A rough token count for budgeting before the server says: ~4 bytes a token,
    /// plus the completion budget.
    static func estimate(_ request: ChatRequest) -> Int {
        var bytes = 0
        for message in request.messages { bytes += message.content.utf8.count + 8 }
        return bytes / 4 + (request.sampling.maxTokens ?? 256)
    }
}
