import Foundation

// PLACEHOLDER — replaced by the analysis implementation.
public enum Analysis {
    /// Cosine similarity matrix of normalized vectors (a matrix product).
    public static func similarityMatrix(_ v: Vectors) -> [[Float]] { [] }
    /// Top-k rows of `corpus` by dot product with `query`, best first (ties by lower index).
    public static func search(query: [Float], in corpus: Vectors, k: Int, excluding: Set<Int> = []) -> [Hit] { [] }
    /// Item-to-item neighbours (the item itself excluded).
    public static func neighbours(of index: Int, in corpus: Vectors, k: Int) -> [Hit] { [] }
    /// Seeded k-means++ with the given k; `texts` feed the cluster labels.
    public static func kmeans(_ v: Vectors, k: Int, texts: [String], seed: UInt64 = 42) -> Clustering {
        Clustering(k: k, assignments: [], clusters: [])
    }
    /// k chosen by silhouette over a sample (k in 2...maxK).
    public static func autoKMeans(_ v: Vectors, texts: [String], maxK: Int = 12, seed: UInt64 = 42) -> Clustering {
        Clustering(k: 0, assignments: [], clusters: [])
    }
    /// Average-link agglomerative clustering cut at k clusters.
    public static func agglomerative(_ v: Vectors, k: Int, texts: [String]) -> Clustering {
        Clustering(k: k, assignments: [], clusters: [])
    }
    /// Near-duplicate groups: pairs ≥ threshold joined by union-find; exact = same normalized text.
    public static func duplicates(_ v: Vectors, texts: [String], threshold: Float) -> [DuplicateGroup] { [] }
    /// 2-D PCA projection (one point per row).
    public static func project2D(_ v: Vectors) -> [SIMD2<Float>] { [] }
    /// Adapter (or dimension) comparison over the same texts.
    public static func compare(_ a: Vectors, _ b: Vectors) -> Comparison {
        Comparison(matrixA: [], matrixB: [], difference: [], spearman: 0, rankChanges: [])
    }
    /// Truncate every row to `dim` and re-normalize (Matryoshka).
    public static func truncate(_ v: Vectors, to dim: Int) -> Vectors { v }
}
