import Evaluation
import ExplorerRuntime
import Foundation
import Session
import TestSupport
import XCTest
@testable import Explorer

/// `loupe explore samples/eval/faq`: the Adapters view's evaluation grid is `loupe eval`'s, value for
/// value, and Search marks the relevant documents of the set's queries.
final class EvaluationAgreementTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-eval-agree") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    func testTheExplorersGridIsLoupeEvalsAndSearchMarksRelevantDocuments() async throws {
        let folder = Fixtures.repoRoot.appendingPathComponent("samples/eval/faq").path
        let model = try Fixtures.defaultModelDirectory().path
        let opened = try ExplorerCorpus.open(paths: [folder], field: nil, eval: nil, defaultSample: { "" })
        guard case .retrieval(let dataset)? = opened.evaluation else { return XCTFail("a BEIR folder is an evaluation set") }
        let h = try Harness(opened: opened, options: EngineOptions(model: model, cache: .directory(home)))
        try await h.ready()
        try await h.pump { $0.evaluation != nil }
        XCTAssertEqual(h.state.evaluation?.relevance.count, Set(dataset.evaluatedQueries.map { dataset.queries[$0] }).count)

        // Search: a query of the set, walked to with ↑ (the set's queries are the field's history).
        let query = try XCTUnwrap(dataset.queries.last { !dataset.relevantDocuments(forQuery: $0).isEmpty })
        while h.state.search.query.text != query { h.send(.key(.up)) }
        h.send(.key(.enter))
        try await h.pump { $0.search.answeredQuery == query && $0.requests[.search].pending == nil }
        let relevant = Set(dataset.relevantDocuments(forQuery: query).map(\.document))
        let found = h.state.search.hits.filter { relevant.contains($0.document) }.count
        let screen = render(h.state).lines.joined(separator: "\n")
        XCTAssertTrue(screen.contains("\(found) of \(relevant.count) relevant (✓) found"), screen)

        // The grid, in the Adapters view (m: dimensions → evaluation for MiniLM).
        h.send(.key(.f(7)))
        while h.state.adapters.mode != .evaluation { h.send(.key(.char("m"))) }
        try await h.pump(timeout: 300) { $0.evaluation?.report != nil }
        let report = try XCTUnwrap(h.state.evaluation?.report)

        let run = try LoupeBinary.run(["eval", folder, "--model", model, "--json", "--quiet"], home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        let objects = try JSONObject.lines(run.stdout)
        XCTAssertEqual(objects.count, report.cells.count)
        for o in objects {
            let task = try XCTUnwrap(o.strings["task"]), dim = try XCTUnwrap(o.integers["dim"])
            let storage = try XCTUnwrap(EvalStorage(rawValue: try XCTUnwrap(o.strings["storage"])))
            for metric in report.metrics {
                XCTAssertEqual(o.numbers[metric], report.value(metric, task: task, dim: dim, storage: storage),
                               "\(task) \(dim) \(storage) \(metric)")
            }
        }
    }
}
