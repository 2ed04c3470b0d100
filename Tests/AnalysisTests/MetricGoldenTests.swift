import XCTest
import Foundation
import Analysis
import TestSupport

/// The evaluation metrics against values computed by established implementations on random cases:
/// pytrec_eval (trec_eval) for the ranking metrics, scipy for Pearson and Spearman, scikit-learn for
/// V-measure and the k-NN neighbours. `scripts/make-eval-goldens.py` wrote the committed fixture
/// `Tests/Fixtures/eval-goldens.json` once; these tests only read it.
final class MetricGoldenTests: XCTestCase {
    private func goldens() throws -> [String: Any] {
        let url = Fixtures.repoRoot.appendingPathComponent("Tests/Fixtures/eval-goldens.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try XCTUnwrap(object as? [String: Any], "eval-goldens.json is not a JSON object")
    }

    private func cases(_ name: String) throws -> [[String: Any]] {
        let list = try XCTUnwrap(try goldens()[name] as? [[String: Any]], "no '\(name)' cases")
        XCTAssertGreaterThanOrEqual(list.count, 20)
        return list
    }

    private func doubles(_ any: Any?) -> [Double] { (any as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan } }

    func testRankingMetricsMatchPytrecEval() throws {
        var compared = 0
        for (n, c) in try cases("retrieval").enumerated() {
            let ranking = ints(c["ranking"])
            var grades = [Int: Int]()
            for (doc, grade) in c["grades"] as? [String: Any] ?? [:] { grades[Int(doc)!] = (grade as? NSNumber)?.intValue }
            let expected = try XCTUnwrap(c["expected"] as? [String: Double])
            for k in [5, 10, 100] {
                let s = Analysis.rankingScores(ranking: ranking, grades: grades, k: k)
                var mine = ["recall@\(k)": s.recall]
                if k != 100 { mine["ndcg@\(k)"] = s.ndcg; mine["map@\(k)"] = s.averagePrecision; mine["mrr@\(k)"] = s.reciprocalRank }
                for (name, value) in mine {
                    let want = try XCTUnwrap(expected[name], "case \(n): no \(name)")
                    XCTAssertEqual(value, want, accuracy: 1e-9, "case \(n) \(name)")
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 1000)
    }

    func testCorrelationsMatchScipy() throws {
        for (n, c) in try cases("correlation").enumerated() {
            let x = doubles(c["x"]), y = doubles(c["y"])
            XCTAssertEqual(Analysis.pearson(x, y), try XCTUnwrap(c["pearson"] as? Double), accuracy: 1e-9, "case \(n)")
            XCTAssertEqual(Analysis.spearman(x, y), try XCTUnwrap(c["spearman"] as? Double), accuracy: 1e-9, "case \(n)")
        }
    }

    func testVMeasureMatchesScikitLearn() throws {
        for (n, c) in try cases("v_measure").enumerated() {
            let v = Analysis.vMeasure(labels: ints(c["labels"]), clusters: ints(c["clusters"]))
            XCTAssertEqual(v, try XCTUnwrap(c["v_measure"] as? Double), accuracy: 1e-9, "case \(n)")
        }
    }

    func testLeaveOneOutKNNMatchesScikitLearnNeighbours() throws {
        var tiedVotes = 0
        for (n, c) in try cases("knn").enumerated() {
            let rows = (c["vectors"] as? [Any] ?? []).map { floats($0) }
            let accuracy = Analysis.knnAccuracy(Vectors(rows: rows), labels: ints(c["labels"]), k: (c["k"] as? Int) ?? 0)
            XCTAssertEqual(accuracy, try XCTUnwrap(c["accuracy"] as? Double), accuracy: 1e-12, "case \(n)")
            tiedVotes += (c["tied_votes"] as? Int) ?? 0
        }
        XCTAssertGreaterThan(tiedVotes, 0, "the goldens exercise the tie rule")
    }
}
