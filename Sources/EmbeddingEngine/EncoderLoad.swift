import Foundation

/// One finished forward pass, as reported to `EncoderLoad` observers.
public struct EncoderBatch: Sendable, Equatable {
    public var rows: Int
    public var tokens: Int
    /// How many requests had rows in it.
    public var requests: Int
    public var lane: RequestPriority
    public var seconds: Double
    public init(rows: Int, tokens: Int, requests: Int, lane: RequestPriority, seconds: Double) {
        self.rows = rows; self.tokens = tokens; self.requests = requests; self.lane = lane; self.seconds = seconds
    }
}

/// How busy the service is, readable from any thread while the queue runs a batch: what a server
/// needs to refuse work when the queue is full and to export metrics.
public final class EncoderLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var rows = 0, tokens = 0, requests = 0
    private let observers = ObserverList<EncoderBatch>()

    public init() {}

    /// Rows and tokens waiting for a forward pass (not counting the one running).
    public var queuedRows: Int { lock.withLock { rows } }
    public var queuedTokens: Int { lock.withLock { tokens } }
    /// Requests submitted and not yet answered.
    public var requestsInFlight: Int { lock.withLock { requests } }

    public func setQueued(rows: Int, tokens: Int, requests: Int) {
        lock.withLock { self.rows = rows; self.tokens = tokens; self.requests = requests }
    }

    /// Calls `callback` (on the service's queue) after every forward pass; returns a token for `removeObserver`.
    @discardableResult
    public func addObserver(_ callback: @escaping @Sendable (EncoderBatch) -> Void) -> UUID {
        observers.add(callback)
    }

    public func removeObserver(_ id: UUID) { observers.remove(id) }

    public func recordBatch(_ batch: EncoderBatch) { observers.notify(batch) }
}

/// Callbacks registered from any thread; `notify` calls them outside the lock (one may unregister itself).
final class ObserverList<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var callbacks: [UUID: @Sendable (Value) -> Void] = [:]

    func add(_ callback: @escaping @Sendable (Value) -> Void) -> UUID {
        let id = UUID()
        lock.withLock { callbacks[id] = callback }
        return id
    }

    func remove(_ id: UUID) { _ = lock.withLock { callbacks.removeValue(forKey: id) } }

    func notify(_ value: Value) {
        for callback in lock.withLock({ Array(callbacks.values) }) { callback(value) }
    }
}
