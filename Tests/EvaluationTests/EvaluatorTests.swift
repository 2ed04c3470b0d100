import XCTest
import Foundation
import Analysis
import Corpus
@testable import Evaluation

/// The grid runner with a stand-in encoder whose vectors are chosen so every metric can be worked
/// out by hand.
final class EvaluatorTests: XCTestCase {
    /// Records every embed call and answers from a table of texts → 4-D vectors.
    final class StubEncoder: @unchecked Sendable {
        let table: [String: [Float]]
        private let lock = NSLock()
        private var _calls: [(texts: [String], task: String?, role: EvalRole)] = []
        var calls: [(texts: [String], task: String?, role: EvalRole)] { lock.withLock { _calls } }
        init(_ table: [String: [Float]]) { self.table = table }

        var embed: Evaluator.Embed {
            { texts, task, role in
                self.lock.withLock { self._calls.append((texts, task, role)) }
                return texts.map { self.table[$0] ?? [0, 0, 0, 1] }
            }
        }
    }

    private let r = Float(0.5).squareRoot()

    /// Three documents, a query for d2 (grade 2) and one with only a grade-0 judgment.
    private func retrievalSet() -> RetrievalDataset {
        let docs = ["d0", "d1", "d2"].enumerated().map { Document(index: $0.offset, text: $0.element, source: "corpus.jsonl:\($0.offset + 1)") }
        return RetrievalDataset(documents: docs, documentIDs: ["d0", "d1", "d2"], queries: ["q0", "q-none"],
                                queryIDs: ["q0", "q1"], judgments: [[2: 2], [0: 0]], source: "set")
    }

    func testRetrievalGridTasksRolesAndTruncation() async throws {
        let stub = StubEncoder(["d0": [1, 0, 0, 0], "d1": [0, 1, 0, 0], "d2": [r, 0, r, 0], "q0": [0, 0, 1, 0]])
        let tasks = EvalTask.all(modelTasks: ["retrieval.query", "retrieval.passage", "text-matching"])
        let plan = EvalPlan(tasks: tasks, dims: [2, 4], k: 10)
        let report = try await Evaluator.run(.retrieval(retrievalSet()), plan: plan, embed: stub.embed)

        XCTAssertEqual(report.tasks, ["retrieval", "text-matching", "none"])
        XCTAssertEqual(report.evaluated, 1)
        XCTAssertEqual(report.skipped, 1, "q-none has no relevant document")
        let calls = stub.calls.map { "\($0.task ?? "nil")/\($0.role.rawValue)/\($0.texts.joined(separator: ","))" }
        XCTAssertEqual(calls, ["retrieval.passage/document/d0,d1,d2", "retrieval.query/query/q0",
                               "text-matching/document/d0,d1,d2", "text-matching/query/q0",
                               "nil/document/d0,d1,d2", "nil/query/q0"], "the skipped query is never embedded")
        XCTAssertEqual(report.cells.count, 3 * 2 * 3)
        XCTAssertEqual(report.metrics, ["ndcg@10", "mrr@10", "recall@10", "recall@100", "map@10"])

        // Full dimension: q0 · d2 = 0.707 beats 0 and 0 → d2 first.
        XCTAssertEqual(report.value("ndcg@10", task: "retrieval", dim: 4), 1)
        // At 2 dimensions q0 truncates to a zero vector: all scores tie, d2 falls to position 3.
        XCTAssertEqual(try XCTUnwrap(report.value("ndcg@10", task: "retrieval", dim: 2)), (2 / log2(4.0)) / 2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(report.value("mrr@10", task: "none", dim: 2)), 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(report.value("recall@100", task: "none", dim: 2), 1)
        for storage in [EvalStorage.int8, .binary] {
            XCTAssertEqual(report.retention("ndcg@10", task: "retrieval", dim: 4, storage: storage), 1, "\(storage)")
        }
    }

    func testPairsCorrelateCosineWithTheGoldScore() async throws {
        // first = e0, second at angles 10°, 40°, 70°: cosines fall as the gold scores do.
        var table: [String: [Float]] = ["a": [1, 0, 0, 0]]
        for (name, deg) in [("b10", Float(10)), ("b40", 40), ("b70", 70)] {
            table[name] = [cos(deg * .pi / 180), sin(deg * .pi / 180), 0, 0]
        }
        let gold = [10, 40, 70].map { cos(Double($0) * .pi / 180) * 5 }   // 0–5 scale, linear in the cosine
        let set = PairDataset(first: ["a", "a", "a"], second: ["b10", "b40", "b70"], scores: gold)
        let stub = StubEncoder(table)
        let report = try await Evaluator.run(.pairs(set), plan: EvalPlan(tasks: [.none], dims: [4]), embed: stub.embed)
        XCTAssertEqual(report.metrics, ["spearman", "pearson"])
        XCTAssertEqual(try XCTUnwrap(report.value("spearman", task: "none", dim: 4)), 1, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(report.value("pearson", task: "none", dim: 4)), 1, accuracy: 1e-6)
        XCTAssertEqual(stub.calls.map(\.role), [.query, .document], "sentence1 is the query side, sentence2 the document side")
    }

    func testLabelledTextsClusterAndClassify() async throws {
        var table = [String: [Float]](), texts = [String](), labels = [Int]()
        for (label, centre) in [[Float(1), 0, 0, 0], [0, 0, 1, 0]].enumerated() {
            for i in 0..<6 {
                var v = centre
                v[1] = Float(i) * 0.05; v[3] = Float(i % 2) * 0.05
                let name = "t\(label)-\(i)"
                table[name] = v.map { $0 / v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
                texts.append(name); labels.append(label)
            }
        }
        let set = LabelledDataset(texts: texts, labels: labels, labelNames: ["x", "y"])
        let report = try await Evaluator.run(.labelled(set), plan: EvalPlan(tasks: [.none], dims: [4]), embed: StubEncoder(table).embed)
        for storage in EvalStorage.allCases {
            XCTAssertEqual(report.value("v_measure", task: "none", dim: 4, storage: storage), 1, "\(storage)")
            XCTAssertEqual(report.value("knn_accuracy", task: "none", dim: 4, storage: storage), 1, "\(storage)")
        }
    }

    func testEncoderReturningTooFewOrNarrowVectorsIsAnError() async {
        let short: Evaluator.Embed = { texts, _, _ in texts.dropLast().map { _ in [1, 0, 0, 0] } }
        let set = PairDataset(first: ["a", "b"], second: ["c", "d"], scores: [1, 2])
        do {
            _ = try await Evaluator.run(.pairs(set), plan: EvalPlan(tasks: [.none], dims: [4]), embed: short)
            XCTFail("expected an error")
        } catch { XCTAssertTrue("\(error)".contains("returned 1 vectors"), "\(error)") }
        let narrow: Evaluator.Embed = { texts, _, _ in texts.map { _ in [1, 0] } }
        do {
            _ = try await Evaluator.run(.pairs(set), plan: EvalPlan(tasks: [.none], dims: [4]), embed: narrow)
            XCTFail("expected an error")
        } catch { XCTAssertTrue("\(error)".contains("need 4 dimensions"), "\(error)") }
    }

    func testNoEvaluableQueryIsAnError() async {
        var set = retrievalSet()
        set.judgments = [[0: 0], [:]]
        do {
            _ = try await Evaluator.run(.retrieval(set), plan: EvalPlan(tasks: [.none], dims: [4]), embed: StubEncoder([:]).embed)
            XCTFail("expected an error")
        } catch { XCTAssertTrue("\(error)".contains("no query has a relevant document"), "\(error)") }
    }
}
