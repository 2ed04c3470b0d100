import Foundation

extension Analysis {
    /// Near-duplicate groups.
    ///
    /// - Every pair with cosine (dot product of the rows) `≥ threshold` is linked, and so is every
    ///   pair whose texts are equal after `normalizedText` (case-folded, whitespace collapsed) —
    ///   an exact copy is a duplicate whatever its vector. Linked items are grouped by union-find
    ///   (so groups are transitive: A~B and B~C put A, B, C together).
    /// - Pairs are found in row blocks: block `[i0, i1)` is multiplied with rows `[i0, count)`
    ///   (one sgemm, upper triangle only), with blocks sized to keep that product near 64 MB. No
    ///   `count × count` matrix exists, so 100,000 rows at dim 256 fit easily.
    /// - Only groups of 2 or more are returned, members ascending, groups ordered by first member.
    /// - `exact` is true when all members share the same normalized text (requires
    ///   `texts.count == count`; otherwise no text links are made and `exact` is false).
    /// - `minSimilarity` is the lowest cosine over all member pairs (so a chain can go below the
    ///   threshold); for groups above 2,000 members it is the lowest linking similarity instead.
    public static func duplicates(_ v: Vectors, texts: [String], threshold: Float) -> [DuplicateGroup] {
        duplicates(v, texts: texts, threshold: threshold, blockRows: nil)
    }

    /// `duplicates` with an explicit block height (rows per sgemm block); nil = sized for ~64 MB.
    /// The result does not depend on the block height (tests check block boundaries with it).
    public static func duplicates(_ v: Vectors, texts: [String], threshold: Float, blockRows: Int?) -> [DuplicateGroup] {
        let n = v.count
        guard n > 1 else { return [] }
        var uf = UnionFind(count: n)
        let useTexts = texts.count == n
        var keys = [String]()
        if useTexts {
            keys = texts.map(normalizedText)
            var firstWithKey = [String: Int]()
            for i in 0..<n {
                if let j = firstWithKey[keys[i]] { uf.union(i, j) } else { firstWithKey[keys[i]] = i }
            }
        }
        // Lowest linking similarity per root; merged on union.
        var linkMin = [Float](repeating: .infinity, count: n)
        forEachPair(v, atLeast: threshold, blockRows: blockRows) { i, j, s in
            let a = uf.find(i), b = uf.find(j)
            let m = min(linkMin[a], linkMin[b], s)
            linkMin[uf.union(a, b)] = m
        }
        return collectGroups(&uf, count: n, keys: keys, vectors: v, linkMin: linkMin)
    }

    /// Calls `body(i, j, similarity)` for every pair `i < j` with dot product ≥ `threshold`, in
    /// row-major order. Block `[i0, i1)` is multiplied with rows `[i0, count)` (one sgemm, upper
    /// triangle only); blocks are sized so that product stays near 64 MB (`blockRows` overrides).
    static func forEachPair(_ v: Vectors, atLeast threshold: Float, blockRows: Int?,
                            _ body: (Int, Int, Float) -> Void) {
        let n = v.count, d = v.dim
        guard n > 1 else { return }
        let block = min(max(1, blockRows ?? min(1024, (16 << 20) / max(n, 1))), n)
        var buffer = [Float](repeating: 0, count: block * n)
        v.data.withUnsafeBufferPointer { xs in
            buffer.withUnsafeMutableBufferPointer { out in
                var i0 = 0
                while i0 < n {
                    let i1 = min(i0 + block, n), rows = i1 - i0, cols = n - i0
                    // out[r, c] = row(i0 + r) · row(i0 + c)   // [rows, cols]
                    dotProducts(xs.baseAddress! + i0 * d, rows: rows, xs.baseAddress! + i0 * d, rows: cols,
                                dim: d, into: out.baseAddress!)
                    for r in 0..<rows {
                        let line = out.baseAddress! + r * cols
                        for c in (r + 1)..<cols where line[c] >= threshold { body(i0 + r, i0 + c, line[c]) }
                    }
                    i0 = i1
                }
            }
        }
    }

    /// Groups of 2+ from a union-find, members ascending, ordered by first member.
    static func collectGroups(_ uf: inout UnionFind, count n: Int, keys: [String], vectors v: Vectors,
                              linkMin: [Float]) -> [DuplicateGroup] {
        var groups = [Int: [Int]]()
        for i in 0..<n { groups[uf.find(i), default: []].append(i) }
        return groups.filter { $0.value.count >= 2 }
            .sorted { $0.value[0] < $1.value[0] }
            .map { root, members in
                let exact = !keys.isEmpty && members.allSatisfy { keys[$0] == keys[members[0]] }
                let minSim = members.count <= 2000 ? minPairSimilarity(v, members) : linkMin[root]
                return DuplicateGroup(members: members, exact: exact, minSimilarity: minSim)
            }
    }

    /// The lowest dot product over all pairs of `members` (one sgemm of the gathered rows), clamped to [-1, 1].
    static func minPairSimilarity(_ v: Vectors, _ members: [Int]) -> Float {
        let g = gram(gather(v, members))
        let m = members.count
        var low = Float.infinity
        for i in 0..<m { for j in (i + 1)..<m { low = min(low, g[i * m + j]) } }
        return min(max(low, -1), 1)   // rounding can put identical unit rows at 1.0000005
    }

    /// Text key for exact duplicates: case-folded, runs of whitespace collapsed to one space, trimmed.
    public static func normalizedText(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
