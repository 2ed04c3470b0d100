import Dispatch

/// A serial executor that runs actor jobs on a background DispatchQueue.
///
/// Why: the encoder does seconds of synchronous BLAS work per batch; on the default executor that
/// would occupy a cooperative-pool thread (there are only as many as cores). A dedicated queue keeps the
/// Swift concurrency pool — and so the UI — free. `DispatchSerialQueue` (which is itself a
/// SerialExecutor on Apple platforms) does not exist in swift-corelibs-libdispatch on Linux, hence this.
public final class DispatchQueueExecutor: SerialExecutor, @unchecked Sendable {
    /// The queue every job runs on. Immutable after init, so sharing it is safe.
    public let queue: DispatchQueue
    private static let key = DispatchSpecificKey<ObjectIdentifier>()

    public init(label: String, qos: DispatchQoS = .userInitiated) {
        queue = DispatchQueue(label: label, qos: qos)
        queue.setSpecific(key: Self.key, value: ObjectIdentifier(self))
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async { unowned.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True when the current thread is running a job of this executor's queue.
    public var isCurrent: Bool {
        DispatchQueue.getSpecific(key: Self.key) == ObjectIdentifier(self)
    }
}
