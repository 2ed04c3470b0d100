import Dispatch
import Foundation

/// Splits work over the CPU cores (2 on the target machine) with DispatchQueue.concurrentPerform.
public enum Parallel {
    public static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls body(range) for contiguous slices of 0..<count, one slice per worker.
    /// Small jobs (count < minPerWorker × 2) run inline.
    public static func chunks(_ count: Int, minPerWorker: Int = 1, _ body: (Range<Int>) -> Void) {
        let w = min(workers, count / max(minPerWorker, 1))
        guard w > 1 else { if count > 0 { body(0..<count) }; return }
        withoutActuallyEscaping(body) { escaping in
            // concurrentPerform returns only after every iteration ran, so the closure never escapes.
            nonisolated(unsafe) let body = escaping
            DispatchQueue.concurrentPerform(iterations: w) { i in
                let lo = count * i / w, hi = count * (i + 1) / w
                if lo < hi { body(lo..<hi) }
            }
        }
    }

    /// Runs `body(worker, item)` for items 0..<count spread over the workers, each worker taking
    /// the next item when it is free (uneven items, e.g. attention heads of rows of different length).
    /// While it runs OpenBLAS is single-threaded, so the workers do not oversubscribe the cores.
    public static func items(_ count: Int, _ body: (Int, Int) -> Void) {
        let w = min(workers, count)
        guard w > 1 else { for i in 0..<count { body(0, i) }; return }
        SingleThreadedBLAS.enter()
        defer { SingleThreadedBLAS.leave() }
        let counter = AtomicCounter()
        withoutActuallyEscaping(body) { escaping in
            nonisolated(unsafe) let body = escaping
            DispatchQueue.concurrentPerform(iterations: w) { worker in
                while true {
                    let i = counter.next()
                    if i >= count { break }
                    body(worker, i)
                }
            }
        }
    }
}

/// A lock-protected counter (Foundation's NSLock; the critical section is one increment).
final class AtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}

/// Reference-counted "OpenBLAS single-threaded" section: several forward passes may run at once
/// (one model serves several threads), so the first to enter saves the thread count and the last
/// to leave restores it.
enum SingleThreadedBLAS {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var saved = 1

    static func enter() {
        lock.lock(); defer { lock.unlock() }
        if depth == 0 { saved = BLAS.threads; BLAS.threads = 1 }
        depth += 1
    }

    static func leave() {
        lock.lock(); defer { lock.unlock() }
        depth -= 1
        if depth == 0 { BLAS.threads = saved }
    }
}
