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
                          spearman: spearman(upperA, upperB), rankChanges: changes)
    }

    /// Spearman's rank correlation of two equally long samples: Pearson correlation of their
    /// average ranks (ties share the mean of the ranks they span). 0 when undefined.
    public static func spearman(_ x: [Float], _ y: [Float]) -> Float {
        guard x.count == y.count, x.count >= 2 else { return 0 }
        let rx = averageRanks(x), ry = averageRanks(y)
        let n = Double(x.count)
        let mx = rx.reduce(0, +) / n, my = ry.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<x.count {
            let dx = rx[i] - mx, dy = ry[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return 0 }
        return Float(sxy / (sxx * syy).squareRoot())
    }

    /// 1-based ranks in increasing order of value; ties get the average of their ranks.
    static func averageRanks(_ x: [Float]) -> [Double] {
        let order = x.indices.sorted { x[$0] != x[$1] ? x[$0] < x[$1] : $0 < $1 }
        var ranks = [Double](repeating: 0, count: x.count)
        var s = 0
        while s < order.count {
            var e = s
            while e + 1 < order.count, x[order[e + 1]] == x[order[s]] { e += 1 }
            let r = Double(s + e) / 2 + 1
            for t in s...e { ranks[order[t]] = r }
            s = e + 1
        }
        return ranks
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
