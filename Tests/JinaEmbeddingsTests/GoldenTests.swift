import Foundation
import JinaEmbeddings
import TestSupport
import XCTest

/// Reproduces the token-id goldens written by Jina's reference code (README of jina-tiny).
/// Every `.fixtures/*/golden.json` of this layout is checked, so new fixtures (other sizes,
/// seeds, dtypes) are covered without editing this file.
final class GoldenTests: XCTestCase {
    static let tolerance: Float = 1e-4

    func testJinaTiny() throws { try checkFixture("jina-tiny") }
    func testJinaTinyBF16() throws { try checkFixture("jina-tiny-bf16") }
    func testJinaHD64() throws { try checkFixture("jina-hd64") }

    /// Any other fixture folder with a golden.json in this layout.
    func testEveryOtherGoldenFixture() throws {
        let known: Set = ["jina-tiny", "jina-tiny-bf16", "jina-hd64"]
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.root.path)) ?? []
        for d in dirs.sorted() where !known.contains(d) {
            let golden = Fixtures.root.appendingPathComponent(d).appendingPathComponent("golden.json")
            if FileManager.default.fileExists(atPath: golden.path) { try checkFixture(d) }
        }
    }

    /// Rows of a right-padded batch, cut at their attention mask.
    static func rows(_ ids: Any?, _ mask: Any?) -> [[Int32]] {
        let idRows = (ids as? [Any] ?? []).map(ints), maskRows = (mask as? [Any] ?? []).map(ints)
        return zip(idRows, maskRows).map { row, m in row.prefix(m.reduce(0, +)).map { Int32($0) } }
    }

    static func matrix(_ any: Any?) -> [[Float]] { (any as? [Any] ?? []).map(floats) }

    func assertClose(_ got: [[Float]], _ want: [[Float]], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(label): row count", file: file, line: line)
        for (i, (g, w)) in zip(got, want).enumerated() {
            guard g.count == w.count else { XCTFail("\(label) row \(i): \(g.count) vs \(w.count) values", file: file, line: line); continue }
            let d = maxAbsDiff(g, w)
            XCTAssertLessThanOrEqual(d, Self.tolerance, "\(label) row \(i): max abs diff \(d)", file: file, line: line)
        }
    }

    func checkFixture(_ name: String) throws {
        let dir = try Fixtures.url(name)
        let golden = try XCTUnwrap(try Fixtures.json("\(name)/golden.json") as? [String: Any])
        let model = try EmbeddingModel.load(directory: dir)
        let D = model.hiddenSize
        let rows = Self.rows(golden["input_ids"], golden["attention_mask"])
        let tasks = try XCTUnwrap(golden["tasks"] as? [String: Any])
        XCTAssertEqual(Set(tasks.keys), Set(model.tasks + ["none"]), "\(name): golden covers every task")

        var pooledByTask: [String: [[Float]]] = [:]
        for (task, anyEntry) in tasks.sorted(by: { $0.key < $1.key }) {
            let entry = try XCTUnwrap(anyEntry as? [String: Any])
            let t: String? = task == "none" ? nil : task
            let pooled = try model.embed(ids: rows, tasks: [t], normalize: false)
            pooledByTask[task] = pooled
            assertClose(pooled, Self.matrix(entry["mean_pooled"]), "\(name) \(task) mean_pooled")
            assertClose(try model.embed(ids: rows, tasks: [t]), Self.matrix(entry["normalized"]), "\(name) \(task) normalized")
            let states = try model.tokenStates(ids: rows[0], task: t)
            let first = (0..<8).map { Array(states[($0 * D)..<(($0 + 1) * D)]) }
            assertClose(first, Self.matrix(entry["last_hidden_seq0_first_tokens"]), "\(name) \(task) hidden first tokens")
        }

        // One forward with a different adapter per row.
        let mixed = try XCTUnwrap(golden["mixed_tasks"] as? [String: Any])
        let mask = ints(mixed["adapter_mask"])
        let rowTasks: [String?] = mask.map { model.tasks[$0] }
        assertClose(try model.embed(ids: rows, tasks: rowTasks, normalize: false), Self.matrix(mixed["mean_pooled"]),
                    "\(name) mixed mean_pooled")
        assertClose(try model.embed(ids: rows, tasks: rowTasks), Self.matrix(mixed["normalized"]), "\(name) mixed normalized")

        // Matryoshka: truncate the pooled vector, then normalize.
        let mat = try XCTUnwrap(golden["matryoshka"] as? [String: Any])
        for (task, byDim) in mat {
            let pooled = try XCTUnwrap(pooledByTask[task])
            for (k, want) in try XCTUnwrap(byDim as? [String: Any]) {
                let dim = try XCTUnwrap(Int(k))
                try model.validate(dimension: dim)
                assertClose(pooled.map { EmbeddingModel.truncate($0, to: dim) }, Self.matrix(want), "\(name) \(task) dim \(k)")
            }
        }

        // Rows longer than 512 tokens.
        if let long = golden["long"] as? [String: Any] {
            let longRows = Self.rows(long["input_ids"], long["attention_mask"])
            for (task, anyEntry) in try XCTUnwrap(long["tasks"] as? [String: Any]) {
                let entry = try XCTUnwrap(anyEntry as? [String: Any])
                let t: String? = task == "none" ? nil : task
                assertClose(try model.embed(ids: longRows, tasks: [t], normalize: false), Self.matrix(entry["mean_pooled"]),
                            "\(name) long \(task) mean_pooled")
                let states = try model.tokenStates(ids: longRows[0], task: t)
                let first = (0..<8).map { Array(states[($0 * D)..<(($0 + 1) * D)]) }
                assertClose(first, Self.matrix(entry["last_hidden_seq0_first_tokens"]), "\(name) long \(task) first tokens")
                if let start = (entry["last_hidden_seq0_last_tokens_start"] as? NSNumber)?.intValue {
                    let last = (start..<(start + 8)).map { Array(states[($0 * D)..<(($0 + 1) * D)]) }
                    assertClose(last, Self.matrix(entry["last_hidden_seq0_last_tokens"]), "\(name) long \(task) last tokens")
                }
                let normalized = try model.embed(ids: longRows, tasks: [t])
                assertClose(normalized, Self.matrix(entry["normalized"]), "\(name) long \(task) normalized")
            }
        }
    }
}
