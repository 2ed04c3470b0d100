import Foundation

extension Analysis {
    /// Dot product of `query` with every row of `corpus` (cosine for unit vectors): `[corpus.count]`,
    /// computed as one `[count, dim] · [dim, 1]` sgemm. A query whose length is not `corpus.dim`
    /// gives `[]`.
    public static func scores(query: [Float], in corpus: Vectors) -> [Float] {
        guard query.count == corpus.dim, corpus.count > 0 else { return [] }
        var out = [Float](repeating: 0, count: corpus.count)
        corpus.data.withUnsafeBufferPointer { x in
            query.withUnsafeBufferPointer { q in
                out.withUnsafeMutableBufferPointer { c in
                    dotProducts(x.baseAddress!, rows: corpus.count, q.baseAddress!, rows: 1,
                                dim: corpus.dim, into: c.baseAddress!)
                }
            }
        }
        return out
    }

    /// Exact top-k rows of `corpus` by dot product with `query`, best first.
    ///
    /// Ties are broken by the lower index, so the result is fully deterministic. Rows in `excluding`
    /// are skipped. `k` larger than the number of candidates returns them all; `k <= 0` or a query
    /// of the wrong length returns `[]`. Cost: one sgemm plus an O(count · log k) heap selection
    /// (100,000 × 1024 runs in tens of milliseconds).
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

    /// Per-document scores from per-chunk scores: a document's score is its best chunk's score.
    /// `chunkDocuments[c]` is the document of chunk `c`; documents without chunks score `-infinity`
    /// (so `topK` never returns them).
    public static func documentScores(chunkScores: [Float], chunkDocuments: [Int], documentCount: Int) -> [Float] {
        var out = [Float](repeating: -.infinity, count: max(documentCount, 0))
        for c in 0..<min(chunkScores.count, chunkDocuments.count) {
            let d = chunkDocuments[c]
            if d >= 0, d < out.count, chunkScores[c] > out[d] { out[d] = chunkScores[c] }
        }
        return out
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
