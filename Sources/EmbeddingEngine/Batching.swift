/// Packs requests into batches. Pure, so it is tested on its own.
public enum BatchPlanner {
    /// Groups item indices into batches.
    ///
    /// Plain items are sorted by token count (ties by index, so plans are deterministic) and packed
    /// while `rows × longest ≤ tokenBudget` and `rows ≤ maxRows`: sorting keeps padding small, the budget
    /// bounds the memory of one forward pass. A late-chunked item is always a batch of its own (the model
    /// runs one document per late-chunking call). An item longer than the budget is a batch of one.
    public static func plan(tokenCounts: [Int], lateChunked: [Bool], tokenBudget: Int, maxRows: Int,
                            sortByLength: Bool = true) -> [[Int]] {
        precondition(tokenCounts.count == lateChunked.count)
        var plain = tokenCounts.indices.filter { !lateChunked[$0] }
        if sortByLength {
            plain.sort { (tokenCounts[$0], $0) < (tokenCounts[$1], $1) }
        }
        var batches: [[Int]] = []
        var current: [Int] = []
        var longest = 0
        for index in plain {
            let tokens = max(1, tokenCounts[index])
            let newLongest = max(longest, tokens)
            if !current.isEmpty && ((current.count + 1) * newLongest > tokenBudget || current.count >= maxRows) {
                batches.append(current)
                current = []
                longest = 0
            }
            current.append(index)
            longest = max(longest, tokens)
        }
        if !current.isEmpty { batches.append(current) }
        // Late-chunked documents after the plain texts, shortest first, one per batch.
        var late = tokenCounts.indices.filter { lateChunked[$0] }
        if sortByLength { late.sort { (tokenCounts[$0], $0) < (tokenCounts[$1], $1) } }
        batches.append(contentsOf: late.map { [$0] })
        return batches
    }
}
