import Foundation
import JinaEmbeddings
import TestSupport
import XCTest

/// The lossy precisions measured, not assumed: real all-MiniLM-L6-v2 weights (trained, with the
/// activation outliers random weights lack), the bundled samples, real computation at every
/// precision. The floors are issue 16's targets; `loupe bench --case quality` prints the same figures.
final class PrecisionQualityTests: XCTestCase {
    static let floors: [Precision: (min: Float, mean: Double, topK: Double)] = [
        .int8: (0.99, 0.998, 0.9),
        .bf16: (0.9995, 0.9999, 0.95),
    ]

    func testLossyPrecisionsKeepTheirQualityFloorsOnMiniLM() throws {
        let dir = try Fixtures.defaultModelDirectory()
        let samples = try QualitySamples.load(directory: Fixtures.repoRoot.appendingPathComponent("samples"))
        XCTAssertGreaterThan(samples.texts.count, 1000)
        XCTAssertEqual(samples.queries.count, 42)
        let exact = try PrecisionQuality.Embeddings(model: try EmbeddingModel.load(directory: dir), samples: samples)
        var report: [String] = []
        for precision in [Precision.int8, .bf16] {
            let model = try EmbeddingModel.load(directory: dir, precision: precision)
            XCTAssertEqual(model.precision, precision)
            let q = PrecisionQuality.compare(exact: exact, candidate: try PrecisionQuality.Embeddings(model: model, samples: samples))
            report.append(String(format: "%@: min %.5f mean %.6f top-10 %.3f (worst query %.2f)", precision.rawValue,
                                 q.minCosine, q.meanCosine, q.topKOverlap, q.worstOverlap))
            let floor = try XCTUnwrap(Self.floors[precision])
            XCTAssertGreaterThanOrEqual(q.minCosine, floor.min, "\(precision) min cosine to exact")
            XCTAssertGreaterThanOrEqual(q.meanCosine, floor.mean, "\(precision) mean cosine to exact")
            XCTAssertGreaterThanOrEqual(q.topKOverlap, floor.topK, "\(precision) FAQ top-10 kept")
            XCTAssertLessThan(q.minCosine, 1, "\(precision) must not be the exact path")
        }
        print("PrecisionQualityTests (all-MiniLM-L6-v2): " + report.joined(separator: "; "))
    }

    /// Vectors of different precisions must never share cache entries.
    func testEveryPrecisionHasItsOwnFingerprint() throws {
        let dir = try Fixtures.defaultModelDirectory()
        let prints = try Precision.allCases.map { try EmbeddingModel.load(directory: dir, precision: $0).fingerprint }
        XCTAssertEqual(Set(prints).count, Precision.allCases.count)
        XCTAssertEqual(prints[0], try EmbeddingModel.load(directory: dir).fingerprint, "exact is the default")
        let synthetic = try Precision.allCases.map { try EmbeddingModel.synthetic("jina-tiny", precision: $0).fingerprint }
        XCTAssertEqual(Set(synthetic).count, Precision.allCases.count)
    }
}
