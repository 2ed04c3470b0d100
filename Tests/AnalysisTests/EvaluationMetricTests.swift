import XCTest
import Foundation
@testable import Analysis

/// The evaluation metrics on cases worked out by hand (the goldens from pytrec_eval, scipy and
/// scikit-learn are in MetricGoldenTests).
final class EvaluationMetricTests: XCTestCase {
    private let inv3 = 1 / log2(3.0)   // discount of position 2

    func testOneRelevantDocumentAtTheTopAndSecond() {
        let top = Analysis.rankingScores(ranking: [4, 1, 2], grades: [4: 1], k: 10)
        XCTAssertEqual(top, RankingScores(ndcg: 1, reciprocalRank: 1, recall: 1, averagePrecision: 1))
        let second = Analysis.rankingScores(ranking: [1, 4, 2], grades: [4: 1], k: 10)
        XCTAssertEqual(second.ndcg, inv3, accuracy: 1e-12)                 // 1/log2(3) / 1
        XCTAssertEqual(second.reciprocalRank, 0.5)
        XCTAssertEqual(second.averagePrecision, 0.5)                       // P@2 / R
        XCTAssertEqual(Analysis.rankingScores(ranking: [1, 4, 2], grades: [4: 1], k: 1).ndcg, 0)
    }

    func testGradedRelevanceUsesTheGradeAsGain() {
        // Grade 1 ranked above grade 3: DCG = 1 + 3/log2(3), IDCG = 3 + 1/log2(3).
        let s = Analysis.rankingScores(ranking: [7, 3], grades: [3: 3, 7: 1], k: 10)
        XCTAssertEqual(s.ndcg, (1 + 3 * inv3) / (3 + inv3), accuracy: 1e-12)
        XCTAssertEqual(s.reciprocalRank, 1, "any grade > 0 is relevant for MRR")
        XCTAssertEqual(s.averagePrecision, 1)
        XCTAssertEqual(s.recall, 1)
    }

    func testSeveralRelevantDocumentsSomeBelowTheCut() {
        // Document i at position i + 1; relevant 0 (pos 1), 5 (pos 6), 20 (pos 21).
        let ranking = Array(0..<30), grades = [0: 1, 5: 1, 20: 1, 2: 0]
        let s = Analysis.rankingScores(ranking: ranking, grades: grades, k: 10)
        XCTAssertEqual(s.recall, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.averagePrecision, (1.0 / 1 + 2.0 / 6) / 3, accuracy: 1e-12, "MAP@k divides by all R")
        XCTAssertEqual(s.ndcg, (1 + 1 / log2(7.0)) / (1 + inv3 + 0.5), accuracy: 1e-12)
        XCTAssertEqual(Analysis.rankingScores(ranking: ranking, grades: grades, k: 100).recall, 1)
    }

    func testJudgedDocumentsThatAreNeverRankedStillCount() {
        // Document 99 is judged (grade 2) but absent from the ranking, e.g. missing from the corpus.
        let s = Analysis.rankingScores(ranking: [0, 1], grades: [0: 1, 99: 2], k: 10)
        XCTAssertEqual(s.recall, 0.5)
        XCTAssertEqual(s.ndcg, 1 / (2 + inv3), accuracy: 1e-12)
    }

    func testAQueryWithoutRelevantDocumentsScoresZero() {
        XCTAssertEqual(Analysis.rankingScores(ranking: [0, 1], grades: [0: 0], k: 10),
                       RankingScores(ndcg: 0, reciprocalRank: 0, recall: 0, averagePrecision: 0))
        XCTAssertEqual(Analysis.rankingScores(ranking: [0, 1], grades: [:], k: 10).ndcg, 0)
    }

    func testTiedScoresRankTheLowerIndexFirst() {
        // Documents 1 and 2 tie; 1 comes first, so relevant document 2 sits at position 2.
        let corpus = Vectors(rows: [[0.5, 0.866], [0.9, 0.436], [0.9, 0.436]])
        let ranking = Analysis.search(query: [1, 0], in: corpus, k: 3).map(\.index)
        XCTAssertEqual(ranking, [1, 2, 0])
        XCTAssertEqual(Analysis.rankingScores(ranking: ranking, grades: [2: 1], k: 10).reciprocalRank, 0.5)
    }

    func testCorrelations() {
        XCTAssertEqual(Analysis.pearson([1, 2, 3], [2, 4, 6]), 1, accuracy: 1e-12)
        XCTAssertEqual(Analysis.pearson([1, 2, 3], [3, 2, 1]), -1, accuracy: 1e-12)
        XCTAssertEqual(Analysis.pearson([1, 1, 1], [3, 2, 1]), 0, "constant side: undefined → 0")
        // Ties share their average rank: x ranks [1.5, 1.5, 3], y ranks [1, 2, 3].
        let r = Analysis.spearman([5.0, 5, 9], [1.0, 2, 3])
        XCTAssertEqual(r, Analysis.pearson([1.5, 1.5, 3], [1, 2, 3]), accuracy: 1e-12)
        XCTAssertEqual(r, 0.8660254037844386, accuracy: 1e-12)
        XCTAssertEqual(Analysis.spearman([1.0, 2, 3], [1.0, 8, 27]), 1, accuracy: 1e-12, "monotone, not linear")
    }

    func testVMeasure() {
        XCTAssertEqual(Analysis.vMeasure(labels: [0, 0, 1, 1], clusters: [5, 5, 2, 2]), 1, accuracy: 1e-12)
        XCTAssertEqual(Analysis.vMeasure(labels: [0, 0, 1, 1], clusters: [0, 0, 0, 0]), 0, accuracy: 1e-12)
        // Every item its own cluster: h = 1, c = ln 2 / ln 4 = 1/2, V = 2/3.
        XCTAssertEqual(Analysis.vMeasure(labels: [0, 0, 1, 1], clusters: [0, 1, 2, 3]), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(Analysis.vMeasure(labels: [3, 3], clusters: [1, 1]), 1, "one label, one cluster")
    }

    private func angle(_ degrees: Float) -> [Float] { [cos(degrees * .pi / 180), sin(degrees * .pi / 180)] }

    func testKNNVoteTieGoesToTheNearestLabel() {
        XCTAssertEqual(Analysis.vote([2, 0]), 2)
        XCTAssertEqual(Analysis.vote([0, 2, 2]), 2)
        XCTAssertEqual(Analysis.vote([1, 0, 0, 1]), 1)
        // a(0°, L0), b(5°, L1), c(12°, L0) with k = 2: a sees [b, c] → tie → b's label 1 (wrong);
        // b sees [a, c] → 0 (wrong); c sees [b, a] → tie → 1 (wrong). "Smallest label" would score 2/3.
        let v = Vectors(rows: [angle(0), angle(5), angle(12)])
        XCTAssertEqual(Analysis.knnAccuracy(v, labels: [0, 1, 0], k: 2), 0)
        // Two clean groups: every item's neighbours share its label.
        let clean = Vectors(rows: [angle(0), angle(4), angle(9), angle(180), angle(184), angle(189)])
        XCTAssertEqual(Analysis.knnAccuracy(clean, labels: [0, 0, 0, 1, 1, 1], k: 2), 1)
        XCTAssertEqual(Analysis.knnAccuracy(clean, labels: [0, 0, 0, 1, 1, 1], k: 50), 0,
                       "k past the set: all five others vote, 3 of the other label beat 2 of its own")
    }
}
