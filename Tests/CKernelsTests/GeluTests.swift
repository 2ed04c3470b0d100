import CKernels
import LoupeNumerics
import TestSupport
import XCTest

final class GeluTests: XCTestCase {
    func testErfAgainstDoubleErf() {
        var worst = 0.0
        var x: Float = -5
        while x <= 5 {
            worst = max(worst, abs(Double(FastKernels.erf(x)) - erf(Double(x))))
            x += 1.0 / 1024
        }
        XCTAssertLessThanOrEqual(worst, 1.2e-7)
        // Relative accuracy near zero (interval 0 has no constant term).
        for t: Float in [1e-30, 1e-10, 1e-5, 0.001] {
            XCTAssertEqual(Double(FastKernels.erf(t)), erf(Double(t)), accuracy: 2e-7 * erf(Double(t)))
            XCTAssertEqual(FastKernels.erf(-t), -FastKernels.erf(t))
        }
        XCTAssertEqual(FastKernels.erf(.infinity), 1)
        XCTAssertEqual(FastKernels.erf(-.infinity), -1)
        XCTAssertTrue(FastKernels.erf(.nan).isNaN)
        XCTAssertEqual(FastKernels.erf(0).bitPattern, Float(0).bitPattern)
    }

    func testVectorGeluMatchesScalarAndDouble() {
        // 1001 values: not a multiple of 16, so the masked tail runs too.
        let xs: [Float] = (0..<1001).map { -8 + 16 * Float($0) / 1000 }
        var v = xs
        v.withUnsafeMutableBufferPointer { FastKernels.gelu($0.baseAddress!, count: $0.count) }
        for (x, g) in zip(xs, v) {
            let want = geluDouble(Double(x))
            XCTAssertEqual(Double(g), want, accuracy: 2e-7 * max(1, abs(Double(x))), "gelu(\(x))")
            let h = 0.5 * x
            XCTAssertEqual(g.bitPattern, (h * (1 + FastKernels.erf(x * 0.70710678118654752))).bitPattern, "x = \(x)")
        }
    }
}
