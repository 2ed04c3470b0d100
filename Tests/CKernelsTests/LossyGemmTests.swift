import CKernels
import LoupeNumerics
import TestSupport
import XCTest

/// The optional lossy path (`.bf16LossyDot`): x is rounded to bf16 (nearest even), products of
/// two bf16 values are exact in fp32, so against a double reference *on the rounded x* the only
/// error left is fp32 summation; against the exact product the error is bf16 rounding of x.
final class LossyGemmTests: XCTestCase {
    /// Round to bf16, nearest even (independent of the C helper).
    private func bf16(_ f: Float) -> Float {
        let u = f.bitPattern
        let rounded = (u &+ 0x7fff &+ ((u >> 16) & 1)) & 0xffff_0000
        return Float(bitPattern: rounded)
    }

    func testLossyPathMatchesReferenceOnRoundedActivations() throws {
        let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (5, 17, 7), (13, 65, 100), (37, 100, 77), (30, 33, 1025)]
        for (s, shape) in shapes.enumerated() {
            let p = Problem(m: shape.m, n: shape.n, k: shape.k, dtype: .bf16LossyDot, seed: 900 + UInt64(s))
            let w = try PackedWeights(bits: p.bits, dtype: .bf16LossyDot, rows: p.n, cols: p.k)
            for r in 0..<min(p.n, 5) { for c in 0..<p.k { XCTAssertEqual(w.element(row: r, col: c), p.w[r * p.k + c]) } }
            var rounded = p
            rounded.x = p.x.map(bf16)
            let refRounded = rounded.reference(bias: true)
            let refExact = p.reference(bias: true)
            for opts: FastKernels.Options in [[], .plainReference] {
                var y = [Float](repeating: .nan, count: p.m * p.n)
                FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &y, options: opts)
                let err = maxRelativeError(y, refRounded.value, refRounded.scale)
                XCTAssertLessThanOrEqual(err, 1e-5, "\(shape) \(opts): vs rounded-x reference \(err)")
                // bf16 rounding of x (8 significant bits): relative error ≤ 2^-8 per product.
                let lossy = maxRelativeError(y, refExact.value, refExact.scale)
                XCTAssertLessThanOrEqual(lossy, 1.0 / 256 + 1e-5, "\(shape) \(opts): vs exact \(lossy)")
            }
        }
    }
}
