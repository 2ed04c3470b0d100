import XCTest
import Foundation
@testable import Analysis

/// int8 (per-dimension min/max) and binary (sign bits, Hamming search, float rescoring) storage.
final class QuantizationTests: XCTestCase {
    func testInt8CodesUseThePerDimensionRange() {
        let corpus = Vectors(rows: [[0, -1], [1, 1], [0.25, 0.5]])
        let cal = Int8Calibration(calibratingOn: corpus)
        XCTAssertEqual(cal.minimum, [0, -1])
        XCTAssertEqual(cal.step, [1 / 255, 2 / 255])
        // 0.25 · 255 = 63.75 → level 64 → code −64; (0.5 + 1) / (2/255) = 191.25 → 191 → 63;
        // the ends map to −128 and 127.
        XCTAssertEqual(cal.codes(corpus), [-128, -128, 127, 127, -64, 63])
        // Outside the calibrated range (a query): clamped, never wrapped.
        XCTAssertEqual(cal.codes(Vectors(rows: [[2, -3]])), [127, -128])
        let back = cal.roundTrip(corpus)
        XCTAssertEqual(back.data[4], 64.0 / 255, accuracy: 1e-6)
        XCTAssertEqual(back.data[5], -1 + 191 * 2.0 / 255, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(maxAbs(back.data, corpus.data), 1 / 255.0 + 1e-6, "error at most half a step")
    }

    func testInt8ConstantDimensionReconstructsItsValue() {
        let v = Vectors(rows: [[0.3, 1], [0.3, 2]])
        let cal = Int8Calibration(calibratingOn: v)
        XCTAssertEqual(cal.step[0], 0)
        XCTAssertEqual(cal.roundTrip(v).data[0], 0.3, accuracy: 1e-7)
        XCTAssertEqual(cal.roundTrip(v).data[2], 0.3, accuracy: 1e-7)
    }

    func testBinaryPackingMatchesNumpyPackbits() {
        // x > 0 → 1, first dimension in the most significant bit; 0 is not > 0.
        let codes = BinaryCodes(Vectors(rows: [[1, -1, 1, 1, -1, -1, -1, 1, 0.5, 0]]))
        XCTAssertEqual(codes.packedBytes(0), [0b1011_0001, 0b1000_0000])
    }

    func testHammingAndSignVectors() {
        let a = BinaryCodes(Vectors(rows: [[1, 1, -1, -1, 1], [-1, 1, 1, -1, 1]]))
        XCTAssertEqual(a.hamming(0, a, 1), 2)
        XCTAssertEqual(a.hamming(0, a, 0), 0)
        let s = a.signVectors()
        let dot = zip(s.row(0), s.row(1)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(dot, 1 - 2 * 2 / 5, accuracy: 1e-6)
        // 70 dimensions span two words; the unused tail bits add no distance.
        let wide = BinaryCodes(Vectors(rows: [[Float](repeating: 1, count: 70), [Float](repeating: -1, count: 70)]))
        XCTAssertEqual(wide.hamming(0, wide, 1), 70)
    }

    func testBinarySearchRescoresOnlyTheHammingCandidates() {
        // q's bits are 1111. d0 = 0111 (Hamming 1, rescored −0.35), d1 = 1000 (Hamming 3, +0.35),
        // d2 = 0011 (Hamming 2, −0.45). Rescoring all finds d1; one candidate per result keeps d0.
        let q: [Float] = [1, 0.1, 0.1, 0.1]
        let docs = BinaryCodes(Vectors(rows: [[-1, 1, 1, 1], [1, -1, -1, -1], [-1, -1, 1, 1]]))
        XCTAssertEqual(Analysis.binarySearch(query: q, in: docs, k: 1, rescoreMultiplier: 1).map(\.index), [0])
        XCTAssertEqual(Analysis.binarySearch(query: q, in: docs, k: 1, rescoreMultiplier: 2).map(\.index), [0])
        let all = Analysis.binarySearch(query: q, in: docs, k: 3, rescoreMultiplier: 4)
        XCTAssertEqual(all.map(\.index), [1, 0, 2])
        XCTAssertEqual(all[0].score, 0.35, accuracy: 1e-6)
        XCTAssertEqual(Analysis.binarySearch(query: [1, 0], in: docs, k: 1), [], "wrong query length")
    }

    private func maxAbs(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } }
}
