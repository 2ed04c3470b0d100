import Analysis
import Evaluation

// The questions every front end asks of a corpus and its answers, at document level.
//
// One definition of a document's score on a chunked corpus (README, "Chunked documents"):
// - a query scores a document by its best chunk (the highest cosine over the document's chunks), and
//   the answer names that chunk;
// - two documents are compared through their document vectors: the normalized mean of each one's chunk
//   vectors (neighbours, clusters, near-duplicates, the map).
// A document without chunks is its own single chunk, so both rules reduce to plain cosine.

/// A task and a dimension: how a text is looked at.
public struct Lens: Equatable, Hashable, Sendable {
    public var task: String?
    public var dim: Int
    public init(task: String?, dim: Int) { self.task = task; self.dim = dim }
}

/// One document in an answer: its score and, when a chunk answered for it, that chunk's span.
public struct DocumentHit: Equatable, Sendable {
    public var document: Int
    public var score: Float
    /// Unicode-scalar span of the best-matching chunk inside the document text; nil = the whole text.
    public var span: Range<Int>?
    public init(document: Int, score: Float, span: Range<Int>? = nil) {
        self.document = document; self.score = score; self.span = span
    }
}

/// How to cluster: k-means++ with a given k, or k chosen by silhouette; or average-link agglomerative.
public struct ClusterSpec: Equatable, Hashable, Sendable {
    public enum Method: String, Sendable, CaseIterable { case kmeans, agglomerative }
    /// nil: chosen automatically (silhouette over 2…maxK).
    public var k: Int?
    public var maxK: Int
    public var method: Method
    public var seed: UInt64
    public init(k: Int? = nil, maxK: Int = 12, method: Method = .kmeans, seed: UInt64 = 42) {
        self.k = k; self.maxK = maxK; self.method = method; self.seed = seed
    }
    /// Average-link clustering keeps a full distance matrix: this many documents at most.
    public static let agglomerativeLimit = 5000
}

/// Near-duplicate groups, and each member's cosine to its group's first member.
public struct DuplicatesAnswer: Equatable, Sendable {
    public var groups: [DuplicateGroup]
    public var similarityToFirst: [Int: Float]
    public init(groups: [DuplicateGroup], similarityToFirst: [Int: Float] = [:]) {
        self.groups = groups; self.similarityToFirst = similarityToFirst
    }
}

/// A question about the corpus (or free texts) under a lens.
public enum Question: Equatable, Sendable {
    /// Embeds `query` under `queryTask` and ranks the documents (best chunk each); k distinct documents.
    case search(query: String, queryTask: String?, k: Int)
    /// The k documents nearest to `document` (document vectors), itself excluded.
    case neighbours(document: Int, k: Int)
    case clusters(ClusterSpec)
    case duplicates(threshold: Float)
    /// A 2-D projection of the document vectors, plus a clustering to colour the points.
    case projection(ClusterSpec)
    /// The cosine matrix of free texts.
    case similarity(texts: [String])
    /// The same texts under two lenses.
    case compare(texts: [String], a: Lens, b: Lens)
    /// The session's evaluation data set over every task × dimension × storage (`loupe eval`'s grid).
    case evaluation
}

public enum Answer: Equatable, Sendable {
    case search([DocumentHit])
    case neighbours([DocumentHit])
    case clusters(Clustering)
    case duplicates(DuplicatesAnswer)
    case projection(points: [SIMD2<Float>], clusters: [Int])
    case similarity([[Float]])
    case comparison(Comparison)
    case evaluation(EvalReport)
}
