import Foundation

extension Analysis {
    /// Adapter (or dimension) comparison of the same texts embedded two ways.
    ///
    /// - `matrixA`, `matrixB`: the cosine similarity matrices (`similarityMatrix`);
    ///   `difference[i][j] = B[i][j] − A[i][j]`.
    /// - `spearman`: Spearman rank correlation between A and B over the off-diagonal pairs
    ///   `i < j` (the matrices are symmetric), with tied values given their average rank; 0 when
    ///   undefined (fewer than 2 pairs, or one side constant).
    /// - `rankChanges[i][j]`: item j's rank among item i's neighbours under A minus its rank under
    ///   B (ranks 1, 2, … by decreasing similarity, i itself excluded, ties by lower index), so a
    ///   positive value means j moved closer to i under B. The diagonal is 0.
    ///
    /// `a` and `b` must describe the same items (`a.count == b.count`; dims may differ, e.g. 1024
    /// vs a truncation); otherwise an empty comparison is returned.
    public static func compare(_ a: Vectors, _ b: Vectors) -> Comparison {
        let n = a.count
        guard n == b.count, n > 0 else {
            return Comparison(matrixA: [], matrixB: [], difference: [], spearman: 0, rankChanges: [])
        }
        let ga = gram(a), gb = gram(b)
        var upperA = [Float](), upperB = [Float]()
        upperA.reserveCapacity(n * (n - 1) / 2); upperB.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { upperA.append(ga[i * n + j]); upperB.append(gb[i * n + j]) } }
        let ranksA = neighbourRanks(ga, n), ranksB = neighbourRanks(gb, n)
        let changes = (0..<n).map { i in (0..<n).map { j in ranksA[i * n + j] - ranksB[i * n + j] } }
        return Comparison(matrixA: rows(ga, n), matrixB: rows(gb, n),
                          difference: rows(zip(gb, ga).map { $0 - $1 }, n),
                          spearman: Float(spearman(upperA.map(Double.init), upperB.map(Double.init))),
                          rankChanges: changes)
    }

    /// `[n, n]`: entry (i, j) is j's rank (1 = most similar) among i's neighbours; (i, i) = 0.
    static func neighbourRanks(_ g: [Float], _ n: Int) -> [Int] {
        var out = [Int](repeating: 0, count: n * n)
        for i in 0..<n {
            let order = (0..<n).filter { $0 != i }.sorted { a, b in
                let sa = g[i * n + a], sb = g[i * n + b]
                return sa != sb ? sa > sb : a < b
            }
            for (r, j) in order.enumerated() { out[i * n + j] = r + 1 }
        }
        return out
    }
}
