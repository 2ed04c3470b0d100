import Foundation
import LoupeNumerics

extension Analysis {
    /// 2-D PCA projection: each row's coordinates on the first two principal components.
    ///
    /// Block power (subspace) iteration on the covariance without forming it or a centred copy:
    /// `Y = X·W − 1·(μ·W)` then `Z = Xᵀ·Y − μᵀ·(1ᵀY)` (two sgemms per step, `[count, 2]` and
    /// `[dim, 2]`), Gram–Schmidt, until the basis moves less than 1e-6 (at most 150 steps). Above
    /// 10,000 rows the axes are found on 10,000 evenly spaced rows (then every row is projected),
    /// which keeps the explorer's map interactive on 100,000 documents. The
    /// start is a fixed deterministic basis, and each component's sign is chosen so its
    /// largest-magnitude loading is positive, so equal input gives equal output.
    /// Coordinates are centred (the mean maps to the origin). Empty → `[]`; one row → `[(0, 0)]`;
    /// with dim 1 the second coordinate is 0.
    public static func project2D(_ v: Vectors) -> [SIMD2<Float>] {
        let n = v.count, d = v.dim
        guard n > 0 else { return [] }
        guard n > 1, d > 0 else { return [SIMD2<Float>](repeating: .zero, count: n) }
        var mean = [Float](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += v.data[i * d + j] } }
        for j in 0..<d { mean[j] /= Float(n) }

        // W: [d, 2] row-major (column 0 = component 1). Deterministic, non-degenerate start.
        var w = [Float](repeating: 0, count: d * 2)
        for j in 0..<d { w[j * 2] = 1 + Float(j % 7) / 7; w[j * 2 + 1] = Float((j * 5) % 11) / 11 - 0.5 }
        orthonormalize(&w, d)
        let sample = n > 10_000 ? gather(v, (0..<10_000).map { $0 * n / 10_000 }) : v
        let m = sample.count
        var y = [Float](repeating: 0, count: m * 2)   // [m, 2]
        var z = [Float](repeating: 0, count: d * 2)   // [d, 2]
        for _ in 0..<150 {
            centredProduct(sample, mean, w, into: &y)
            let colSum = (0..<2).map { c in (0..<m).reduce(Float(0)) { $0 + y[$1 * 2 + c] } }
            sample.data.withUnsafeBufferPointer { xs in
                y.withUnsafeBufferPointer { ys in
                    z.withUnsafeMutableBufferPointer { zs in
                        BLAS.sgemm(m: d, n: 2, k: m, a: xs.baseAddress!, lda: d, transA: true,
                                   b: ys.baseAddress!, ldb: 2, transB: false, c: zs.baseAddress!, ldc: 2)
                    }
                }
            }
            for j in 0..<d { for c in 0..<2 { z[j * 2 + c] -= mean[j] * colSum[c] } }
            orthonormalize(&z, d)
            var delta: Float = 0
            for i in 0..<z.count { delta = max(delta, abs(z[i] - w[i])) }
            w = z
            if delta < 1e-6 { break }
        }
        // Deterministic sign: the largest |loading| of each component is positive.
        for c in 0..<2 {
            var big = 0
            for j in 0..<d where abs(w[j * 2 + c]) > abs(w[big * 2 + c]) { big = j }
            if w[big * 2 + c] < 0 { for j in 0..<d { w[j * 2 + c] = -w[j * 2 + c] } }
        }
        var out = [Float](repeating: 0, count: n * 2)   // [n, 2]
        centredProduct(v, mean, w, into: &out)
        return (0..<n).map { SIMD2(out[$0 * 2], out[$0 * 2 + 1]) }
    }

    /// `out[n, 2] = (X − 1·μ) · W` without a centred copy of X.
    static func centredProduct(_ v: Vectors, _ mean: [Float], _ w: [Float], into out: inout [Float]) {
        let n = v.count, d = v.dim
        v.data.withUnsafeBufferPointer { xs in
            w.withUnsafeBufferPointer { ws in
                out.withUnsafeMutableBufferPointer { ys in
                    BLAS.sgemm(m: n, n: 2, k: d, a: xs.baseAddress!, lda: d,
                               b: ws.baseAddress!, ldb: 2, transB: false, c: ys.baseAddress!, ldc: 2)
                }
            }
        }
        for c in 0..<2 {
            var shift: Float = 0
            for j in 0..<d { shift += mean[j] * w[j * 2 + c] }
            for i in 0..<n { out[i * 2 + c] -= shift }
        }
    }

    /// Gram–Schmidt on the two columns of a `[d, 2]` row-major matrix; a degenerate column becomes 0.
    static func orthonormalize(_ m: inout [Float], _ d: Int) {
        func norm(_ c: Int) -> Float { (0..<d).reduce(Float(0)) { $0 + m[$1 * 2 + c] * m[$1 * 2 + c] }.squareRoot() }
        let n0 = norm(0)
        for j in 0..<d { m[j * 2] = n0 > 1e-20 ? m[j * 2] / n0 : 0 }
        var dot: Float = 0
        for j in 0..<d { dot += m[j * 2] * m[j * 2 + 1] }
        for j in 0..<d { m[j * 2 + 1] -= dot * m[j * 2] }
        let n1 = norm(1)
        for j in 0..<d { m[j * 2 + 1] = n1 > 1e-20 ? m[j * 2 + 1] / n1 : 0 }
    }
}
