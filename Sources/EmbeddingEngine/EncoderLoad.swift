import Foundation

/// One finished forward pass, as reported to `EncoderLoad` observers.
public struct EncoderBatch: Sendable, Equatable {
    public var rows: Int
    public var tokens: Int
    /// How many requests had rows in it.
    public var requests: Int
    public var lane: RequestPriority
    public var seconds: Double
}

/// How busy the service is, readable from any thread while the queue runs a batch: what a server
/// needs to refuse work when the queue is full and to export metrics.
public final class EncoderLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var rows = 0, tokens = 0, requests = 0
    private var observers: [UUID: @Sendable (EncoderBatch) -> Void] = [:]

    public init() {}

    /// Rows and tokens waiting for a forward pass (not counting the one running).
    public var queuedRows: Int { lock.withLock { rows } }
    public var queuedTokens: Int { lock.withLock { tokens } }
    /// Requests submitted and not yet answered.
    public var requestsInFlight: Int { lock.withLock { requests } }

    func setQueued(rows: Int, tokens: Int, requests: Int) {
        lock.withLock { self.rows = rows; self.tokens = tokens; self.requests = requests }
    }

    /// Calls `callback` (on the service's queue) after every forward pass; returns a token for `removeObserver`.
    @discardableResult
    public func addObserver(_ callback: @escaping @Sendable (EncoderBatch) -> Void) -> UUID {
        let id = UUID()
        lock.withLock { observers[id] = callback }
        return id
    }

    public func removeObserver(_ id: UUID) {
        _ = lock.withLock { observers.removeValue(forKey: id) }
    }

    func recordBatch(_ batch: EncoderBatch) {
        for callback in lock.withLock({ Array(observers.values) }) { callback(batch) }
    }
}
