import Foundation

extension Analysis {
    /// Spherical k-means with k-means++ seeding, reproducible for a given `seed`.
    ///
    /// Rows are normalized first and similarity is cosine: each item goes to the centroid with the
    /// highest dot product (ties → lower cluster), and a centroid is the normalized mean of its
    /// members. Seeding is k-means++ with weights `1 − max cos` (the squared chord distance / 2).
    /// Lloyd iterations run until at most 0.1% of the items change cluster (rounded down, so sets
    /// under 1,000 items converge fully), and at most 100 iterations. Small sets (≤ 5,000 rows)
    /// take the best of 3 seedings by total member-to-centroid cosine; an emptied cluster is
    /// re-seeded with the item farthest from its centroid.
    ///
    /// `k` is clamped to `1...count`. The result is canonical: clusters ordered by size (largest
    /// first, ties by smallest member index), members most central first (cosine to the centroid,
    /// ties by index), and `assignments[i]` indexes that order. Labels come from `texts` (see
    /// `ClusterLabeler`); pass `[]` for no labels. Cost per iteration: one `[count, dim] · [dim, k]` sgemm.
    public static func kmeans(_ v: Vectors, k: Int, texts: [String], seed: UInt64 = 42) -> Clustering {
        let x = normalized(v)
        guard x.count > 0 else { return Clustering(k: 0, assignments: [], clusters: []) }
        let k = min(max(k, 1), x.count)
        let assignments = bestLloyd(x, k: k, seed: seed)
        return summarize(x, assignments: assignments, texts: texts)
    }

    /// k-means with k chosen by the mean silhouette (cosine distance) over a sample.
    ///
    /// A seeded sample of at most 1,500 rows is clustered for every k in `2...maxK` (bounded by the
    /// sample size − 1); the k with the highest mean silhouette wins (ties → smaller k), then the
    /// whole set is clustered with that k and `seed`. `silhouette` in the result is the winning
    /// sample score. Fewer than 3 rows → a single cluster with `silhouette == nil`.
    public static func autoKMeans(_ v: Vectors, texts: [String], maxK: Int = 12, seed: UInt64 = 42) -> Clustering {
        let x = normalized(v)
        guard x.count >= 3 else { return kmeans(x, k: 1, texts: texts, seed: seed) }
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        var sample = Array(0..<x.count)
        if sample.count > 1500 {
            sample.shuffle(using: &rng)
            sample = Array(sample.prefix(1500)).sorted()
        }
        let sx = gather(x, sample)
        let g = gram(sx)
        var bestK = 2, bestScore = -Float.infinity
        let maxK = min(max(maxK, 2), sx.count - 1)
        for k in 2...maxK {
            let a = bestLloyd(sx, k: k, seed: seed)
            let s = silhouette(gram: g, count: sx.count, assignments: a)
            if s > bestScore + 1e-6 { bestScore = s; bestK = k }
        }
        var result = kmeans(x, k: bestK, texts: texts, seed: seed)
        result.silhouette = bestScore
        return result
    }

    /// Mean silhouette of a clustering with cosine distance `1 − cos` (normalizes a copy).
    /// Items alone in their cluster score 0. Needs a `[count, count]` matrix: use it on samples.
    /// Fewer than 2 clusters → 0.
    public static func silhouette(_ v: Vectors, assignments: [Int]) -> Float {
        guard assignments.count == v.count, v.count > 1 else { return 0 }
        return silhouette(gram: gram(normalized(v)), count: v.count, assignments: assignments)
    }

    static func silhouette(gram g: [Float], count n: Int, assignments a: [Int]) -> Float {
        let k = (a.max() ?? 0) + 1
        guard k > 1 else { return 0 }
        var sizes = [Int](repeating: 0, count: k)
        for c in a { sizes[c] += 1 }
        var total: Double = 0
        var sums = [Double](repeating: 0, count: k)
        for i in 0..<n {
            for c in 0..<k { sums[c] = 0 }
            for j in 0..<n where j != i { sums[a[j]] += Double(1 - g[i * n + j]) }
            let own = a[i]
            guard sizes[own] > 1 else { continue }  // singleton: s = 0
            let ai = sums[own] / Double(sizes[own] - 1)
            var bi = Double.infinity
            for c in 0..<k where c != own && sizes[c] > 0 { bi = min(bi, sums[c] / Double(sizes[c])) }
            guard bi.isFinite else { continue }
            let m = max(ai, bi)
            if m > 0 { total += (bi - ai) / m }
        }
        return Float(total / Double(n))
    }

    /// Rows `indices` of `v`, in that order.
    static func gather(_ v: Vectors, _ indices: [Int]) -> Vectors {
        var out = [Float]()
        out.reserveCapacity(indices.count * v.dim)
        for i in indices { out.append(contentsOf: v.row(i)) }
        return Vectors(data: out, count: indices.count, dim: v.dim)
    }

