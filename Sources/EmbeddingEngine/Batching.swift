/// Packs requests into batches. Pure, so it is tested on its own.
public enum BatchPlanner {
    /// Groups the item indices of one request into batches under one fixed budget (see `WorkQueue`).
    public static func plan(tokenCounts: [Int], lateChunked: [Bool], tokenBudget: Int, maxRows: Int,
                            sortByLength: Bool = true) -> [[Int]] {
        var queue = WorkQueue()
        queue.add(id: 0, lane: .bulk, tokens: tokenCounts, late: lateChunked, normalize: true, sortByLength: sortByLength)
        var batches: [[Int]] = []
        while let batch = queue.next(budget: { _ in tokenBudget }, maxRows: maxRows) {
            batches.append(batch.rows.map(\.item))
        }
        return batches
    }
}

/// One forward pass: rows of one or more requests, all in one lane.
struct QueuedBatch {
    var lane: RequestPriority
    var rows: [(request: Int, item: Int)]
    /// A single late-chunked item (the model runs one document per late-chunking call).
    var late: Bool
    var tokens: Int
}

/// The rows waiting for the encoder, from every request in flight, in two lanes: a batch takes
/// interactive rows whenever there are any, bulk rows otherwise.
///
/// Within a request, plain items go first — sorted by token count in the bulk lane (ties by index, so
/// plans are deterministic), in submission order in the interactive lane — then late-chunked ones. A
/// batch packs rows of consecutive requests of one lane while `rows × longest ≤ budget` and
/// `rows ≤ maxRows`. The model packs rows without padding, so a pass costs its total tokens;
/// `rows × longest` bounds that from above (and, with rows sorted by length, closely), so
/// concurrent requests, whatever their tasks, share forward passes. A late-chunked item, or an item
/// longer than the budget, is a batch of its own; rows with different `normalize` never share one.
/// Bulk requests take turns batch by batch, so one large request does not hold back the next.
struct WorkQueue {
    struct Request {
        let id: Int
        let tokens: [Int]
        let late: [Bool]
        let normalize: Bool
        /// Item indices in the order they go to the encoder.
        let order: [Int]
        var next = 0
        var remainingTokens: Int
        var isEmpty: Bool { next == order.count }
    }

    private var interactive: [Request] = []
    private var bulk: [Request] = []
    /// Rows and tokens waiting (not yet handed out in a batch).
    private(set) var queuedRows = 0
    private(set) var queuedTokens = 0

    var isEmpty: Bool { queuedRows == 0 }

    mutating func add(id: Int, lane: RequestPriority, tokens: [Int], late: [Bool], normalize: Bool, sortByLength: Bool) {
        precondition(tokens.count == late.count)
        let counts = tokens.map { max(1, $0) }
        var plain = counts.indices.filter { !late[$0] }
        var lateItems = counts.indices.filter { late[$0] }
        if sortByLength {
            plain.sort { (counts[$0], $0) < (counts[$1], $1) }
            lateItems.sort { (counts[$0], $0) < (counts[$1], $1) }
        }
        let total = counts.reduce(0, +)
        let request = Request(id: id, tokens: counts, late: late, normalize: normalize, order: plain + lateItems,
                              remainingTokens: total)
        guard !request.isEmpty else { return }
        if lane == .interactive { interactive.append(request) } else { bulk.append(request) }
        queuedRows += request.order.count
        queuedTokens += total
    }

    /// Drops the rows of a request not handed out yet (cancelled or failed).
    mutating func remove(id: Int) {
        for lane in [RequestPriority.interactive, .bulk] {
            var requests = lane == .interactive ? interactive : bulk
            if let i = requests.firstIndex(where: { $0.id == id }) {
                queuedRows -= requests[i].order.count - requests[i].next
                queuedTokens -= requests[i].remainingTokens
                requests.remove(at: i)
                if lane == .interactive { interactive = requests } else { bulk = requests }
            }
        }
    }

    /// The rows of the next forward pass, nil when nothing waits. `budget(lane)` is the token budget.
    mutating func next(budget: (RequestPriority) -> Int, maxRows: Int) -> QueuedBatch? {
        let lane: RequestPriority = interactive.isEmpty ? .bulk : .interactive
        var requests = lane == .interactive ? interactive : bulk
        guard !requests.isEmpty else { return nil }
        let limit = budget(lane), rowLimit = max(1, maxRows)
        var batch = QueuedBatch(lane: lane, rows: [], late: false, tokens: 0)
        var longest = 0
        var normalize: Bool?
        fill: for r in requests.indices {
            while !requests[r].isEmpty {
                let item = requests[r].order[requests[r].next]
                let count = requests[r].tokens[item]
                if requests[r].late[item] {
                    guard batch.rows.isEmpty else { break fill }
                    batch.late = true
                } else {
                    if let n = normalize, n != requests[r].normalize { break fill }
                    let candidate = max(longest, count)
                    if !batch.rows.isEmpty && (batch.rows.count >= rowLimit || (batch.rows.count + 1) * candidate > limit) {
                        break fill
                    }
                    longest = candidate
                    normalize = requests[r].normalize
                }
                batch.rows.append((requests[r].id, item))
                batch.tokens += count
                requests[r].next += 1
                requests[r].remainingTokens -= count
                if batch.late { break fill }
            }
        }
        queuedRows -= batch.rows.count
        queuedTokens -= batch.tokens
        // Bulk requests take turns: the one that led this batch goes to the back if it has rows left.
        if lane == .bulk, requests.count > 1, !requests[0].isEmpty { requests.append(requests.removeFirst()) }
        requests.removeAll { $0.isEmpty }
        if lane == .interactive { interactive = requests } else { bulk = requests }
        return batch
    }
}
