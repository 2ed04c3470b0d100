import Foundation

/// A request as submitted to the service: items, their token ids (nil for late-chunked items, which the
/// model tokenizes itself) and token counts, and how to embed them.
struct RequestSpec: Sendable {
    var items: [EmbeddingItem]
    var ids: [[Int32]?]
    var counts: [Int]
    var task: String?
    var applyPrefix: Bool
    var normalize: Bool
    var priority: RequestPriority
    var flag: CancelFlag
    var onBatch: (@Sendable ([Int], [[[Float]]]) -> Void)?
}

/// A request waiting for or inside forward passes. Its results are written and its continuation resumed
/// only by the service's pump (on the service's queue).
final class PendingRequest: @unchecked Sendable {
    let id: Int
    let spec: RequestSpec
    let totalTokens: Int
    var continuation: CheckedContinuation<[[[Float]]], any Error>?
    private(set) var results: [[[Float]]]
    private(set) var doneItems = 0
    private(set) var doneTokens = 0

    init(id: Int, spec: RequestSpec) {
        self.id = id
        self.spec = spec
        totalTokens = spec.counts.reduce(0, +)
        results = Array(repeating: [], count: spec.items.count)
    }

    var isComplete: Bool { doneItems == spec.items.count }

    /// Stores finished items; returns their token count.
    func record(_ items: [Int], _ vectors: [[[Float]]]) -> Int {
        var tokens = 0
        for (item, v) in zip(items, vectors) {
            results[item] = v
            tokens += spec.counts[item]
        }
        doneItems += items.count
        doneTokens += tokens
        return tokens
    }
}

/// The requests in flight and their queued rows, shared by the callers (who add requests from any
/// thread, even while a forward pass runs) and the service's pump (the only one that takes batches,
/// records results and answers requests).
final class RequestTable: @unchecked Sendable {
    private let lock = NSLock()
    private var queue = WorkQueue()
    private var requests: [Int: PendingRequest] = [:]
    private var nextID = 0
    private var pumping = false
    private let load: EncoderLoad

    init(load: EncoderLoad) { self.load = load }

    /// Queues a request; true when no pump is running and the caller must start one.
    func add(_ spec: RequestSpec, continuation: CheckedContinuation<[[[Float]]], any Error>) -> (PendingRequest, Bool) {
        lock.withLock {
            let request = PendingRequest(id: nextID, spec: spec)
            nextID += 1
            request.continuation = continuation
            requests[request.id] = request
            queue.add(id: request.id, lane: spec.priority, tokens: spec.counts, late: spec.items.map { $0.chunks != nil },
                      normalize: spec.normalize, sortByLength: spec.priority == .bulk)
            publish()
            defer { pumping = true }
            return (request, !pumping)
        }
    }

    /// The next batch and its requests (in row order); nil — and the pump stops — when nothing waits.
    func next(budget: (RequestPriority) -> Int, maxRows: Int) -> (QueuedBatch, [PendingRequest])? {
        lock.withLock {
            guard let batch = queue.next(budget: budget, maxRows: maxRows) else {
                pumping = false
                return nil
            }
            publish()
            var members: [PendingRequest] = []
            for row in batch.rows where !members.contains(where: { $0.id == row.request }) {
                if let r = requests[row.request] { members.append(r) }
            }
            return (batch, members)
        }
    }

    func request(_ id: Int) -> PendingRequest? { lock.withLock { requests[id] } }

    var cancelled: [PendingRequest] { lock.withLock { requests.values.filter(\.spec.flag.isCancelled) } }

    /// Takes a request out (answered or failed), dropping its rows still queued; nil when already out.
    func remove(_ id: Int) -> PendingRequest? {
        lock.withLock {
            guard let request = requests.removeValue(forKey: id) else { return nil }
            queue.remove(id: id)
            publish()
            return request
        }
    }

    private func publish() {
        load.setQueued(rows: queue.queuedRows, tokens: queue.queuedTokens, requests: requests.count)
    }
}
