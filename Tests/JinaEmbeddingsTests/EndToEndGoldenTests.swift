import Foundation
import JinaEmbeddings
import TestSupport
import XCTest

/// jina-e2e: reference `encode()` calls. Every case is checked through its recorded input_ids;
/// the text path (prefix + tokenizer + truncation) is checked once the tokenizer loads.
final class EndToEndGoldenTests: XCTestCase {
    static let tolerance: Float = 1e-4
    var golden: [String: Any] = [:]
    var model: EmbeddingModel!

    override func setUpWithError() throws {
        golden = try XCTUnwrap(try Fixtures.json("jina-e2e/golden_text.json") as? [String: Any])
        model = try EmbeddingModel.load(directory: try Fixtures.url("jina-e2e"))
    }

    func entries(_ key: String) throws -> [[String: Any]] { try XCTUnwrap(golden[key] as? [[String: Any]]) }
    func task(_ e: [String: Any]) -> String? { (e["task"] as? String).flatMap { $0 == "none" ? nil : $0 } }

    func check(_ pooled: [Float], _ e: [String: Any], _ label: String) {
        let want = floats(e["embedding"])
        var v = pooled
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        v = v.map { $0 / max(n, 1e-12) }
        XCTAssertLessThanOrEqual(maxAbsDiff(v, want), Self.tolerance, "\(label) embedding")
        for (k, t) in e["truncated"] as? [String: Any] ?? [:] {
            guard let dim = Int(k) else { XCTFail("bad key \(k)"); continue }
            XCTAssertLessThanOrEqual(maxAbsDiff(EmbeddingModel.truncate(pooled, to: dim), floats(t)), Self.tolerance,
                                     "\(label) truncated \(k)")
        }
    }

    func testCasesThroughInputIDs() throws {
        for key in ["cases", "max_length_cases"] {
            let all = try entries(key)
            XCTAssertFalse(all.isEmpty)
            for e in all {
                let ids = ints(e["input_ids"]).map { Int32($0) }
                let pooled = try model.embed(ids: [ids], tasks: [task(e)], normalize: false)[0]
                check(pooled, e, "\(key) \(e["id"] ?? "?") \(e["task"] ?? "?")")
            }
        }
    }

    func testPaddedBatchesThroughInputIDs() throws {
        for b in try entries("batches") {
            let ids = (b["input_ids"] as? [Any] ?? []).map(ints), mask = (b["attention_mask"] as? [Any] ?? []).map(ints)
            let rows = zip(ids, mask).map { r, m in r.prefix(m.reduce(0, +)).map { Int32($0) } }
            let order = ints(b["fed_order"])
            let want = (b["embeddings"] as? [Any] ?? []).map(floats)
            let t = task(b)
            let got = try model.embed(ids: rows, tasks: [t])
            let pooled = try model.embed(ids: rows, tasks: [t], normalize: false)
            let want32 = ((b["truncated"] as? [String: Any])?["32"] as? [Any] ?? []).map(floats)
            for (r, textIndex) in order.enumerated() {
                XCTAssertLessThanOrEqual(maxAbsDiff(got[r], want[textIndex]), Self.tolerance, "batch \(t ?? "none") row \(r)")
                if !want32.isEmpty {
                    XCTAssertLessThanOrEqual(maxAbsDiff(EmbeddingModel.truncate(pooled[r], to: 32), want32[textIndex]),
                                             Self.tolerance, "batch truncated row \(r)")
                }
            }
        }
    }

    func testReferenceErrors() throws {
        XCTAssertThrowsError(try model.validate(dimension: 20)) { error in
            XCTAssertTrue("\(error)".contains("16, 32, 48, 64"), "\(error)")
        }
        XCTAssertThrowsError(try model.adapterIndex(for: "retrieval")) { error in
            for t in model.tasks { XCTAssertTrue("\(error)".contains(t), "\(error)") }
        }
        XCTAssertNil(try model.adapterIndex(for: nil))
        XCTAssertEqual(try model.adapterIndex(for: "text-matching"), 4)
        XCTAssertEqual(model.defaultTask, "text-matching")
    }

    /// Text in, embedding out, prefixes and truncation included (needs the tokenizer).
    func testCasesThroughText() throws {
        XCTAssertNotNil(model.tokenizer, "the jina-e2e fixture ships tokenizer.json; it must load")
        for key in ["cases", "max_length_cases"] {
            for e in try entries(key) {
                let text = try XCTUnwrap(e["text"] as? String)
                let maxLength = (e["max_length"] as? NSNumber)?.intValue
                let enc = try model.tokenize(text, task: task(e), maxLength: maxLength)
                XCTAssertEqual(enc.ids.map(Int.init), ints(e["input_ids"]), "\(key) \(e["id"] ?? "?") \(e["task"] ?? "?") ids")
                let pooled = try model.embed(texts: [text], task: task(e), maxLength: maxLength, normalize: false)[0]
                check(pooled, e, "text \(key) \(e["id"] ?? "?") \(e["task"] ?? "?")")
            }
        }
        for b in try entries("batches") {
            let texts = try XCTUnwrap(b["texts"] as? [String])
            let got = try model.embed(texts: texts, task: task(b))
            for (i, want) in (b["embeddings"] as? [Any] ?? []).map(floats).enumerated() {
                XCTAssertLessThanOrEqual(maxAbsDiff(got[i], want), Self.tolerance, "text batch row \(i)")
            }
        }
    }

    /// Late chunking through the tokenizer: each chunk is the mean of the document's token states
    /// (one pass, prefix included in the pass) whose text offsets start inside the chunk.
    func testLateChunksPoolTheDocumentStates() throws {
        XCTAssertNotNil(model.tokenizer, "the jina-e2e fixture ships tokenizer.json; it must load")
        let text = "The printing press spread quickly. Books became cheap, and ideas travelled far."
        let split = text.unicodeScalars.count / 2
        let spans = [0..<split, split..<text.unicodeScalars.count]
        let task = "retrieval.passage"
        let got = try model.embedLateChunks(text: text, chunks: spans, task: task)
        let prefix = model.instruction(for: task).unicodeScalars.count
        let enc = try model.tokenize(text, task: task)
        let states = try model.tokenStates(ids: enc.ids, task: task)
        let D = model.hiddenSize
        for (chunk, span) in zip(got, spans) {
            var sum = [Float](repeating: 0, count: D), n = 0
            for (i, o) in enc.offsets.enumerated() where enc.specialTokensMask[i] == 0 && o.lowerBound >= prefix
                && span.contains(o.lowerBound - prefix) {
                for j in 0..<D { sum[j] += states[i * D + j] }
                n += 1
            }
            XCTAssertGreaterThan(n, 3)
            XCTAssertLessThanOrEqual(maxAbsDiff(chunk, EmbeddingModel.truncate(sum, to: D)), 1e-5)
        }
        XCTAssertLessThan(cosine(got[0], got[1]), 0.99999, "two different chunks")
    }
}
