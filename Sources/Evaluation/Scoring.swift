import Analysis
import Foundation

/// The metrics of one grid cell: vectors already truncated to the cell's dimension, stored as the
/// cell's storage says.
///
/// How each storage is scored:
/// - float32: cosine (dot products of unit rows).
/// - int8: the stored side is calibrated per dimension (min/max over the stored vectors: the
///   corpus, or every text of a pairs / labelled set) and both sides go through that calibration,
///   as an int8 index queried with an int8 query; scores are dot products of the reconstructions.
/// - binary: retrieval searches the documents' sign bits by Hamming distance and rescores the
///   4 × depth nearest with the float query (`Analysis.binarySearch`); pairs and labelled texts
///   compare stored bits with stored bits (the cosine of ±1 vectors, `1 − 2 · hamming / dim`).
enum Scoring {
    /// Neighbours that vote in the leave-one-out k-NN accuracy.
    static let knnNeighbours = 5
    /// k-means seed of the V-measure clustering (fixed, so a cell is reproducible).
    static let kmeansSeed: UInt64 = 42
    /// Binary search rescores this many candidates per result (sentence-transformers, Jina).
    static let rescoreMultiplier = 4

    /// Mean nDCG@k, MRR@k, recall@k, recall@100 and MAP@k over the queries (all of which have a
    /// relevant document). Rankings are max(k, 100) deep; ties go to the lower document index.
    static func retrieval(queries: Vectors, documents: Vectors, judgments: [[Int: Int]], storage: EvalStorage,
                          k: Int) -> [String: Double] {
        let depth = max(k, 100)
        var rank: (Int) -> [Int]
        switch storage {
        case .float32:
            rank = { Analysis.search(query: Array(queries.row($0)), in: documents, k: depth).map(\.index) }
        case .int8:
            let calibration = Int8Calibration(calibratingOn: documents)
            let stored = calibration.roundTrip(documents), asked = calibration.roundTrip(queries)
            rank = { Analysis.search(query: Array(asked.row($0)), in: stored, k: depth).map(\.index) }
        case .binary:
            let codes = BinaryCodes(documents)
            rank = { Analysis.binarySearch(query: Array(queries.row($0)), in: codes, k: depth,
                                           rescoreMultiplier: rescoreMultiplier).map(\.index) }
        }
        var out = [String: Double]()
        for q in 0..<queries.count {
            let ranking = rank(q)
            let atK = Analysis.rankingScores(ranking: ranking, grades: judgments[q], k: k)
            out["ndcg@\(k)", default: 0] += atK.ndcg
            out["mrr@\(k)", default: 0] += atK.reciprocalRank
            out["recall@\(k)", default: 0] += atK.recall
            if k != 100 {
                out["recall@100", default: 0] += Analysis.rankingScores(ranking: ranking, grades: judgments[q], k: 100).recall
            }
            out["map@\(k)", default: 0] += atK.averagePrecision
        }
        return out.mapValues { $0 / Double(max(queries.count, 1)) }
    }

    /// Spearman and Pearson between the pair similarities and the gold scores.
    static func pairs(first: Vectors, second: Vectors, gold: [Double], storage: EvalStorage) -> [String: Double] {
        let (a, b) = stored(first, second, storage)
        let similarities = (0..<a.count).map { i in Double(zip(a.row(i), b.row(i)).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
        return ["spearman": Analysis.spearman(similarities, gold), "pearson": Analysis.pearson(similarities, gold)]
    }

    /// V-measure of k-means (k = number of labels) and leave-one-out k-NN accuracy.
    static func labelled(_ v: Vectors, labels: [Int], labelCount: Int, storage: EvalStorage) -> [String: Double] {
        let x = stored(v, Vectors(data: [], count: 0, dim: v.dim), storage).0
        let clusters = Analysis.kmeans(x, k: labelCount, texts: [], seed: kmeansSeed).assignments
        return ["v_measure": Analysis.vMeasure(labels: labels, clusters: clusters),
                "knn_accuracy": Analysis.knnAccuracy(x, labels: labels, k: knnNeighbours)]
    }

    /// Both sets as stored side by side (int8 calibrated on both together).
    static func stored(_ a: Vectors, _ b: Vectors, _ storage: EvalStorage) -> (Vectors, Vectors) {
        switch storage {
        case .float32: return (a, b)
        case .int8:
            let calibration = Int8Calibration(calibratingOn: Vectors(data: a.data + b.data, count: a.count + b.count, dim: a.dim))
            return (calibration.roundTrip(a), calibration.roundTrip(b))
        case .binary: return (BinaryCodes(a).signVectors(), BinaryCodes(b).signVectors())
        }
    }
}

/// Metric names, as the JSON keys and table titles use them.
public enum EvalMetrics {
    /// nDCG@k, MRR@k, recall@k, recall@100 (once when k is 100), MAP@k.
    public static func retrieval(k: Int) -> [String] {
        ["ndcg@\(k)", "mrr@\(k)", "recall@\(k)"] + (k == 100 ? [] : ["recall@100"]) + ["map@\(k)"]
    }

    public static let pairs = ["spearman", "pearson"]
    public static let labelled = ["v_measure", "knn_accuracy"]

    /// The metrics of a kind of data set, the main one first (the chart's).
    public static func names(for dataset: EvalDatasetKind, k: Int) -> [String] {
        switch dataset {
        case .retrieval: return retrieval(k: k)
        case .pairs: return pairs
        case .labelled: return labelled
        }
    }
}

/// The kind of a data set, without its data.
public enum EvalDatasetKind: String, Sendable {
    case retrieval, pairs, labelled
}
