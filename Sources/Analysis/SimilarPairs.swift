import Foundation

/// Every pair of items with cosine at or above a floor, found once, so that duplicate groups can
/// be recomputed for any threshold ≥ the floor without touching the vectors again — what the
/// explorer's Duplicates view needs when `+`/`-` move the threshold on every keypress.
public struct SimilarPairs: Sendable {
    public struct Pair: Sendable, Equatable {
        public var a: Int32
        public var b: Int32
        public var similarity: Float
    }
    /// Number of items the pairs index into.
    public let count: Int
    /// The lowest threshold `groups(threshold:)` can answer exactly.
    public let floor: Float
    /// Pairs `a < b` with similarity ≥ floor, most similar first (ties by a, then b).
    public let pairs: [Pair]

    /// Duplicate groups at `threshold` (clamped up to `floor`), with the same semantics as
    /// `Analysis.duplicates`: pairs ≥ threshold plus equal normalized texts, union-find, groups
    /// of 2+, members ascending, groups by first member, `minSimilarity` over all member pairs
    /// (from `vectors`; for groups above 2,000 members the lowest linking similarity).
    public func groups(threshold: Float, texts: [String], vectors: Vectors) -> [DuplicateGroup] {
        guard vectors.count == count, count > 1 else { return [] }
        let t = max(threshold, floor)
        var uf = UnionFind(count: count)
        var linkMin = [Float](repeating: .infinity, count: count)
        let keys = texts.count == count ? texts.map(Analysis.normalizedText) : []
        if !keys.isEmpty {
            var first = [String: Int]()
            for i in 0..<count { if let j = first[keys[i]] { uf.union(i, j) } else { first[keys[i]] = i } }
        }
        for p in pairs {
            if p.similarity < t { break }  // sorted: the rest are below the threshold
            let a = uf.find(Int(p.a)), b = uf.find(Int(p.b))
            let m = min(linkMin[a], linkMin[b], p.similarity)
            linkMin[uf.union(a, b)] = m
        }
        return Analysis.collectGroups(&uf, count: count, keys: keys, vectors: vectors, linkMin: linkMin)
    }
}

extension Analysis {
    /// All pairs with cosine ≥ `floor`, computed in row blocks like `duplicates` (no
    /// `count × count` matrix). Memory is 12 bytes per pair found, so pick a floor that keeps the
    /// pair count reasonable (a floor near the lowest threshold a person would try, e.g. 0.7).
    public static func similarPairs(_ v: Vectors, atLeast floor: Float, blockRows: Int? = nil) -> SimilarPairs {
        var found = [SimilarPairs.Pair]()
        forEachPair(v, atLeast: floor, blockRows: blockRows) { i, j, s in
            found.append(.init(a: Int32(i), b: Int32(j), similarity: s))
        }
        found.sort { x, y in
            x.similarity != y.similarity ? x.similarity > y.similarity : (x.a != y.a ? x.a < y.a : x.b < y.b)
        }
        return SimilarPairs(count: v.count, floor: floor, pairs: found)
    }
}
