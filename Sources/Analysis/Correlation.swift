import Foundation

extension Analysis {
    /// Pearson's correlation coefficient of two equally long samples,
    /// `Σ (x − x̄)(y − ȳ) / √(Σ (x − x̄)² · Σ (y − ȳ)²)`, accumulated in Double.
    /// 0 when undefined: fewer than 2 values, different lengths, or one side constant
    /// (scipy returns NaN there; a table cell of 0 says "no linear relation" just as well).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count == y.count, x.count >= 2 else { return 0 }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<x.count {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return 0 }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman's rank correlation: Pearson correlation of the average ranks (tied values share
    /// the mean of the ranks they span, as `scipy.stats.spearmanr` does). 0 when undefined.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count == y.count, x.count >= 2 else { return 0 }
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// 1-based ranks in increasing order of value; ties get the average of their ranks.
    static func averageRanks(_ x: [Double]) -> [Double] {
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
}
