import Foundation

// The value types every analysis takes and returns.

/// A row-major set of vectors: `count` rows of `dim` floats.
public struct Vectors: Sendable, Equatable {
    public var data: [Float]   // [count, dim]
    public let count: Int
    public let dim: Int
    public init(data: [Float], count: Int, dim: Int) {
        precondition(data.count == count * dim, "Vectors: \(data.count) values for \(count)×\(dim)")
        self.data = data; self.count = count; self.dim = dim
    }
    public init(rows: [[Float]]) {
        let d = rows.first?.count ?? 0
        self.init(data: rows.flatMap { $0 }, count: rows.count, dim: d)
    }
    public func row(_ i: Int) -> ArraySlice<Float> { data[i * dim ..< (i + 1) * dim] }
}

public struct Hit: Sendable, Equatable {
    public var index: Int
    public var score: Float
    public init(index: Int, score: Float) { self.index = index; self.score = score }
}

public struct Cluster: Sendable, Equatable {
    public var size: Int
    public var label: String
    /// Member indices, most central first.
    public var members: [Int]
    public var central: [Int] { Array(members.prefix(5)) }
    public init(size: Int, label: String, members: [Int]) { self.size = size; self.label = label; self.members = members }
}

public struct Clustering: Sendable, Equatable {
    public var k: Int
    public var assignments: [Int]
    public var clusters: [Cluster]
    public var silhouette: Float?
    public init(k: Int, assignments: [Int], clusters: [Cluster], silhouette: Float? = nil) {
        self.k = k; self.assignments = assignments; self.clusters = clusters; self.silhouette = silhouette
    }
}

public struct DuplicateGroup: Sendable, Equatable {
    public var members: [Int]
    /// All members have the same normalized text.
    public var exact: Bool
    public var minSimilarity: Float
    public init(members: [Int], exact: Bool, minSimilarity: Float) {
        self.members = members; self.exact = exact; self.minSimilarity = minSimilarity
    }
}

/// Two tasks (or dimensions) over the same texts.
public struct Comparison: Sendable, Equatable {
    public var matrixA: [[Float]]
    public var matrixB: [[Float]]
    public var difference: [[Float]]      // B − A
    public var spearman: Float            // over the off-diagonal pairs
    /// rankChanges[i][j]: for item i, neighbour j's rank under A minus its rank under B (positive = moved up in B).
    public var rankChanges: [[Int]]
    public init(matrixA: [[Float]], matrixB: [[Float]], difference: [[Float]], spearman: Float, rankChanges: [[Int]]) {
        self.matrixA = matrixA; self.matrixB = matrixB; self.difference = difference
        self.spearman = spearman; self.rankChanges = rankChanges
    }
}
