import Foundation

/// Retrieval quality of one ranked list against graded relevance judgments, with the definitions
/// of trec_eval (and so pytrec_eval, BEIR and MTEB):
///
/// - `ranking`: distinct document ids, best first. Ties in score must already be broken by whoever ranked
///   (loupe's searches put the lower document index first); the metrics only see the order.
/// - `grades`: document id → relevance grade. A grade > 0 is relevant; 0 (judged non-relevant)
///   and documents without a judgment count as non-relevant. Judged documents that never appear
///   in any ranking (e.g. missing from the corpus) still count in the ideal DCG and in the
///   recall and MAP denominators, as in trec_eval.
/// - `k`: the cut-off; positions are 1-based and only the first `k` of `ranking` count.
///
/// Definitions (R = number of relevant documents, rel_i = grade at position i, 0 if unjudged):
/// - nDCG@k = DCG@k / IDCG@k, DCG@k = Σ_{i ≤ k} rel_i / log2(i + 1) (linear gain = the grade),
///   IDCG@k the DCG@k of the judgments sorted by grade, best first.
/// - MRR@k = 1 / (position of the first relevant document) if it is within k, else 0.
/// - recall@k = |relevant in the top k| / R.
/// - MAP@k = (Σ_{i ≤ k, rel_i > 0} precision@i) / R (trec_eval's `map_cut`: divided by all R,
///   not by min(R, k)).
/// A query with R = 0 scores 0 everywhere; callers skip such queries (and count them) instead.
public struct RankingScores: Sendable, Equatable {
    public var ndcg: Double
    public var reciprocalRank: Double
    public var recall: Double
    public var averagePrecision: Double
    public init(ndcg: Double, reciprocalRank: Double, recall: Double, averagePrecision: Double) {
        self.ndcg = ndcg; self.reciprocalRank = reciprocalRank; self.recall = recall; self.averagePrecision = averagePrecision
    }
}

extension Analysis {
    /// All four measures of `ranking` at cut-off `k` (see `RankingScores`). `k < 1` scores 0.
    public static func rankingScores(ranking: [Int], grades: [Int: Int], k: Int) -> RankingScores {
        let relevantCount = grades.values.filter { $0 > 0 }.count
        guard k > 0, relevantCount > 0 else { return RankingScores(ndcg: 0, reciprocalRank: 0, recall: 0, averagePrecision: 0) }
        var dcg = 0.0, firstRelevant = 0, found = 0, precisionSum = 0.0
        for (offset, doc) in ranking.prefix(k).enumerated() {
            let grade = grades[doc] ?? 0
            guard grade > 0 else { continue }
            let position = offset + 1
            dcg += Double(grade) / log2(Double(position) + 1)
            found += 1
            precisionSum += Double(found) / Double(position)
            if firstRelevant == 0 { firstRelevant = position }
        }
        let ideal = grades.values.filter { $0 > 0 }.sorted(by: >).prefix(k)
        let idcg = ideal.enumerated().reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset) + 2) }
        return RankingScores(ndcg: dcg / idcg,
                             reciprocalRank: firstRelevant > 0 ? 1 / Double(firstRelevant) : 0,
                             recall: Double(found) / Double(relevantCount),
                             averagePrecision: precisionSum / Double(relevantCount))
    }
}