    /// The best of several seeded Lloyd runs on unit rows, by total cosine to the centroids.
    static func bestLloyd(_ x: Vectors, k: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        let restarts = x.count <= 5000 ? 3 : 1
        var best: (assignments: [Int], objective: Double)?
        for _ in 0..<restarts {
            let run = lloyd(x, k: k, rng: &rng)
            if best == nil || run.objective > best!.objective + 1e-9 { best = run }
        }
        return best?.assignments ?? []
    }

    /// One k-means++ seeding followed by Lloyd iterations.
    static func lloyd(_ x: Vectors, k: Int, rng: inout SplitMix64) -> (assignments: [Int], objective: Double) {
        let n = x.count, d = x.dim
        var centroids = seedPlusPlus(x, k: k, rng: &rng)      // [k, d]
        var assignments = [Int](repeating: -1, count: n)
        var sims = [Float](repeating: 0, count: n * k)         // [n, k]
        var best = [Float](repeating: 0, count: n)
        for _ in 0..<100 {
            x.data.withUnsafeBufferPointer { xs in
                centroids.withUnsafeBufferPointer { cs in
                    sims.withUnsafeMutableBufferPointer { s in
                        dotProducts(xs.baseAddress!, rows: n, cs.baseAddress!, rows: k, dim: d, into: s.baseAddress!)
                    }
                }
            }
            var changed = 0
            sims.withUnsafeBufferPointer { s in
                for i in 0..<n {
                    var bc = 0, bs = s[i * k]
                    for c in 1..<max(k, 1) where s[i * k + c] > bs { bs = s[i * k + c]; bc = c }
                    best[i] = bs
                    if assignments[i] != bc { assignments[i] = bc; changed += 1 }
                }
            }
            if changed <= n / 1000 { break }
            centroids = updateCentroids(x, assignments: &assignments, best: best, k: k)
        }
        let objective = best.reduce(0.0) { $0 + Double($1) }
        return (assignments, objective)
    }

    /// k-means++ seeding on unit rows: `[k, dim]` initial centroids.
    static func seedPlusPlus(_ x: Vectors, k: Int, rng: inout SplitMix64) -> [Float] {
        let n = x.count, d = x.dim
        var centroids = [Float]()
        centroids.reserveCapacity(k * d)
        var first = Int(rng.next() % UInt64(n))
        var weight = [Double](repeating: .infinity, count: n)   // 1 − max cos to the chosen centres
        var dots = [Float](repeating: 0, count: n)
        for _ in 0..<k {
            centroids.append(contentsOf: x.row(first))
            x.data.withUnsafeBufferPointer { xs in
                dots.withUnsafeMutableBufferPointer { out in
                    rowDots(xs.baseAddress!, rows: n, dim: d, xs.baseAddress! + first * d, into: out.baseAddress!)
                }
            }
            var total: Double = 0
            for i in 0..<n {
                weight[i] = min(weight[i], max(0, 1 - Double(dots[i])))
                total += weight[i]
            }
            // Sample the next centre with probability ∝ weight; all-zero (duplicates) → first unused row.
            if total > 0 {
                var r = rng.unit() * total
                var pick = n - 1
                for i in 0..<n { r -= weight[i]; if r < 0, weight[i] > 0 { pick = i; break } }
                first = pick
            } else {
                first = (first + 1) % n
            }
        }
        return centroids
    }

    /// Normalized member means; an empty cluster takes the item least similar to its own centroid.
    static func updateCentroids(_ x: Vectors, assignments: inout [Int], best: [Float], k: Int) -> [Float] {
        let n = x.count, d = x.dim
        var sums = [Float](repeating: 0, count: k * d)
        var sizes = [Int](repeating: 0, count: k)
        x.data.withUnsafeBufferPointer { xs in
            sums.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    let c = assignments[i]
                    sizes[c] += 1
                    let dst = s.baseAddress! + c * d, src = xs.baseAddress! + i * d
                    for j in 0..<d { dst[j] += src[j] }
                }
            }
        }
        var taken = Set<Int>()
        for c in 0..<k where sizes[c] == 0 {
            var far = -1, farSim = Float.infinity
            for i in 0..<n where !taken.contains(i) && sizes[assignments[i]] > 1 && best[i] < farSim {
                far = i; farSim = best[i]
            }
            guard far >= 0 else { continue }
            taken.insert(far)
            let old = assignments[far]
            sizes[old] -= 1; sizes[c] = 1
            for j in 0..<d {
                sums[old * d + j] -= x.data[far * d + j]
                sums[c * d + j] = x.data[far * d + j]
            }
            assignments[far] = c
        }
        return normalized(Vectors(data: sums, count: k, dim: d)).data
    }
}
