import EmbeddingEngine
import Foundation

/// Items of one request sent to one endpoint in one HTTP request.
struct PoolBatch: Sendable {
    let id: Int
    let request: Int
    let items: [Int]
    /// Estimated tokens (see `RemoteTokenizer.estimate`).
    let tokens: Int
    let lane: RequestPriority
    /// A late-chunked item, alone in its batch: its chunks go out as the inputs of one request.
    let late: Bool
    var attempts = 0
    /// The endpoint that failed it last (another one gets it when one is free).
    var avoid: Int?
}

/// A request as the pool holds it: its items, what is done, and its batches in flight. Changed only
/// under the pool's lock.
final class PoolRequest: @unchecked Sendable {
    let id: Int
    let items: [EmbeddingItem]
    /// The inputs as sent (task prefix added here when the endpoint takes raw text), and that prefix.
    let texts: [String]
    let prefix: String
    let tokens: [Int]
    let task: String?
    let normalize: Bool
    let priority: RequestPriority
    let onBatch: (@Sendable ([Int], [[[Float]]]) -> Void)?
    let started: Double
    /// The next item not handed out yet, and the tokens from there on.
    var next = 0
    var remainingTokens: Int
    var results: [[[Float]]?]
    var done = 0
    var doneTokens = 0
    var inFlight: [Int: Task<Void, Never>] = [:]
    var continuation: CheckedContinuation<[[[Float]]], any Error>?

    init(id: Int, items: [EmbeddingItem], texts: [String], prefix: String, tokens: [Int], task: String?, normalize: Bool,
         priority: RequestPriority, onBatch: (@Sendable ([Int], [[[Float]]]) -> Void)?, started: Double) {
        self.id = id; self.items = items; self.texts = texts; self.prefix = prefix; self.tokens = tokens; self.task = task
        self.normalize = normalize; self.priority = priority; self.onBatch = onBatch; self.started = started
        remainingTokens = tokens.reduce(0, +)
        results = Array(repeating: nil, count: items.count)
    }

    var isComplete: Bool { done == items.count }
    var hasFreshItems: Bool { next < items.count }
}

/// The work waiting for an endpoint, in two lanes: interactive work (a typed query, the matrix) is
/// always handed out before bulk work (indexing). Within a lane, batches that failed go first, then
/// fresh batches carved from the requests — bulk requests take turns batch by batch.
struct PoolQueue {
    private var interactive: [Int] = []
    private var bulk: [Int] = []
    private var retries: [PoolBatch] = []
    private var nextBatchID = 0

    mutating func add(_ request: PoolRequest) {
        guard request.hasFreshItems else { return }
        if request.priority == .interactive { interactive.append(request.id) } else { bulk.append(request.id) }
    }

    mutating func retry(_ batch: PoolBatch) { retries.append(batch) }

    /// Drops a request's waiting work (answered, failed or cancelled).
    mutating func remove(request id: Int) {
        interactive.removeAll { $0 == id }
        bulk.removeAll { $0 == id }
        retries.removeAll { $0.request == id }
    }

    func hasWork(_ lane: RequestPriority) -> Bool {
        retries.contains { $0.lane == lane } || !(lane == .interactive ? interactive : bulk).isEmpty
    }

    /// Only batches that `endpoint` failed last wait in `lane` (another endpoint should take them).
    func onlyAvoided(_ lane: RequestPriority, endpoint: Int) -> Bool {
        (lane == .interactive ? interactive : bulk).isEmpty
            && !retries.contains { $0.lane == lane && $0.avoid != endpoint }
    }

    /// Tokens of `lane` not handed out yet.
    func waitingTokens(_ lane: RequestPriority, _ requests: [Int: PoolRequest]) -> Int {
        retries.filter { $0.lane == lane }.reduce(0) { $0 + $1.tokens }
            + (lane == .interactive ? interactive : bulk).reduce(0) { $0 + (requests[$1]?.remainingTokens ?? 0) }
    }

    func waitingItems(_ requests: [Int: PoolRequest]) -> Int {
        retries.reduce(0) { $0 + $1.items.count }
            + (interactive + bulk).reduce(0) { $0 + (requests[$1].map { $0.items.count - $0.next } ?? 0) }
    }

    /// The next batch of `lane` for `endpoint`: a failed batch (one it did not fail itself, unless
    /// `takeAvoided`), else up to `budget` tokens and `maxInputs` inputs of the next request.
    mutating func next(_ lane: RequestPriority, endpoint: Int, budget: Int, maxInputs: Int, takeAvoided: Bool,
                       requests: [Int: PoolRequest]) -> PoolBatch? {
        if let i = retries.firstIndex(where: { $0.lane == lane && ($0.avoid != endpoint || takeAvoided) }) {
            return retries.remove(at: i)
        }
        var order = lane == .interactive ? interactive : bulk
        defer { if lane == .interactive { interactive = order } else { bulk = order } }
        while let first = order.first {
            guard let request = requests[first], request.hasFreshItems else { order.removeFirst(); continue }
            let batch = carve(request, lane: lane, budget: budget, maxInputs: maxInputs)
            order.removeFirst()
            // Bulk requests take turns; an interactive request keeps the lead until it is all handed out.
            if request.hasFreshItems { if lane == .bulk { order.append(first) } else { order.insert(first, at: 0) } }
            return batch
        }
        return nil
    }

    /// Items from `request.next` on while they fit the budget (at least one); a late-chunked item alone.
    private mutating func carve(_ request: PoolRequest, lane: RequestPriority, budget: Int, maxInputs: Int) -> PoolBatch {
        var items: [Int] = [], tokens = 0, late = false
        while request.next < request.items.count, items.count < max(1, maxInputs) {
            let i = request.next, t = request.tokens[i]
            if request.items[i].chunks != nil {
                if items.isEmpty { items = [i]; tokens = t; late = true; request.next += 1 }
                break
            }
            if !items.isEmpty && tokens + t > budget { break }
            items.append(i); tokens += t; request.next += 1
        }
        request.remainingTokens -= tokens
        defer { nextBatchID += 1 }
        return PoolBatch(id: nextBatchID, request: request.id, items: items, tokens: tokens, lane: lane, late: late)
    }

    /// A fresh id for a batch made by splitting another.
    mutating func newBatchID() -> Int { defer { nextBatchID += 1 }; return nextBatchID }
}
