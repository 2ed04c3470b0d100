import Foundation

extension Analysis {
    /// V-measure of a clustering against gold labels (Rosenberg & Hirschberg 2007; the definition
    /// of scikit-learn's `v_measure_score` with beta = 1): with I the mutual information of the two
    /// labelings and H their entropies, homogeneity h = I / H(labels) (1 when H(labels) = 0),
    /// completeness c = I / H(clusters) (1 when H(clusters) = 0), V = 2hc / (h + c) (0 when both are
    /// 0). Label and cluster values are names only (any Ints). Empty input → 1, as scikit-learn;
    /// different lengths → 0.
    public static func vMeasure(labels: [Int], clusters: [Int]) -> Double {
        guard labels.count == clusters.count else { return 0 }
        guard !labels.isEmpty else { return 1 }
        let n = Double(labels.count)
        var joint = [Pair: Int](), byLabel = [Int: Int](), byCluster = [Int: Int]()
        for (l, c) in zip(labels, clusters) {
            joint[Pair(label: l, cluster: c), default: 0] += 1
            byLabel[l, default: 0] += 1
            byCluster[c, default: 0] += 1
        }
        func entropy(_ counts: Dictionary<Int, Int>.Values) -> Double {
            counts.reduce(0.0) { h, c in let p = Double(c) / n; return h - p * log(p) }
        }
        var mutual = 0.0
        for (pair, count) in joint {
            let nij = Double(count)
            mutual += nij / n * log(n * nij / (Double(byLabel[pair.label]!) * Double(byCluster[pair.cluster]!)))
        }
        let hLabels = entropy(byLabel.values), hClusters = entropy(byCluster.values)
        let homogeneity = hLabels > 0 ? mutual / hLabels : 1
        let completeness = hClusters > 0 ? mutual / hClusters : 1
        return homogeneity + completeness > 0 ? 2 * homogeneity * completeness / (homogeneity + completeness) : 0
    }

    private struct Pair: Hashable { var label: Int; var cluster: Int }

    /// Leave-one-out k-nearest-neighbour accuracy: each row is classified by the labels of its `k`
    /// most similar other rows (cosine; rows are normalized first) and the fraction classified
    /// correctly is returned.
    ///
    /// Neighbours: highest cosine first, ties by lower index (as `search`). Vote: the label held by
    /// the most of the k neighbours; a tie between labels goes to the one whose best neighbour ranks
    /// highest (i.e. the nearest of the tied labels). Fewer than k other rows: all of them vote.
    /// Fewer than 2 rows or mismatched lengths → 0. Cost: `[block, count]` sgemm blocks, O(count²·dim).
    public static func knnAccuracy(_ v: Vectors, labels: [Int], k: Int) -> Double {
        let n = v.count, d = v.dim
        guard n >= 2, labels.count == n, k > 0 else { return 0 }
        let x = normalized(v)
        let block = min(n, max(1, (16 << 20) / n))
        var scores = [Float](repeating: 0, count: block * n)   // [block, n]
        var correct = 0
        x.data.withUnsafeBufferPointer { xs in
            scores.withUnsafeMutableBufferPointer { out in
                var i0 = 0
                while i0 < n {
                    let rows = min(block, n - i0)
                    dotProducts(xs.baseAddress! + i0 * d, rows: rows, xs.baseAddress!, rows: n, dim: d, into: out.baseAddress!)
                    for r in 0..<rows {
                        let i = i0 + r
                        var heap = TopKHeap(capacity: min(k, n - 1))
                        let line = out.baseAddress! + r * n
                        for j in 0..<n where j != i && line[j] > heap.threshold { heap.insert(Hit(index: j, score: line[j])) }
                        let neighbours = heap.sortedBestFirst().map { labels[$0.index] }
                        if vote(neighbours) == labels[i] { correct += 1 }
                    }
                    i0 += rows
                }
            }
        }
        return Double(correct) / Double(n)
    }

    /// The most frequent label of `neighbours` (best first); ties → the tied label seen first.
    static func vote(_ neighbours: [Int]) -> Int? {
        var counts = [Int: Int]()
        for l in neighbours { counts[l, default: 0] += 1 }
        guard let top = counts.values.max() else { return nil }
        return neighbours.first { counts[$0] == top }
    }
}
