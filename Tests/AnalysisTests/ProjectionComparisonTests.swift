import XCTest
import Analysis
import TestSupport

final class ProjectionTests: XCTestCase {
    func testRecoversAPlantedPlane() { checkPlane(pairs: 150, dim: 40, tolerance: 0.01) }

    /// Above 10,000 rows the axes come from a sample (not exactly uncorrelated, so the axes may
    /// turn by a few thousandths of a radian); every row is still projected.
    func testRecoversAPlantedPlaneFromASample() { checkPlane(pairs: 6_500, dim: 8, tolerance: 0.05) }

    private func checkPlane(pairs: Int, dim: Int, tolerance: Float) {
        // Points a·u + b·w + c + tiny noise in `dim` dims, with var(a) = 9·var(b): PC1 ∥ u, PC2 ∥ w.
        var rng = SeededRNG(seed: 60)
        let u = Planted.unit(dim, &rng)
        var w = Planted.unit(dim, &rng)
        let uw = zip(u, w).reduce(0) { $0 + $1.0 * $1.1 }
        w = Planted.normalize(zip(w, u).map { $0 - uw * $1 })   // orthogonal to u
        let offset = Planted.unit(dim, &rng)
        var coords: [(Float, Float)] = []
        var rows: [[Float]] = []
        // Each (a, b) comes with (a, −b), so a and b are exactly uncorrelated in the sample and the
        // principal axes are exactly u and w (up to the noise).
        for _ in 0..<pairs {
            let a = Float.random(in: -3...3, using: &rng), b = Float.random(in: -1...1, using: &rng)
            for bb in [b, -b] {
                coords.append((a, bb))
                rows.append((0..<dim).map { j in a * u[j] + bb * w[j] + offset[j] + Float.random(in: -0.001...0.001, using: &rng) })
            }
        }
        let p = Analysis.project2D(Vectors(rows: rows))
        XCTAssertEqual(p.count, 2 * pairs)
        let meanA = coords.map(\.0).reduce(0, +) / Float(2 * pairs), meanB = coords.map(\.1).reduce(0, +) / Float(2 * pairs)
        // Up to sign, the projection equals the centred planted coordinates.
        let s0: Float = p[0].x * (coords[0].0 - meanA) >= 0 ? 1 : -1
        let s1: Float = p[0].y * (coords[0].1 - meanB) >= 0 ? 1 : -1
        var err: Float = 0
        for i in 0..<(2 * pairs) {
            err = max(err, abs(s0 * p[i].x - (coords[i].0 - meanA)), abs(s1 * p[i].y - (coords[i].1 - meanB)))
        }
        XCTAssertLessThan(err, tolerance)
    }

    func testDeterministicSignAndEdgeCases() {
        var rng = SeededRNG(seed: 61)
        let v = Vectors(rows: (0..<50).map { _ in Planted.unit(10, &rng) })
        XCTAssertEqual(Analysis.project2D(v), Analysis.project2D(v))
        // The sign convention depends only on the covariance, which −X shares with X: so p(−X) = −p(X).
        let p = Analysis.project2D(v), q = Analysis.project2D(Vectors(data: v.data.map { -$0 }, count: 50, dim: 10))
        XCTAssertLessThan(maxAbsDiff(p.flatMap { [$0.x, $0.y] }, q.flatMap { [-$0.x, -$0.y] }), 1e-4)
        XCTAssertEqual(Analysis.project2D(Vectors(rows: [])), [])
        XCTAssertEqual(Analysis.project2D(Vectors(rows: [[1, 2, 3]])), [SIMD2<Float>(0, 0)])
        let line = Analysis.project2D(Vectors(rows: [[1], [2], [3]]))
        XCTAssertLessThan(maxAbsDiff(line.map(\.y), [0, 0, 0]), 1e-6)
        XCTAssertLessThan(maxAbsDiff(line.map(\.x), [-1, 0, 1]), 1e-5, "sign convention: the single loading is positive")
    }
}

final class ComparisonTests: XCTestCase {
    func testSpearmanOnKnownRankings() {
        XCTAssertEqual(Analysis.spearman([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), 1, accuracy: 1e-6)
        XCTAssertEqual(Analysis.spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), -1, accuracy: 1e-6)
        // Monotone but non-linear: still 1.
        XCTAssertEqual(Analysis.spearman([1, 2, 3, 4], [1, 8, 27, 1000]), 1, accuracy: 1e-6)
        // Textbook: ranks x = 1..5, y = 2,1,4,3,5 → ρ = 1 − 6·Σd²/(n(n²−1)) = 1 − 6·4/120 = 0.8.
        XCTAssertEqual(Analysis.spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8, accuracy: 1e-6)
        // Ties: x ranks (1.5, 1.5, 3, 4), y ranks (1, 2, 3, 4): Pearson of the ranks = 0.9486833.
        XCTAssertEqual(Analysis.spearman([7, 7, 8, 9], [1, 2, 3, 4]), 0.9486833, accuracy: 1e-6)
        XCTAssertEqual(Analysis.spearman([1, 1, 1], [1, 2, 3]), 0)
        XCTAssertEqual(Analysis.spearman([1], [1]), 0)
    }

    func testCompareMatricesDifferenceAndRankChanges() {
        // Under A, item 0 is closest to 1 then 2; under B, closest to 2 then 1.
        let a = Vectors(rows: [[1, 0, 0], Planted.normalize([0.9, 0.1, 0]), Planted.normalize([0.5, 0.5, 0.7])])
        let b = Vectors(rows: [[1, 0, 0], Planted.normalize([0.1, 0.9, 0]), Planted.normalize([0.9, 0, 0.1])])
        let c = Analysis.compare(a, b)
        let ma = Analysis.similarityMatrix(a), mb = Analysis.similarityMatrix(b)
        XCTAssertEqual(c.matrixA, ma)
        XCTAssertEqual(c.matrixB, mb)
        for i in 0..<3 { for j in 0..<3 { XCTAssertEqual(c.difference[i][j], mb[i][j] - ma[i][j], accuracy: 1e-7) } }
        XCTAssertEqual(c.rankChanges[0], [0, -1, 1], "1 dropped from rank 1 to 2; 2 rose from 2 to 1")
        for i in 0..<3 { XCTAssertEqual(c.rankChanges[i][i], 0) }
        // Off-diagonal pairs (0,1), (0,2), (1,2), Spearman recomputed from the matrices.
        let upperA = [ma[0][1], ma[0][2], ma[1][2]].map(Double.init), upperB = [mb[0][1], mb[0][2], mb[1][2]].map(Double.init)
        XCTAssertEqual(c.spearman, Float(Analysis.spearman(upperA, upperB)))
    }

    func testIdenticalEmbeddingsCompareAsUnchanged() {
        let (v, _) = Planted.clusters(3, perCluster: 5, dim: 12, spread: 0.3, seed: 62)
        let c = Analysis.compare(v, v)
        XCTAssertEqual(c.spearman, 1, accuracy: 1e-6)
        XCTAssertTrue(c.rankChanges.allSatisfy { $0.allSatisfy { $0 == 0 } })
        XCTAssertTrue(c.difference.allSatisfy { $0.allSatisfy { $0 == 0 } })
        // Dimension comparison: truncation to the full size changes nothing either.
        XCTAssertEqual(Analysis.compare(v, Analysis.truncate(v, to: 12)).spearman, 1, accuracy: 1e-6)
        XCTAssertEqual(Analysis.compare(v, Vectors(rows: [[1]])).matrixA, [], "different item counts")
    }
}
