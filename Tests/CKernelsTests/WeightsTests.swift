import CKernels
import LoupeNumerics
import TestSupport
import XCTest

final class WeightsTests: XCTestCase {
    func testPackedElementsRoundTripAndStay16Bit() throws {
        for dtype in [WeightDType.bf16, .f16, .f32] {
            let p = Problem(m: 1, n: 70, k: 9, dtype: dtype, seed: 5)
            let w = try p.packed()
            XCTAssertEqual(w.rows, 70)
            XCTAssertEqual(w.cols, 9)
            for r in 0..<p.n { for c in 0..<p.k { XCTAssertEqual(w.element(row: r, col: c), p.w[r * p.k + c]) } }
            // 70 rows pad to 2 panels of 64: 128 × 9 elements of the stored size.
            XCTAssertEqual(w.bytes, 128 * 9 * dtype.size, "\(dtype)")
            // Up to 32 rows (LoRA down-projections) take one 32-column panel.
            let small = Problem(m: 1, n: 20, k: 9, dtype: dtype, seed: 6)
            let ws = try small.packed()
            for r in 0..<small.n { for c in 0..<small.k { XCTAssertEqual(ws.element(row: r, col: c), small.w[r * small.k + c]) } }
            XCTAssertEqual(ws.bytes, 32 * 9 * dtype.size, "\(dtype) small")
        }
    }

    func testPackingFromRawPointerHonoursRowStride() throws {
        let rows = 3, cols = 4, stride = 6
        let values: [UInt16] = (0..<(rows * stride)).map { UInt16(Float(Float($0) + 1).bitPattern >> 16) }
        let w = try values.withUnsafeBytes { buf in
            try PackedWeights(pointer: buf.baseAddress!, dtype: .bf16, rows: rows, cols: cols, rowStride: stride)
        }
        for r in 0..<rows { for c in 0..<cols { XCTAssertEqual(w.element(row: r, col: c), Float(r * stride + c + 1)) } }
    }

    func testBadShapesThrowTypedErrors() {
        XCTAssertThrowsError(try PackedWeights(f32: [1, 2, 3], rows: 2, cols: 2)) { error in
            XCTAssertEqual(error as? KernelError, .invalidShape(rows: 2, cols: 2, rowStride: 2, elements: 3))
        }
        XCTAssertThrowsError(try PackedWeights(bits: [], dtype: .bf16, rows: 0, cols: 4))
        XCTAssertThrowsError(try PackedWeights(bits: [1, 2], dtype: .f32, rows: 1, cols: 2))
        let x: [Float] = [1, 2]
        XCTAssertThrowsError(try x.withUnsafeBytes { buf in
            try PackedWeights(pointer: buf.baseAddress!, dtype: .f32, rows: 1, cols: 2, rowStride: 1)
        })
    }

    func testWideningConvertersAreExact() {
        var rng = SeededRNG(seed: 3)
        let halves: [UInt16] = (0..<4096).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
        var out = [Float](repeating: 0, count: halves.count)
        loupe_f16_to_f32(halves, &out, halves.count)
        for (h, f) in zip(halves, out) {
            let want = Float(Float16(bitPattern: h))
            if want.isNaN { XCTAssertTrue(f.isNaN) } else { XCTAssertEqual(f.bitPattern, want.bitPattern, "f16 \(h)") }
        }
        loupe_bf16_to_f32(halves, &out, halves.count)
        for (h, f) in zip(halves, out) { XCTAssertEqual(f.bitPattern, UInt32(h) << 16) }
    }
}
