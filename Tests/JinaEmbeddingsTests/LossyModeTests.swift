import Foundation
@testable import JinaEmbeddings
import TestSupport
import XCTest

/// The optional lossy mode (bf16 dot-product kernel: activations rounded to bf16) against the
/// exact path on the bf16 fixtures: close, but not equal, and never the default.
final class LossyModeTests: XCTestCase {
    static let samples = [
        "How does the printing press change the spread of ideas in Europe?",
        "Die Druckerpresse veränderte die Verbreitung von Ideen.",
        "A cat sat on the mat while the rain kept falling outside.",
        "Quarterly revenue grew 12% on strong demand for cloud services.",
    ]

    func testLossyEmbeddingsStayCloseToExact() throws {
        var report: [String] = []
        for name in ["jina-tiny-bf16", "jina-hd64", "jina-e2e"] {
            let dir = try Fixtures.url(name)
            let exact = try EmbeddingModel.load(directory: dir)
            let lossy = try EmbeddingModel.load(directory: dir, precision: .bf16)
            XCTAssertEqual(exact.precision, .exact)
            XCTAssertEqual(lossy.precision, .bf16)
            XCTAssertNotEqual(exact.fingerprint, lossy.fingerprint, "lossy vectors must not share the exact cache")
            var ids: [[Int32]] = [[0, 5, 17, 300, 2], [0, 9, 2], (0..<600).map { Int32(3 + $0 % 900) }]
            if exact.tokenizer != nil {
                ids += try Self.samples.map { try exact.tokenize($0, task: "retrieval.query").ids }
            }
            var worst: Float = 1
            for task in exact.tasks + [nil] as [String?] {
                let a = try exact.embed(ids: ids, tasks: [task]), b = try lossy.embed(ids: ids, tasks: [task])
                for (x, y) in zip(a, b) { worst = min(worst, cosine(x, y)) }
                XCTAssertNotEqual(a, b, "\(name): lossy mode should not be the exact path")
            }
            report.append("\(name): min cosine lossy vs exact \(worst)")
            XCTAssertGreaterThanOrEqual(worst, 0.9999, "\(name)")
        }
        print("LossyModeTests: " + report.joined(separator: "; "))
    }
}
