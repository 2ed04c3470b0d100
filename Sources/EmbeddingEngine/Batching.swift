/// Packs requests into batches. Pure, so it is tested on its own.
public enum BatchPlanner {
    /// Groups item indices into batches under one fixed budget (see `BatchSource`).
    public static func plan(tokenCounts: [Int], lateChunked: [Bool], tokenBudget: Int, maxRows: Int,
                            sortByLength: Bool = true) -> [[Int]] {
        var source = BatchSource(tokenCounts: tokenCounts, lateChunked: lateChunked, maxRows: maxRows,
                                 sortByLength: sortByLength)
        var batches: [[Int]] = []
        while let batch = source.next(tokenBudget: tokenBudget) { batches.append(batch) }
        return batches
    }
}

/// Hands out batches one at a time, so the budget can change between batches (the service sizes bulk
/// batches from the measured speed, to bound how long an interactive request waits for the current one).
///
/// Plain items are sorted by token count (ties by index, so plans are deterministic) and grouped while
/// `rows × longest ≤ tokenBudget` and `rows ≤ maxRows`. The model packs the rows of a batch without
/// padding, so a batch costs its total tokens; `rows × longest` bounds that total from above, and with
/// rows sorted by length it is close to it, so the budget bounds the work of one forward pass. A late-chunked item is always a batch of its own (the model runs one
/// document per late-chunking call), after the plain ones. An item longer than the budget is a batch of one.
public struct BatchSource {
    private let counts: [Int]
    private let plain: [Int]
    private let late: [Int]
    private let maxRows: Int
    private var nextPlain = 0
    private var nextLate = 0

    public init(tokenCounts: [Int], lateChunked: [Bool], maxRows: Int, sortByLength: Bool = true) {
        precondition(tokenCounts.count == lateChunked.count)
        counts = tokenCounts.map { max(1, $0) }
        var plain = tokenCounts.indices.filter { !lateChunked[$0] }
        var late = tokenCounts.indices.filter { lateChunked[$0] }
        if sortByLength {
            let c = counts
            plain.sort { (c[$0], $0) < (c[$1], $1) }
            late.sort { (c[$0], $0) < (c[$1], $1) }
        }
        self.plain = plain
        self.late = late
        self.maxRows = max(1, maxRows)
    }

    public var isEmpty: Bool { nextPlain == plain.count && nextLate == late.count }

    public mutating func next(tokenBudget: Int) -> [Int]? {
        if nextPlain < plain.count {
            var batch = [plain[nextPlain]]
            var longest = counts[plain[nextPlain]]
            nextPlain += 1
            while nextPlain < plain.count && batch.count < maxRows {
                let candidate = max(longest, counts[plain[nextPlain]])
                if (batch.count + 1) * candidate > tokenBudget { break }
                batch.append(plain[nextPlain])
                longest = candidate
                nextPlain += 1
            }
            return batch
        }
        if nextLate < late.count {
            defer { nextLate += 1 }
            return [late[nextLate]]
        }
        return nil
    }
}
