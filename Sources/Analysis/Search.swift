import Foundation

extension Analysis {
    /// Dot product of `query` with every row of `corpus` (cosine for unit vectors): `[corpus.count]`.
    /// A query whose length is not `corpus.dim` gives `[]`.
    ///
    /// Why not sgemm here: a single query is a matrix-*vector* product, memory-bound, and the
    /// system OpenBLAS (0.3.21) runs sgemm with one column ~3× slower than a plain streaming pass
    /// (it packs the whole corpus). `rowDots` streams each row once with SIMD accumulators, split
    /// over the cores; every matrix-matrix product in this module still goes through `BLAS.sgemm`.
    public static func scores(query: [Float], in corpus: Vectors) -> [Float] {
        guard query.count == corpus.dim, corpus.count > 0 else { return [] }
        var out = [Float](repeating: 0, count: corpus.count)
        corpus.data.withUnsafeBufferPointer { x in
            query.withUnsafeBufferPointer { q in
                out.withUnsafeMutableBufferPointer { c in
                    rowDots(x.baseAddress!, rows: corpus.count, dim: corpus.dim, q.baseAddress!, into: c.baseAddress!)
                }
            }
        }
        return out
    }

    /// `out[i] = x[i, :] · q` for `rows` rows of `dim` floats (`x` is `[rows, dim]`).
    static func rowDots(_ x: UnsafePointer<Float>, rows n: Int, dim d: Int, _ q: UnsafePointer<Float>,
                        into out: UnsafeMutablePointer<Float>) {
        let parts = n * d >= 1 << 20 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        if parts == 1 {
            for i in 0..<n { out[i] = dot(x + i * d, q, d) }
            return
        }
        // Pointers cross into the worker closure as addresses (each part writes its own rows).
        let xa = UInt(bitPattern: x), qa = UInt(bitPattern: q), oa = UInt(bitPattern: out)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let x = UnsafePointer<Float>(bitPattern: xa)!, q = UnsafePointer<Float>(bitPattern: qa)!
            let out = UnsafeMutablePointer<Float>(bitPattern: oa)!
            for i in (n * p / parts)..<(n * (p + 1) / parts) { out[i] = dot(x + i * d, q, d) }
        }
    }

    /// Dot product of two `d`-float vectors with four 8-wide accumulators.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var j = 0
        while j + 32 <= d {
            s0 += ra.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD8<Float>.self)
            s2 += ra.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD8<Float>.self)
            s3 += ra.loadUnaligned(fromByteOffset: j * 4 + 96, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: j * 4 + 96, as: SIMD8<Float>.self)
            j += 32
        }
        while j + 8 <= d {
            s0 += ra.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            j += 8
        }
        var s = ((s0 + s1) + (s2 + s3)).sum()
        while j < d { s += a[j] * b[j]; j += 1 }
        return s
    }

    /// Exact top-k rows of `corpus` by dot product with `query`, best first.
    ///
    /// Ties are broken by the lower index, so the result is fully deterministic. Rows in `excluding`
    /// are skipped. `k` larger than the number of candidates returns them all; `k <= 0` or a query
    /// of the wrong length returns `[]`. Cost: one streaming pass over the corpus (`scores`) plus an
    /// O(count · log k) heap selection.
    public static func search(query: [Float], in corpus: Vectors, k: Int, excluding: Set<Int> = []) -> [Hit] {
        topK(scores(query: query, in: corpus), k: k, excluding: excluding)
    }

    /// Item-to-item neighbours: the `k` rows most similar to row `index`, best first, the item
    /// itself excluded (an exact copy of it elsewhere in the corpus is still listed).
    /// An index outside the corpus gives `[]`.
    public static func neighbours(of index: Int, in corpus: Vectors, k: Int) -> [Hit] {
        guard index >= 0, index < corpus.count else { return [] }
        return search(query: Array(corpus.row(index)), in: corpus, k: k, excluding: [index])
    }

    /// The `k` best entries of `scores`, best first, ties by lower index; `excluding` indices and
    /// NaN / -infinity scores are never returned.
    public static func topK(_ scores: [Float], k: Int, excluding: Set<Int> = []) -> [Hit] {
        guard k > 0, !scores.isEmpty else { return [] }
        var heap = TopKHeap(capacity: min(k, scores.count))
        scores.withUnsafeBufferPointer { s in
            for i in 0..<s.count {
                let x = s[i]
                // Indices arrive in increasing order, so an equal score never beats the heap's worst.
                guard x > heap.threshold, x == x, x != -.infinity else { continue }
                if !excluding.isEmpty, excluding.contains(i) { continue }
                heap.insert(Hit(index: i, score: x))
            }
        }
        return heap.sortedBestFirst()
    }
}

/// A bounded min-heap keeping the best `capacity` hits seen; its root is the worst kept hit.
struct TopKHeap {
    private(set) var items: [Hit] = []
    let capacity: Int
    init(capacity: Int) { self.capacity = capacity; items.reserveCapacity(capacity) }

    /// A new hit must score above this to enter (−∞ until the heap is full).
    var threshold: Float { items.count < capacity ? -.infinity : items[0].score }

    /// `a` ranks below `b`: lower score, or equal score and higher index.
    @inline(__always) static func worse(_ a: Hit, _ b: Hit) -> Bool {
        a.score < b.score || (a.score == b.score && a.index > b.index)
    }

    mutating func insert(_ h: Hit) {
        guard capacity > 0 else { return }
        if items.count < capacity {
            items.append(h)
            var i = items.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                guard Self.worse(items[i], items[p]) else { break }
                items.swapAt(i, p); i = p
            }
        } else if Self.worse(items[0], h) {
            items[0] = h
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, Self.worse(items[l], items[m]) { m = l }
                if r < items.count, Self.worse(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m); i = m
            }
        }
    }

    func sortedBestFirst() -> [Hit] { items.sorted { Self.worse($1, $0) } }
}
