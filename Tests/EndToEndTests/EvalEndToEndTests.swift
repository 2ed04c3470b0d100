import XCTest
import Foundation
import TestSupport

/// `loupe eval` on the bundled samples with the default model (all-MiniLM-L6-v2), as a user runs it:
/// a fresh LOUPE_HOME, JSON lines out, the cache making the second run free, clear errors.
final class EvalEndToEndTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-e2e-eval") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    private func loupe(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try LoupeBinary.run(args, home: home)
    }

    private func sample(_ name: String) -> String { Fixtures.repoRoot.appendingPathComponent("samples/eval/\(name)").path }

    private func model() throws -> String { try Fixtures.defaultModelDirectory().path }

    private func objects(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0))
        }
    }

    func testFAQRetrievalGridAndTheCache() throws {
        let first = try loupe(["eval", sample("faq"), "--json", "--model", try model()])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("320 texts embedded, 0 from the cache"), first.stderr)
        let cells = try objects(first.stdout)
        XCTAssertEqual(cells.count, 1 * 4 * 3, "none × 64, 128, 256, 384 × float32, int8, binary")
        func cell(_ dim: Int, _ storage: String) throws -> [String: Any] {
            try XCTUnwrap(cells.first { $0["dim"] as? Int == dim && $0["storage"] as? String == storage })
        }
        for c in cells {
            XCTAssertEqual(c["task"] as? String, "none")
            XCTAssertEqual(c["queries"] as? Int, 70)
            XCTAssertEqual(c["skipped_queries"] as? Int, 1, "the out-of-scope query has no relevant document")
            for key in ["ndcg@10", "mrr@10", "recall@10", "recall@100", "map@10"] {
                let v = try XCTUnwrap(c[key] as? Double, key)
                XCTAssertTrue((0...1).contains(v), "\(key) = \(v)")
            }
        }
        let full = try cell(384, "float32"), small = try cell(64, "float32")
        XCTAssertEqual(full["bytes_per_vector"] as? Int, 1536)
        XCTAssertGreaterThan(try XCTUnwrap(full["ndcg@10"] as? Double), 0.8)
        XCTAssertGreaterThan(try XCTUnwrap(full["ndcg@10"] as? Double), try XCTUnwrap(small["ndcg@10"] as? Double),
                             "MiniLM is not Matryoshka-trained: 64 of 384 dimensions lose quality")
        let binary = try cell(384, "binary")
        XCTAssertEqual(binary["bytes_per_vector"] as? Int, 48)
        let retention = try XCTUnwrap((binary["retention"] as? [String: Any])?["ndcg@10"] as? Double)
        XCTAssertEqual(retention, try XCTUnwrap(binary["ndcg@10"] as? Double) / (full["ndcg@10"] as? Double ?? .nan), accuracy: 1e-9)

        let second = try loupe(["eval", sample("faq"), "--json", "--model", try model()])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("0 texts embedded, 320 from the cache"), second.stderr)
        XCTAssertEqual(second.stdout, first.stdout, "the same vectors give the same numbers")
    }

    func testPairsAndLabelledSamplesWithTheirMetrics() throws {
        let pairs = try loupe(["eval", sample("pairs.tsv"), "--dims", "384", "--json", "--quiet", "--model", try model()])
        XCTAssertEqual(pairs.status, 0, pairs.stderr)
        let p = try objects(pairs.stdout)
        XCTAssertEqual(p.count, 3)
        XCTAssertEqual(Set(p[0].keys), ["task", "dim", "storage", "bytes_per_vector", "spearman", "pearson", "pairs"])
        XCTAssertEqual(p[0]["pairs"] as? Int, 86)

        let topics = try loupe(["eval", sample("topics.jsonl"), "--dims", "128,384", "--quiet", "--model", try model()])
        XCTAssertEqual(topics.status, 0, topics.stderr)
        XCTAssertTrue(topics.stdout.contains("V-measure"), topics.stdout)
        XCTAssertTrue(topics.stdout.contains("5-NN accuracy"), topics.stdout)
        XCTAssertTrue(topics.stdout.contains("memory / 1M docs"), topics.stdout)
        XCTAssertTrue(topics.stdout.contains("*"), "the best cell is marked")
        XCTAssertFalse(topics.stdout.contains("\u{1B}["), "no chart or colour when stdout is not a terminal")
    }

    func testBadInputIsAClearErrorWithANonZeroExit() throws {
        let folder = home.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        try "{\"_id\": \"d\", \"text\": \"a\"}\n".write(to: folder.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try "{\"_id\": \"q\", \"text\": \"b\"}\n".write(to: folder.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        try "query-id\tcorpus-id\tscore\nq\td\thigh\n".write(to: folder.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        let run = try loupe(["eval", folder.path, "--model", try model()])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("qrels/test.tsv:2: score 'high' is not a whole number ≥ 0"), run.stderr)
        XCTAssertTrue(run.stdout.isEmpty)

        let task = try loupe(["eval", sample("faq"), "--tasks", "retrieval", "--model", try model()])
        XCTAssertNotEqual(task.status, 0)
        XCTAssertTrue(task.stderr.contains("unknown task 'retrieval' for this model; valid: none"), task.stderr)
        let dim = try loupe(["eval", sample("faq"), "--dims", "500", "--model", try model()])
        XCTAssertNotEqual(dim.status, 0)
        XCTAssertTrue(dim.stderr.contains("invalid dimension '500'; valid: 1…384"), dim.stderr)
    }
}
