import Foundation
import JinaEmbeddings
import TestSupport
import XCTest

/// all-MiniLM-L6-v2 (BERT layout, absolute positions, no adapters) against sentence-transformers.
final class MiniLMTests: XCTestCase {
    func testCosineAgainstSentenceTransformers() throws {
        let model = try EmbeddingModel.load(directory: try Fixtures.defaultModelDirectory())
        let cases = try XCTUnwrap((try Fixtures.json("minilm-embeddings/cases.json") as? [String: Any])?["cases"] as? [[String: Any]])
        XCTAssertEqual(model.maxLength, 256)
        let rows = cases.map { ints($0["ids"]).map { Int32($0) } }
        let got = try model.embed(ids: rows, tasks: [nil])
        for (i, c) in cases.enumerated() {
            let cos = cosine(got[i], floats(c["embedding"]))
            XCTAssertGreaterThanOrEqual(cos, 0.9999, "case \(i) '\(c["text"] ?? "")'")
        }
        if model.tokenizer != nil {
            let text = try model.embed(texts: cases.map { $0["text"] as? String ?? "" }, task: nil)
            for (i, c) in cases.enumerated() {
                XCTAssertGreaterThanOrEqual(cosine(text[i], floats(c["embedding"])), 0.9999, "text case \(i)")
            }
        }
    }

    func testModelWithoutAdaptersRejectsTasksAndChecksDimensions() throws {
        let model = try EmbeddingModel.load(directory: try Fixtures.defaultModelDirectory())
        XCTAssertFalse(model.hasAdapters)
        XCTAssertNil(model.defaultTask)
        XCTAssertThrowsError(try model.adapterIndex(for: "retrieval.query")) { error in
            XCTAssertTrue("\(error)".contains("no task adapters"), "\(error)")
        }
        XCTAssertNil(try model.adapterIndex(for: "none"))
        XCTAssertNoThrow(try model.validate(dimension: 384))
        XCTAssertNoThrow(try model.validate(dimension: 1))
        XCTAssertThrowsError(try model.validate(dimension: 385)) { error in
            XCTAssertTrue("\(error)".contains("1…384"), "\(error)")
        }
        XCTAssertThrowsError(try model.embed(ids: [Array(repeating: 100, count: 300)], tasks: [nil]))
        XCTAssertThrowsError(try model.embed(ids: [[101, 40000, 102]], tasks: [nil]))
    }
}
