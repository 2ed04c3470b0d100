import CKernels
import Foundation
import LoupeNumerics
import TestSupport
import XCTest

final class AttentionTests: XCTestCase {
    /// Softmax attention in double for head h of a fused [seq, 3·heads·64] buffer.
    private func reference(_ qkv: [Float], seq: Int, heads: Int, valid: Int, scale: Double)
        -> (value: [Double], scale: [Double]) {
        let ld = 3 * heads * 64, width = heads * 64
        var value = [Double](repeating: 0, count: seq * width), mag = value
        for h in 0..<heads {
            for i in 0..<seq {
                var s = [Double](repeating: 0, count: valid)
                for j in 0..<valid {
                    var d = 0.0
                    for c in 0..<64 { d += Double(qkv[i * ld + h * 64 + c]) * Double(qkv[j * ld + width + h * 64 + c]) }
                    s[j] = d * scale
                }
                let mx = s.max() ?? 0
                let p = s.map { exp($0 - mx) }
                let l = p.reduce(0, +)
                for c in 0..<64 {
                    var o = 0.0, a = 0.0
                    for j in 0..<valid {
                        let vv = Double(qkv[j * ld + 2 * width + h * 64 + c])
                        o += p[j] * vv; a += p[j] * abs(vv)
                    }
                    value[i * width + h * 64 + c] = o / l
                    mag[i * width + h * 64 + c] = a / l
                }
            }
        }
        return (value, mag)
    }

    private func run(_ qkv: [Float], seq: Int, heads: Int, valid: Int, options: FastKernels.Options) -> [Float] {
        let width = heads * 64
        var out = [Float](repeating: .nan, count: seq * width)
        qkv.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                let base = p.baseAddress!
                FastKernels.attention(q: base, k: base + width, v: base + 2 * width, ld: 3 * width, seq: seq,
                                  heads: heads, validKeys: valid, scale: 0.125, out: o.baseAddress!, ldo: width,
                                  options: options)
            }
        }
        return out
    }

    func testMatchesDoubleSoftmaxAttentionAndPlainPath() {
        // Sequence lengths around the 48-query / 12-row group / 512-key / 32-key-panel block
        // edges, with padding; 1100 keys = three key blocks (the last one partial).
        let cases: [(seq: Int, heads: Int, valid: Int)] = [(1, 1, 1), (5, 2, 3), (49, 1, 49), (300, 2, 290),
                                                           (260, 1, 257), (530, 3, 515), (1100, 1, 1100)]
        for (n, c) in cases.enumerated() {
            var rng = SeededRNG(seed: 500 + UInt64(n))
            // Spread of ±3 gives peaked softmaxes (scores up to ~±20), exercising the rescaling.
            let qkv = (0..<(c.seq * 3 * c.heads * 64)).map { _ in Float.random(in: -3...3, using: &rng) }
            let fast = run(qkv, seq: c.seq, heads: c.heads, valid: c.valid, options: [])
            let plain = run(qkv, seq: c.seq, heads: c.heads, valid: c.valid, options: .plainReference)
            XCTAssertEqual(fast.map(\.bitPattern), plain.map(\.bitPattern), "\(c): fast vs plain")
            let ref = reference(qkv, seq: c.seq, heads: c.heads, valid: c.valid, scale: 0.125)
            let err = maxRelativeError(fast, ref.value, ref.scale)
            XCTAssertLessThanOrEqual(err, 1e-5, "\(c): relative error \(err)")
        }
    }

    func testThreadCountsAndPaddingRowsDoNotChangeResults() {
        let saved = FastKernels.threads
        defer { FastKernels.threads = saved }
        var rng = SeededRNG(seed: 77)
        let seq = 70, heads = 3
        let qkv = (0..<(seq * 3 * heads * 64)).map { _ in Float.random(in: -1...1, using: &rng) }
        FastKernels.threads = 1
        let one = run(qkv, seq: seq, heads: heads, valid: 64, options: [])
        FastKernels.threads = 2
        let two = run(qkv, seq: seq, heads: heads, valid: 64, options: [])
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
        // Garbage in the padded keys/values (rows ≥ 64) must not leak into any output.
        var dirty = qkv
        for t in 64..<seq { for c in (heads * 64)..<(3 * heads * 64) { dirty[t * 3 * heads * 64 + c] = 1e6 } }
        let masked = run(dirty, seq: seq, heads: heads, valid: 64, options: [])
        XCTAssertEqual(Array(one[0..<(64 * heads * 64)]).map(\.bitPattern),
                       Array(masked[0..<(64 * heads * 64)]).map(\.bitPattern))
    }

    /// The softmax exp against double-precision exp over the range the softmax uses (x ≤ 0).
    func testSoftmaxExpIsWithinOneUlp() {
        var worst = 0.0
        var x: Float = -100
        while x <= 0 {
            let ref = Foundation.exp(Double(x))
            let rf = Float(ref)
            if rf >= Float.leastNormalMagnitude {
                let e = loupe_attention_exp(x)
                worst = max(worst, abs(Double(e) - ref) / Double(rf.ulp))
            }
            x += x < -1 ? 0.000_97 : 0.000_013  // dense near 0, where most probabilities live
        }
        XCTAssertLessThanOrEqual(worst, 1.0, "max error \(worst) ulp")
        XCTAssertEqual(loupe_attention_exp(0), 1)
        XCTAssertEqual(loupe_attention_exp(-1000), loupe_attention_exp(-100))  // clamped, no overflow
    }
}
