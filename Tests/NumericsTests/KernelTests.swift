import Foundation
import LoupeNumerics
import TestSupport
import XCTest

/// The fast kernels against the plain references, on seeded random data.
final class KernelTests: XCTestCase {
    var rng = SeededRNG(seed: 42)
    func randoms(_ n: Int, scale: Float = 3) -> [Float] { (0..<n).map { _ in Float.random(in: -scale...scale, using: &rng) } }

    func testLayerNorm() {
        let rows = 5, cols = 37
        var x = randoms(rows * cols)
        let g = randoms(cols), b = randoms(cols)
        let want = ReferenceKernels.layerNorm((0..<rows).map { Array(x[($0 * cols)..<(($0 + 1) * cols)]) }, gamma: g, beta: b, eps: 1e-5)
        Kernels.layerNorm(&x, rows: rows, cols: cols, gamma: g, beta: b, eps: 1e-5)
        XCTAssertLessThanOrEqual(maxAbsDiff(x, want.flatMap { $0 }), 1e-5)
    }

    func testExpWithinTwoUlps() {
        var worst: Double = 0
        for i in -87000...88000 where i % 7 == 0 {
            let v = Float(i) / 1000
            let want = exp(Double(v))
            worst = max(worst, abs(Double(Kernels.exp32(v)) - want) / want)
        }
        XCTAssertLessThanOrEqual(worst, 3e-7)
        XCTAssertEqual(Kernels.exp32(0), 1)
        XCTAssertLessThan(Kernels.exp32(-1e4), 1e-37)  // masked scores vanish
    }

    func testSoftmaxWithScaleAndStride() {
        let rows = 3, cols = 50, ld = 64
        var x = randoms(rows * ld, scale: 20)
        let want = (0..<rows).map { ReferenceKernels.softmax(Array(x[($0 * ld)..<($0 * ld + cols)]), scale: 0.125) }
        Kernels.softmax(&x, rows: rows, cols: cols, ld: ld, scale: 0.125)
        for r in 0..<rows { XCTAssertLessThanOrEqual(maxAbsDiff(Array(x[(r * ld)..<(r * ld + cols)]), want[r]), 1e-6) }
    }

    func testRopeAgainstReference() {
        let positions = 300, heads = 2, hd = 64, ld = heads * hd + 5
        var x = randoms(positions * ld)
        let orig = x
        let t = Kernels.ropeTables(start: 0, count: positions, headDim: hd, base: 20000)
        Kernels.rope(&x, rows: positions, ld: ld, heads: heads, headDim: hd, cos: t.cos, sin: t.sin)
        for p in [0, 1, 17, 299] {
            for h in 0..<heads {
                let s = p * ld + h * hd
                let want = ReferenceKernels.rope(Array(orig[s..<(s + hd)]), position: p, base: 20000)
                XCTAssertLessThanOrEqual(maxAbsDiff(Array(x[s..<(s + hd)]), want), 2e-4, "pos \(p)")
            }
            // The padding columns after the heads are untouched.
            XCTAssertEqual(Array(x[(p * ld + heads * hd)..<((p + 1) * ld)]), Array(orig[(p * ld + heads * hd)..<((p + 1) * ld)]))
        }
        // Position 0 is the identity.
        XCTAssertEqual(Array(x[0..<(heads * hd)]), Array(orig[0..<(heads * hd)]))
    }

    func testSgemmTransposedAgainstReference() {
        let m = 7, n = 5, k = 9
        let a = randoms(m * k), b = randoms(n * k)
        var c = [Float](repeating: 0, count: m * n)
        BLAS.sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, transB: true, c: &c, ldc: n)
        let want = ReferenceKernels.matmulTransB((0..<m).map { Array(a[($0 * k)..<(($0 + 1) * k)]) },
                                                 (0..<n).map { Array(b[($0 * k)..<(($0 + 1) * k)]) })
        XCTAssertLessThanOrEqual(maxAbsDiff(c, want.flatMap { $0 }), 1e-4)
    }

    func testHalfWidening() {
        var out = [Float](repeating: 0, count: 3)
        HalfFloat.bf16ToF32([0x3F80, 0xC040, 0x7F80], &out, count: 3)
        XCTAssertEqual(out, [1, -3, .infinity])
        HalfFloat.f16ToF32([0x3C00, 0xC200, 0x0001], &out, count: 3)
        XCTAssertEqual(out, [1, -3, Float(pow(2.0, -24.0))])
        XCTAssertEqual(HalfFloat.f32ToBF16(1), 0x3F80)
        XCTAssertEqual(HalfFloat.bf16ToFloat(HalfFloat.f32ToBF16(-3)), -3)
    }
}

final class ParallelTests: XCTestCase {
    func testChunksAndItemsCoverEveryIndexOnce() {
        for count in [0, 1, 2, 7, 100] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0, count: max(count, 1))
            Parallel.chunks(count) { r in for i in r { hits[i] += 1 } }
            Parallel.items(count) { _, i in hits[i] += 10 }
            for i in 0..<count { XCTAssertEqual(hits[i], 11, "count \(count) index \(i)") }
            hits.deallocate()
        }
    }
}
