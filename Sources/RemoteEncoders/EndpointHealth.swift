import EmbeddingEngine
import Foundation

/// One endpoint's health and speed as the pool sees it. A value changed only under the pool's lock, with
/// the time passed in (seconds of uptime), so its rules are tested without waiting.
///
/// Speed: tokens answered per second of *busy* time (wall time with at least one request in flight), a
/// decaying average over recent answers. A server that works one batch at a time then measures its own
/// speed, one that runs several at once its total throughput, and neither is skewed by network latency
/// hidden behind the pipeline.
///
/// Failures: each one pauses the endpoint (exponential backoff with jitter, or the server's Retry-After);
/// after `failuresBeforeSetAside` in a row it is set aside (doubling each time) and probed again before it
/// gets work; a refused key takes it out for good. A success clears the count.
struct EndpointHealth: Sendable {
    enum State: Sendable, Equatable {
        case up
        case backingOff(until: Double)
        case setAside(until: Double)
        /// Being probed again after being set aside (or after failing to answer at start).
        case probing
        case failed
    }

    private(set) var state: State = .up
    private(set) var consecutiveFailures = 0
    private(set) var failures = 0
    private(set) var setAsideCount = 0
    private(set) var batchesDone = 0
    private(set) var lastError: String?
    /// Requests in flight (bulk ones also in `bulkInFlight`).
    private(set) var inFlight = 0
    private(set) var bulkInFlight = 0
    private var decayedTokens = 0.0
    private var decayedBusy = 0.0
    private var busySinceAnswer = 0.0
    private var lastEvent = 0.0
    /// Total busy seconds (for status and tests).
    private(set) var busySeconds = 0.0

    /// Tokens per second while busy; nil before the first answer.
    var tokensPerSecond: Double? { decayedBusy > 0 && decayedTokens > 0 ? decayedTokens / decayedBusy : nil }

    /// Can take a request now.
    func isAvailable(_ now: Double) -> Bool {
        switch state {
        case .up: return true
        case .backingOff(let until): return now >= until
        case .setAside, .probing, .failed: return false
        }
    }

    /// Taking work now or once its pause is over, without being probed again.
    var isUsable: Bool {
        switch state {
        case .up, .backingOff: return true
        case .setAside, .probing, .failed: return false
        }
    }

    /// A set-aside endpoint whose pause is over and is due for a probe.
    func needsProbe(_ now: Double) -> Bool {
        if case .setAside(let until) = state { return now >= until }
        return false
    }

    /// When a paused endpoint can be tried again.
    var pausedUntil: Double? {
        switch state {
        case .backingOff(let until), .setAside(let until): return until
        default: return nil
        }
    }

    mutating func sent(bulk: Bool, now: Double) {
        tick(now)
        inFlight += 1
        if bulk { bulkInFlight += 1 }
    }

    /// An answer (good or bad) or a cancellation came back for a request sent with `bulk`.
    private mutating func returned(bulk: Bool, now: Double) {
        tick(now)
        inFlight = max(0, inFlight - 1)
        if bulk { bulkInFlight = max(0, bulkInFlight - 1) }
    }

    mutating func cancelled(bulk: Bool, now: Double) { returned(bulk: bulk, now: now) }

    mutating func succeeded(tokens: Int, bulk: Bool, now: Double) {
        returned(bulk: bulk, now: now)
        decayedTokens = 0.7 * decayedTokens + Double(tokens)
        decayedBusy = 0.7 * decayedBusy + busySinceAnswer
        busySinceAnswer = 0
        batchesDone += 1
        consecutiveFailures = 0
        // A batch sent before the failure says nothing about the pause (a Retry-After is the server's word).
        if case .backingOff(let until) = state, now >= until { state = .up }
    }

    /// Records a failure and pauses the endpoint; `jitter` in 0…1 spreads the retries of several clients.
    mutating func failed(_ message: String, retryAfter: Double?, authorization: Bool, bulk: Bool, now: Double,
                         options: PoolOptions, jitter: Double) {
        returned(bulk: bulk, now: now)
        busySinceAnswer = 0  // time spent on a failed request says nothing about speed
        failures += 1
        consecutiveFailures += 1
        lastError = message
        if authorization { state = .failed; return }
        if case .failed = state { return }
        if consecutiveFailures >= options.failuresBeforeSetAside {
            setAside(now: now, options: options)
            return
        }
        let backoff = min(options.maximumBackoff, options.firstBackoff * pow(2, Double(consecutiveFailures - 1)))
        let pause = max(retryAfter ?? 0, backoff * (0.5 + 0.5 * jitter))
        let until = now + pause
        if case .backingOff(let previous) = state { state = .backingOff(until: max(previous, until)) } else { state = .backingOff(until: until) }
    }

    mutating func setAside(now: Double, options: PoolOptions) {
        let pause = min(options.maximumSetAside, options.setAsideSeconds * pow(2, Double(setAsideCount)))
        setAsideCount += 1
        consecutiveFailures = 0
        state = .setAside(until: now + pause)
    }

    mutating func probeStarted() { state = .probing }

    /// The probe after a pause: back to work, set aside again, or out for good (another model now).
    mutating func probeFinished(_ outcome: Result<Void, ProbeVerdict>, now: Double, options: PoolOptions) {
        switch outcome {
        case .success:
            state = .up
            consecutiveFailures = 0
        case .failure(.unreachable(let message)):
            failures += 1
            lastError = message
            setAside(now: now, options: options)
        case .failure(.differentModel(let message)):
            failures += 1
            lastError = message
            state = .failed
        }
    }

    enum ProbeVerdict: Error { case unreachable(String), differentModel(String) }

    private mutating func tick(_ now: Double) {
        if inFlight > 0, now > lastEvent {
            busySinceAnswer += now - lastEvent
            busySeconds += now - lastEvent
        }
        lastEvent = max(lastEvent, now)
    }

    func status(name: String, kind: String, now: Double) -> EndpointStatus {
        let public_: EndpointStatus.State
        switch state {
        case .up: public_ = .up
        case .backingOff(let until): public_ = now >= until ? .up : .backingOff
        case .setAside, .probing: public_ = .setAside
        case .failed: public_ = .failed
        }
        return EndpointStatus(name: name, kind: kind, state: public_, inFlight: inFlight, tokensPerSecond: tokensPerSecond ?? 0,
                              batchesDone: batchesDone, failures: failures, lastError: lastError,
                              retryIn: pausedUntil.map { max(0, $0 - now) })
    }
}
