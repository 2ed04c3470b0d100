import Evaluation
import Session
import XCTest
@testable import Explorer

/// `--eval` in the explorer: the Adapters view's evaluation mode (request once, chart and table, metric
/// and storage keys) and the Search view's relevance marks.
final class EvaluationViewTests: XCTestCase {
    /// A report over two tasks and three dimensions with hand-picked values: the best float32 nDCG is
    /// retrieval at 128; int8 keeps 90 % at 64.
    static let report: EvalReport = {
        var cells: [EvalCell] = []
        let ndcg: [String: [Double]] = ["retrieval": [0.50, 0.60, 0.80], "none": [0.40, 0.45, 0.55]]
        for task in ["retrieval", "none"] {
            for (c, dim) in [64, 128, 256].enumerated() {
                let v = ndcg[task]![c]
                cells.append(EvalCell(task: task, dim: dim, storage: .float32, metrics: ["ndcg@10": v, "mrr@10": v / 2]))
                cells.append(EvalCell(task: task, dim: dim, storage: .int8, metrics: ["ndcg@10": v * 0.9, "mrr@10": v / 2]))
            }
        }
        // The best float32 cell: swap 256 ↔ 128 for retrieval so the maximum is not at the last column.
        cells = cells.map { c in
            var c = c
            if c.task == "retrieval", c.storage == .float32 { c.metrics["ndcg@10"] = [64: 0.5, 128: 0.8, 256: 0.6][c.dim]! }
            return c
        }
        return EvalReport(kind: .retrieval, metrics: ["ndcg@10", "mrr@10"], tasks: ["retrieval", "none"], dims: [64, 128, 256],
                          storages: [.float32, .int8], cells: cells, evaluated: 3, skipped: 1)
    }()

    func loaded() -> AppState {
        var s = TestStates.ready(width: 100, height: 30)
        _ = update(&s, .evaluationLoaded(name: "faq — retrieval: 5 documents, 4 queries",
                                         queries: ["card payment", "delete account"],
                                         relevance: ["card payment": [3: 2, 1: 1], "delete account": [4: 1]]))
        return s
    }

    func testTheQueriesBecomeTheSearchHistory() {
        var s = loaded()
        _ = update(&s, .key(.up))
        XCTAssertEqual(s.search.query.text, "delete account")
        _ = update(&s, .key(.up))
        XCTAssertEqual(s.search.query.text, "card payment")
    }

    func testEvaluationModeAsksOnceThenDrawsTheChartAndTheTable() {
        var s = loaded()
        _ = update(&s, .key(.esc))
        _ = update(&s, .key(.f(7)))
        XCTAssertEqual(s.adapters.mode, .dimensions, "MiniLM: no task comparison")
        let e = update(&s, .key(.char("m")))
        XCTAssertEqual(s.adapters.mode, .evaluation)
        guard case .analyse(let id, .evaluation, _, _)? = e.last else { return XCTFail("\(e)") }
        _ = update(&s, .result(id: id, .evaluation(Self.report), latencyMs: nil))
        XCTAssertEqual(update(&s, .key(.char("[")))
                       .filter { if case .analyse = $0 { return true }; return false }, [], "the grid does not depend on the lens")
        let lines = render(s).lines
        XCTAssertTrue(lines.contains { $0.hasPrefix(" Evaluation · faq — retrieval: 5 documents, 4 queries") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("nDCG@10 · float32 · 3 queries (1 skipped: no relevant document)") })
        XCTAssertTrue(lines.contains { $0.contains("● retrieval") && $0.contains("● none") }, "a legend per task")
        let header = try! XCTUnwrap(lines.firstIndex { $0.hasPrefix(" task / dim") })
        XCTAssertEqual(lines[header + 1].split(separator: " ", omittingEmptySubsequences: true),
                       ["memory", "/", "1M", "256", "MB", "512", "MB", "1.0", "GB"].map { Substring($0) } , lines[header + 1])
        XCTAssertTrue(lines[header + 2].contains("0.500") && lines[header + 2].contains("0.800*") && lines[header + 2].hasSuffix("0.600"),
                      lines[header + 2])
        XCTAssertTrue(lines[header + 3].hasPrefix(" none"))

        _ = update(&s, .key(.char("e")))
        XCTAssertEqual(s.evaluation?.metricName, "mrr@10")
        _ = update(&s, .key(.char("e")))
        XCTAssertEqual(s.evaluation?.metricName, "ndcg@10", "the metrics cycle")
        _ = update(&s, .key(.char("s")))
        XCTAssertEqual(s.evaluation?.storage, .int8)
        let int8 = render(s).lines
        XCTAssertTrue(int8.contains { $0.contains("0.450 (90%)") }, int8.joined(separator: "\n"))
        _ = update(&s, .key(.char("m")))
        XCTAssertEqual(s.adapters.mode, .dimensions, "m cycles back")
    }

    func testSearchMarksTheRelevantDocumentsOfAnEvaluationQuery() {
        var s = loaded()
        _ = TestStates.type(&s, "card payment")
        guard case .analyse(let id, _, _, _)? = update(&s, .key(.enter)).last else { return XCTFail("no search") }
        _ = update(&s, .result(id: id, .search([DocumentHit(document: 3, score: 0.9), DocumentHit(document: 0, score: 0.5),
                                                DocumentHit(document: 1, score: 0.4)]), latencyMs: nil))
        let lines = render(s).lines
        XCTAssertTrue(lines.contains { $0.contains("3 results for “card payment” · 2 of 2 relevant (✓) found") }, lines.joined(separator: "\n"))
        let rows = lines.filter { $0.hasPrefix("  1 ") || $0.hasPrefix("  2 ") || $0.hasPrefix("  3 ") }
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows[0].hasPrefix("  1 ✓2 "), rows[0])
        XCTAssertTrue(rows[1].hasPrefix("  2    "), rows[1])
        XCTAssertTrue(rows[2].hasPrefix("  3 ✓  "), rows[2])
    }
}
