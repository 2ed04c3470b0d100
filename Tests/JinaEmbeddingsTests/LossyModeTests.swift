import Foundation
@testable import JinaEmbeddings
import TestSupport
import XCTest

/// The lossy precisions (bf16: activations rounded to bf16; int8: int8 weights and activations)
/// against the exact path on the jina fixtures (random weights, every task and none): close, but
/// not equal, and never the default. Trained weights: PrecisionQualityTests.
final class LossyModeTests: XCTestCase {
    static let samples = [
        "How does the printing press change the spread of ideas in Europe?",
        "Die Druckerpresse veränderte die Verbreitung von Ideen.",
        "A cat sat on the mat while the rain kept falling outside.",
        "Quarterly revenue grew 12% on strong demand for cloud services.",
    ]

    /// Minimum cosine to exact each precision keeps on every fixture row.
    static let floors: [(Precision, Float)] = [(.bf16, 0.9999), (.int8, 0.9995)]

    func testLossyEmbeddingsStayCloseToExact() throws {
        var report: [String] = []
        for name in ["jina-tiny-bf16", "jina-hd64", "jina-e2e"] {
            let dir = try Fixtures.url(name)
            let exact = try EmbeddingModel.load(directory: dir)
            XCTAssertEqual(exact.precision, .exact)
            var ids: [[Int32]] = [[0, 5, 17, 300, 2], [0, 9, 2], (0..<600).map { Int32(3 + $0 % 900) }]
            if exact.tokenizer != nil {
                ids += try Self.samples.map { try exact.tokenize($0, task: "retrieval.query").ids }
            }
            for (precision, floor) in Self.floors {
                let lossy = try EmbeddingModel.load(directory: dir, precision: precision)
                XCTAssertEqual(lossy.precision, precision)
                XCTAssertNotEqual(exact.fingerprint, lossy.fingerprint, "\(precision) vectors must not share the exact cache")
                var worst: Float = 1
                for task in exact.tasks + [nil] as [String?] {
                    let a = try exact.embed(ids: ids, tasks: [task]), b = try lossy.embed(ids: ids, tasks: [task])
                    for (x, y) in zip(a, b) { worst = min(worst, cosine(x, y)) }
                    XCTAssertNotEqual(a, b, "\(name): \(precision) should not be the exact path")
                }
                report.append("\(name) \(precision): min cosine to exact \(worst)")
                XCTAssertGreaterThanOrEqual(worst, floor, "\(name) \(precision)")
            }
        }
        print("LossyModeTests: " + report.joined(separator: "; "))
    }
}
