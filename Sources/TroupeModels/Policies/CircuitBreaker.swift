import TroupeCore

/// When a circuit breaker opens and how long it stays open: a value.
public struct CircuitBreakerPolicy: Sendable, Hashable, Codable {
    /// Consecutive failures that open the circuit.
    public var failureThreshold: Int
    /// Seconds the circuit stays open before one probe call is let through.
    public var openDuration: Double

    /// Open after `failureThreshold` consecutive transient failures, for `openDuration` seconds.
    public init(failureThreshold: Int = 5, openDuration: Double = 30) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = max(0, openDuration)
    }

    private enum CodingKeys: String, CodingKey { case failureThreshold, openDuration }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(failureThreshold: try container.decodeIfPresent(Int.self, forKey: .failureThreshold) ?? 5,
                  openDuration: try container.decodeIfPresent(Double.self, forKey: .openDuration) ?? 30)
    }
}

/// The phase of a circuit breaker.
public enum CircuitState: Sendable, Hashable {
    /// Calls pass; `failures` consecutive failures so far.
    case closed(failures: Int)
    /// Calls fail fast until the cooldown ends.
    case open
    /// One probe call is in flight (or allowed); its outcome closes or reopens the circuit.
    case halfOpen
}

/// The shared state of one endpoint's circuit: closed, open after N consecutive
/// failures, then half-open for a single probe whose success closes it again.
///
/// Share one breaker between every model of an endpoint (``EndpointCatalog`` does)
/// and wrap each with ``CircuitBreakingModel``. Only transient failures count
/// (retryable errors and timeouts): a refused key says nothing about the server's health.
public actor CircuitBreaker {
    /// The endpoint (or any label) named in ``PolicyError/circuitOpen(breaker:retryIn:)``.
    public nonisolated let name: String
    /// When the circuit opens and for how long.
    public nonisolated let policy: CircuitBreakerPolicy
    private let clock: any PolicyClock

    private enum State {
        case closed(failures: Int)
        case open(until: Double)
        case halfOpen(probeInFlight: Bool)
    }
    private var state = State.closed(failures: 0)

    /// A closed circuit; cooldowns are measured on `clock`.
    public init(name: String, policy: CircuitBreakerPolicy = .init(), clock: any PolicyClock = SystemPolicyClock()) {
        self.name = name
        self.policy = policy
        self.clock = clock
    }

    /// The phase now (an open circuit whose cooldown has passed reads as half-open).
    public var currentState: CircuitState {
        switch state {
        case .closed(let failures): return .closed(failures: failures)
        case .open(let until): return clock.now() >= until ? .halfOpen : .open
        case .halfOpen: return .halfOpen
        }
    }

    /// Admits a call or throws ``PolicyError/circuitOpen(breaker:retryIn:)``.
    /// Returns true when the call is the half-open probe.
    func admit() throws -> Bool {
        switch state {
        case .closed:
            return false
        case .open(let until):
            let now = clock.now()
            guard now >= until else { throw PolicyError.circuitOpen(breaker: name, retryIn: until - now) }
            state = .halfOpen(probeInFlight: true)
            return true
        case .halfOpen(let probeInFlight):
            guard !probeInFlight else { throw PolicyError.circuitOpen(breaker: name, retryIn: policy.openDuration) }
            state = .halfOpen(probeInFlight: true)
            return true
        }
    }

    /// Records how an admitted call ended: `nil` for success, else its error.
    func record(_ error: (any Error)?, probe: Bool) {
        let failed = error.map(Self.countsAsFailure) ?? false
        let neutral = error != nil && !failed
        switch state {
        case .closed(let failures):
            if failed {
                let count = failures + 1
                state = count >= policy.failureThreshold ? .open(until: clock.now() + policy.openDuration)
                    : .closed(failures: count)
            } else if !neutral {
                state = .closed(failures: 0)
            }
        case .open:
            break  // a call admitted before the circuit opened
        case .halfOpen:
            guard probe else { break }
            if failed {
                state = .open(until: clock.now() + policy.openDuration)
            } else if neutral {
                state = .halfOpen(probeInFlight: false)  // cancelled or refused: probe again
            } else {
                state = .closed(failures: 0)
            }
        }
    }

    /// Transient failures count; cancellation and request errors do not.
    static func countsAsFailure(_ error: any Error) -> Bool {
        if error is CancellationError { return false }
        if error.isAnyTimeout { return true }
        if let classified = error as? any ClassifiedError {
            if case PolicyError.circuitOpen = error { return false }
            return classified.isRetryable
        }
        return false
    }
}
