import Analysis
import Corpus
import Evaluation
import Foundation
import Session
import TestSupport
import XCTest

/// `Engine.evaluate` with the default model: the grid's numbers equal the same metric computed from
/// vectors the engine embeds on its own, and a second run is served entirely from the cache.
final class EvaluatingTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-session-eval") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    func testPairsThroughTheCacheMatchTheEngineVectors() async throws {
        let engine = try await Engine.open(EngineOptions(model: try Fixtures.defaultModelDirectory().path, cache: .directory(home)))
        let first = ["A man is slicing onions.", "The bus is late.", "She plays the violin.", "It rained all night."]
        let second = ["A man is chopping an onion.", "The train left early.", "She is a musician.", "Penguins swim well."]
        let set = PairDataset(first: first, second: second, scores: [4.6, 1.5, 3.2, 0])
        let plan = try engine.evalPlan(tasks: "all", dims: "64,384")
        XCTAssertEqual(plan.tasks.map(\.name), ["none"])

        let (report, cost) = try await engine.evaluate(.pairs(set), plan: plan)
        XCTAssertEqual(cost, Engine.EvalCost(embedded: 8, cached: 0))
        for dim in [64, 384] {
            let a = try await engine.embed(first, task: nil, dim: dim).vectors
            let b = try await engine.embed(second, task: nil, dim: dim).vectors
            let cosines = (0..<a.count).map { i in Double(zip(a.row(i), b.row(i)).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
            XCTAssertEqual(try XCTUnwrap(report.value("pearson", task: "none", dim: dim)),
                           Analysis.pearson(cosines, set.scores), accuracy: 1e-6, "dim \(dim)")
            XCTAssertEqual(try XCTUnwrap(report.value("spearman", task: "none", dim: dim)),
                           Analysis.spearman(cosines, set.scores), accuracy: 1e-6, "dim \(dim)")
        }
        let again = try await engine.evaluate(.pairs(set), plan: plan)
        XCTAssertEqual(again.cost, Engine.EvalCost(embedded: 0, cached: 8), "the second run costs no encoder work")
        XCTAssertEqual(again.report.cells, report.cells)
    }
}
