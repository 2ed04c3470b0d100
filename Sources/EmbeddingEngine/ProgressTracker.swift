import Foundation

/// Lock-protected progress of the bulk work, readable from any thread (the UI thread, a CLI progress
/// bar timer) while the service's queue is busy in a batch. Observers get every update.
public final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var state = EncoderProgress()
    /// Uptime when the current bulk session (totals counted from zero) began.
    private var sessionStart: Double = 0
    private let observers = ObserverList<EncoderProgress>()

    public init() {}

    public var snapshot: EncoderProgress { lock.withLock { state } }

    /// Adds a bulk request's work to the totals. A request arriving when the previous work is finished
    /// starts a new session (counts from zero), so the bar reflects the current job.
    public func begin(texts: Int, tokens: Int) {
        update { s, now in
            if !s.isActive {
                let latency = s.lastLatency
                s = EncoderProgress()
                s.lastLatency = latency
                sessionStart = now
            }
            s.textsTotal += texts
            s.tokensTotal += tokens
        }
    }

    public func advance(texts: Int, tokens: Int) {
        update { s, _ in s.textsDone += texts; s.tokensDone += tokens }
    }

    /// Removes the unfinished part of a cancelled or failed request so the totals stay reachable.
    public func abandon(texts: Int, tokens: Int) {
        update { s, _ in
            s.textsTotal = max(s.textsDone, s.textsTotal - texts)
            s.tokensTotal = max(s.tokensDone, s.tokensTotal - tokens)
        }
    }

    public func recordLatency(_ seconds: Double) {
        update { s, _ in s.lastLatency = seconds }
    }

    /// Calls `callback` (on the service's queue) after every change; returns a token for `removeObserver`.
    @discardableResult
    public func addObserver(_ callback: @escaping @Sendable (EncoderProgress) -> Void) -> UUID {
        observers.add(callback)
    }

    public func removeObserver(_ id: UUID) { observers.remove(id) }

    /// Every update as an async sequence (only the newest is kept when the reader is slow).
    public func updates() -> AsyncStream<EncoderProgress> {
        let (stream, continuation) = AsyncStream.makeStream(of: EncoderProgress.self,
                                                            bufferingPolicy: .bufferingNewest(1))
        let id = addObserver { continuation.yield($0) }
        continuation.onTermination = { [weak self] _ in self?.removeObserver(id) }
        continuation.yield(snapshot)
        return stream
    }

    private func update(_ change: (inout EncoderProgress, Double) -> Void) {
        let now = ProcessInfo.processInfo.systemUptime
        let snapshot = lock.withLock { () -> EncoderProgress in
            change(&state, now)
            let elapsed = now - sessionStart
            state.elapsed = state.textsTotal > 0 ? elapsed : 0
            if elapsed > 0, state.tokensDone > 0 {
                state.tokensPerSecond = Double(state.tokensDone) / elapsed
                let left = state.tokensTotal - state.tokensDone
                state.eta = Double(left) / state.tokensPerSecond
            } else {
                state.tokensPerSecond = 0
                state.eta = nil
            }
            return state
        }
        // Outside the lock: an observer may read `snapshot` again.
        observers.notify(snapshot)
    }
}

/// A cancellation flag set from any thread (Task cancellation handler, a superseding request)
/// and polled by the model between layers.
public final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    public init() {}
    public var isCancelled: Bool { lock.withLock { cancelled } }
    public func cancel() { lock.withLock { cancelled = true } }
}

/// Latest request per superseding key: a new request with the same key cancels the previous one
/// (the explorer's search-as-you-type drops the query it no longer needs).
final class SupersedeRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: [String: CancelFlag] = [:]

    func register(_ key: String, flag: CancelFlag) {
        let previous = lock.withLock { () -> CancelFlag? in
            defer { latest[key] = flag }
            return latest[key]
        }
        previous?.cancel()
    }

    func cancel(_ key: String) {
        lock.withLock { latest.removeValue(forKey: key) }?.cancel()
    }

    func finish(_ key: String, flag: CancelFlag) {
        lock.withLock { if latest[key] === flag { latest[key] = nil } }
    }
}
