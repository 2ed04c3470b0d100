import Explorer
import Foundation

/// Messages from background tasks to the input loop. Thread-safe; the loop drains it between
/// key reads (it polls input with a short timeout, so a posted message is seen within one tick).
public final class MessageQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Message] = []

    public init() {}

    public func post(_ message: Message) {
        lock.lock(); items.append(message); lock.unlock()
    }

    public func drain() -> [Message] {
        lock.lock(); defer { lock.unlock() }
        let out = items
        items.removeAll(keepingCapacity: true)
        return out
    }
}

/// Keypress → screen latency samples (key read → refresh done), in milliseconds.
public struct LatencyStats {
    private(set) var samples: [Double] = []
    public init() {}
    public mutating func add(_ ms: Double) { samples.append(ms) }

    public func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    /// One JSON line: what `LOUPE_LATENCY_LOG=path` appends on exit (the tmux test reads it).
    public var json: String {
        String(format: "{\"keys\": %d, \"median_ms\": %.2f, \"p95_ms\": %.2f, \"max_ms\": %.2f}",
               samples.count, percentile(0.5), percentile(0.95), samples.max() ?? 0)
    }
}
