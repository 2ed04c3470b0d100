import XCTest
import Foundation
@testable import Evaluation

/// The grid's rows and columns from a model's tasks and dimensions, and the report's tables.
final class PlanAndReportTests: XCTestCase {
    private let jinaTasks = ["retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"]

    func testTasksOfAModel() throws {
        XCTAssertEqual(EvalTask.all(modelTasks: jinaTasks).map(\.name),
                       ["retrieval", "separation", "classification", "text-matching", "none"])
        let retrieval = EvalTask.all(modelTasks: jinaTasks)[0]
        XCTAssertEqual(retrieval.queryTask, "retrieval.query")
        XCTAssertEqual(retrieval.documentTask, "retrieval.passage")
        XCTAssertEqual(EvalTask.all(modelTasks: []).map(\.name), ["none"], "MiniLM: no adapters")
        XCTAssertEqual(try EvalTask.parse("text-matching, none,text-matching", modelTasks: jinaTasks).map(\.name), ["text-matching", "none"])
        XCTAssertEqual(try EvalTask.parse("retrieval.query", modelTasks: jinaTasks).first?.documentTask, "retrieval.query",
                       "a single retrieval adapter embeds both sides alike")
        XCTAssertThrowsError(try EvalTask.parse("retrieval", modelTasks: [])) {
            XCTAssertEqual("\($0)", "unknown task 'retrieval' for this model; valid: none (or all)")
        }
        XCTAssertThrowsError(try EvalTask.parse(" , ", modelTasks: jinaTasks)) { XCTAssertTrue("\($0)".contains("--tasks is empty")) }
    }

    func testDimensions() throws {
        XCTAssertEqual(EvalPlan.defaultDimensions(valid: Array(1...384), hidden: 384), [64, 128, 256, 384])
        XCTAssertEqual(EvalPlan.defaultDimensions(valid: Array(1...1024), hidden: 1024), [64, 128, 256, 512, 1024])
        let jina = [32, 64, 128, 256, 512, 768, 1024]
        XCTAssertEqual(EvalPlan.defaultDimensions(valid: jina, hidden: 1024), jina)
        XCTAssertEqual(try EvalPlan.parseDimensions("256,64,256", valid: jina, hidden: 1024), [64, 256])
        XCTAssertThrowsError(try EvalPlan.parseDimensions("100", valid: jina, hidden: 1024)) {
            XCTAssertTrue("\($0)".contains("invalid dimension '100'; valid: 32, 64"), "\($0)")
        }
        XCTAssertThrowsError(try EvalPlan.parseDimensions("500", valid: Array(1...384), hidden: 384)) {
            XCTAssertEqual("\($0)", "invalid dimension '500'; valid: 1…384 (or all)")
        }
    }

    func testStorageBytes() {
        XCTAssertEqual(EvalStorage.float32.bytesPerVector(dim: 1024), 4096)
        XCTAssertEqual(EvalStorage.int8.bytesPerVector(dim: 1024), 1024)
        XCTAssertEqual(EvalStorage.binary.bytesPerVector(dim: 1024), 128)
        XCTAssertEqual(EvalStorage.binary.bytesPerVector(dim: 100), 13)
    }

    func testTableBestCellAndRetention() {
        func cell(_ task: String, _ dim: Int, _ storage: EvalStorage, _ v: Double) -> EvalCell {
            EvalCell(task: task, dim: dim, storage: storage, metrics: ["spearman": v])
        }
        let report = EvalReport(kind: .pairs, metrics: ["spearman", "pearson"], tasks: ["a", "b"], dims: [64, 128],
                                storages: [.float32, .binary],
                                cells: [cell("a", 64, .float32, 0.5), cell("a", 128, .float32, 0.8), cell("b", 64, .float32, 0.8),
                                        cell("b", 128, .float32, -0.1), cell("a", 128, .binary, 0.6),
                                        cell("b", 128, .binary, 0.2)], evaluated: 10)
        let t = report.table(metric: "spearman")
        XCTAssertEqual(t.values, [[0.5, 0.8], [0.8, -0.1]])
        XCTAssertEqual(t.best, MetricTable.Position(row: 0, column: 1), "tie: the earlier row wins")
        XCTAssertEqual(t.bytesPerMillion, [256_000_000, 512_000_000])
        XCTAssertEqual(try XCTUnwrap(report.retention("spearman", task: "a", dim: 128, storage: .binary)), 0.75, accuracy: 1e-12)
        XCTAssertNil(report.retention("spearman", task: "b", dim: 64, storage: .binary), "not measured")
        XCTAssertNil(report.retention("spearman", task: "b", dim: 128, storage: .binary), "negative float32 baseline")
        let binary = report.table(metric: "spearman", storage: .binary)
        XCTAssertEqual(binary.values, [[nil, 0.6], [nil, 0.2]])
        XCTAssertEqual(binary.best, MetricTable.Position(row: 0, column: 1))
        XCTAssertEqual(binary.bytesPerMillion, [8_000_000, 16_000_000])
    }
}
