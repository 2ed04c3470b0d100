import Foundation

extension Analysis {
    /// Average-link agglomerative clustering (cosine distance `1 − cos` on normalized rows), cut
    /// where `k` clusters remain.
    ///
    /// Uses the nearest-neighbour-chain algorithm with Lance–Williams updates: O(count²) time and a
    /// `[count, count]` Float matrix, so it is meant for up to a few thousand items (3,000 items
    /// ≈ 36 MB). Average linkage is reducible, so replaying the merges in order of distance (ties
    /// in the order found) gives the same dendrogram as the textbook algorithm; the cut applies the
    /// `count − k` closest merges. `k` is clamped to `1...count`. Output is canonical as in `kmeans`.
    public static func agglomerative(_ v: Vectors, k: Int, texts: [String]) -> Clustering {
        let x = normalized(v)
        let n = x.count
        guard n > 0 else { return Clustering(k: 0, assignments: [], clusters: []) }
        let k = min(max(k, 1), n)
        let merges = averageLinkMerges(x)
        var uf = UnionFind(count: n)
        for m in merges.prefix(n - k) { uf.union(m.a, m.b) }
        let assignments = (0..<n).map { uf.find($0) }
        return summarize(x, assignments: assignments, texts: texts)
    }

    /// A merge of the clusters represented by items `a` and `b` at average distance `distance`.
    struct Merge { var a: Int; var b: Int; var distance: Float }

    /// All `count − 1` merges of average-link clustering on unit rows, sorted by distance (stable).
    static func averageLinkMerges(_ x: Vectors) -> [Merge] {
        let n = x.count
        guard n > 1 else { return [] }
        var dist = gram(x)                         // [n, n], turned into 1 − cos in place
        for i in 0..<dist.count { dist[i] = 1 - dist[i] }
        var size = [Int](repeating: 1, count: n)
        var active = [Bool](repeating: true, count: n)
        var merges = [Merge]()
        merges.reserveCapacity(n - 1)
        var chain = [Int]()
        var remaining = n
        dist.withUnsafeMutableBufferPointer { d in
            while remaining > 1 {
                if chain.isEmpty { chain.append(active.firstIndex(of: true)!) }
                let a = chain[chain.count - 1]
                let prev = chain.count > 1 ? chain[chain.count - 2] : -1
                // Nearest active cluster to a; the previous chain element wins ties (guarantees progress).
                var b = prev, bd = prev >= 0 ? d[a * n + prev] : Float.infinity
                for j in 0..<n where active[j] && j != a {
                    let dj = d[a * n + j]
                    if dj < bd { bd = dj; b = j }
                }
                if b == prev {
                    chain.removeLast(2)
                    merges.append(Merge(a: a, b: b, distance: bd))
                    // Lance–Williams for average linkage; the merged cluster lives in slot a.
                    let sa = Float(size[a]), sb = Float(size[b])
                    for j in 0..<n where active[j] && j != a && j != b {
                        let v = (sa * d[a * n + j] + sb * d[b * n + j]) / (sa + sb)
                        d[a * n + j] = v; d[j * n + a] = v
                    }
                    active[b] = false
                    size[a] += size[b]
                    remaining -= 1
                } else {
                    chain.append(b)
                }
            }
        }
        return merges.enumerated().sorted { l, r in
            l.element.distance != r.element.distance ? l.element.distance < r.element.distance : l.offset < r.offset
        }.map(\.element)
    }
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    private var parent: [Int]
    private var size: [Int]
    init(count: Int) { parent = Array(0..<count); size = [Int](repeating: 1, count: count) }
    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }
    /// Joins the sets of a and b; returns the new root.
    @discardableResult mutating func union(_ a: Int, _ b: Int) -> Int {
        var ra = find(a), rb = find(b)
        if ra == rb { return ra }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra; size[ra] += size[rb]
        return ra
    }
}
