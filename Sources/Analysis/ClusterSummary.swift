import Foundation

extension Analysis {
    /// Turns raw assignments (any cluster numbering, empty clusters allowed) on unit rows into the
    /// canonical `Clustering`: non-empty clusters ordered by size (largest first, ties by smallest
    /// member index), renumbered in that order; members most central first (cosine to the
    /// normalized mean of the cluster, ties by lower index); labels from `texts` when
    /// `texts.count == count`, otherwise empty labels.
    public static func summarize(_ x: Vectors, assignments raw: [Int], texts: [String]) -> Clustering {
        let n = x.count, d = x.dim
        guard n > 0, raw.count == n else { return Clustering(k: 0, assignments: [], clusters: []) }
        var members = [Int: [Int]]()
        for i in 0..<n { members[raw[i], default: []].append(i) }
        // Canonical order: larger first, then the one whose first member comes first.
        let order = members.values.sorted { a, b in a.count != b.count ? a.count > b.count : a[0] < b[0] }
        var assignments = [Int](repeating: 0, count: n)
        for (c, m) in order.enumerated() { for i in m { assignments[i] = c } }

        let centroids = groupMeans(x, groups: assignments, groupCount: order.count)   // [k, d]
        var sims = [Float](repeating: 0, count: n * order.count)                      // [n, k]
        x.data.withUnsafeBufferPointer { xs in
            centroids.data.withUnsafeBufferPointer { cs in
                sims.withUnsafeMutableBufferPointer { s in
                    dotProducts(xs.baseAddress!, rows: n, cs.baseAddress!, rows: order.count, dim: d,
                                into: s.baseAddress!)
                }
            }
        }
        let k = order.count
        let labels = texts.count == n
            ? ClusterLabeler.labels(texts: texts, assignments: assignments, clusterCount: k)
            : [String](repeating: "", count: k)
        let clusters = order.enumerated().map { c, m in
            let sorted = m.sorted { a, b in
                let sa = sims[a * k + c], sb = sims[b * k + c]
                return sa != sb ? sa > sb : a < b
            }
            return Cluster(size: m.count, label: labels[c], members: sorted)
        }
        return Clustering(k: k, assignments: assignments, clusters: clusters)
    }
}
