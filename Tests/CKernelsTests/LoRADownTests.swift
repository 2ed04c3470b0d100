import CKernels
import Numerics
import TestSupport
import XCTest

/// The task adapters' down-projection `FastKernels.loraDown`: each row computes
/// scaling · x·A[a]ᵀ for its own adapter only. It must give the bits of the stacked product it
/// replaces (`gemm(x, A_all)`, then × scaling), on the AVX-512 and the plain path and at any thread
/// count, leave every other entry of t alone, and agree with a double-precision reference.
final class LoRADownTests: XCTestCase {
    struct Case {
        let m: Int, k: Int, rank: Int, count: Int
        let x: [Float]          // [m, k]
        let a: [Float]          // [count, rank, k] as in the checkpoint (bf16 values when asked)
        let adapters: [Int32]   // [m]
        let scaling: Float

        init(m: Int, k: Int, rank: Int = 4, count: Int = 5, bf16: Bool, seed: UInt64) {
            var rng = SeededRNG(seed: seed)
            self.m = m; self.k = k; self.rank = rank; self.count = count
            x = (0..<(m * k)).map { _ in Float.random(in: -2...2, using: &rng) }
            let raw = (0..<(count * rank * k)).map { _ in Float.random(in: -0.1...0.1, using: &rng) }
            a = bf16 ? raw.map { Float(bitPattern: $0.bitPattern & 0xffff_0000) } : raw
            // Runs of rows per adapter like a mixed-task batch (runs longer and shorter than a tile),
            // rows without an adapter (−1) and an out-of-range one (count + 2).
            let pattern: [Int32] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, -1, 2, Int32(count + 2), 3, 3, 4, 4, 4]
            adapters = (0..<m).map { pattern[($0 * 7 / 5) % pattern.count] }
            scaling = 0.375 + Float(seed % 3)
        }

        var at: [Float] {   // [count][k][rank]
            var out = [Float](repeating: 0, count: count * k * rank)
            for t in 0..<count { for q in 0..<rank { for c in 0..<k { out[(t * k + c) * rank + q] = a[(t * rank + q) * k + c] } } }
            return out
        }

        func hasAdapter(_ i: Int) -> Bool { adapters[i] >= 0 && Int(adapters[i]) < count }

        /// t from loraDown; entries it must not touch start (and must stay) NaN.
        func loraDown(options: FastKernels.Options = []) -> [Float] {
            var t = [Float](repeating: .nan, count: m * count * rank)
            let at = self.at
            x.withUnsafeBufferPointer { xp in
                at.withUnsafeBufferPointer { ap in
                    adapters.withUnsafeBufferPointer { rp in
                        t.withUnsafeMutableBufferPointer { tp in
                            FastKernels.loraDown(x: xp.baseAddress!, m: m, ldx: k, k: k, at: ap.baseAddress!, count: count,
                                                 rank: rank, adapters: rp.baseAddress!, scaling: scaling,
                                                 into: tp.baseAddress!, ldt: count * rank, options: options)
                        }
                    }
                }
            }
            return t
        }

        /// The stacked product the encoder used before: every adapter's columns, then × scaling.
        func stacked() throws -> [Float] {
            let down = a.allSatisfy({ $0.bitPattern & 0xffff == 0 })
                ? try PackedWeights(bits: a.map { UInt16($0.bitPattern >> 16) }, dtype: .bf16, rows: count * rank, cols: k)
                : try PackedWeights(f32: a, rows: count * rank, cols: k)
            var t = [Float](repeating: 0, count: m * count * rank)
            FastKernels.gemm(x: x, m: m, w: down, into: &t)
            return t.map { $0 * scaling }
        }
    }

    private func ownColumns(_ c: Case, _ i: Int) -> Range<Int> {
        let a = Int(c.adapters[i])
        return (i * c.count * c.rank + a * c.rank)..<(i * c.count * c.rank + (a + 1) * c.rank)
    }

    func testSameBitsAsTheStackedProductOnEveryPathAndThreadCount() throws {
        let saved = FastKernels.threads
        defer { FastKernels.threads = saved }
        // Row counts below and above a tile (8) and a thread's share (16); k of jina's layers and odd ones.
        for (s, shape) in [(1, 1024), (7, 64), (13, 130), (50, 1024), (301, 1024), (40, 4096), (9, 1)].enumerated() {
            for bf16 in [true, false] {
                let c = Case(m: shape.0, k: shape.1, bf16: bf16, seed: 40 + UInt64(s))
                let want = try c.stacked()
                for threads in [1, 2, 3] {
                    FastKernels.threads = threads
                    for options: FastKernels.Options in [[], .plainReference] {
                        let got = c.loraDown(options: options)
                        for i in 0..<c.m {
                            let base = i * c.count * c.rank
                            for j in base..<(base + c.count * c.rank) {
                                if c.hasAdapter(i) && ownColumns(c, i).contains(j) {
                                    XCTAssertEqual(got[j].bitPattern, want[j].bitPattern,
                                                   "m \(c.m) k \(c.k) bf16 \(bf16) threads \(threads) \(options) row \(i) col \(j - base)")
                                } else {
                                    XCTAssertTrue(got[j].isNaN, "row \(i) col \(j - base) (not its adapter's) was written")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func testMatchesADoublePrecisionReference() {
        let c = Case(m: 37, k: 1024, bf16: true, seed: 9)
        let got = c.loraDown()
        for i in 0..<c.m where c.hasAdapter(i) {
            let a = Int(c.adapters[i])
            for q in 0..<c.rank {
                var s = 0.0, scale = 0.0
                for col in 0..<c.k {
                    let p = Double(c.x[i * c.k + col]) * Double(c.a[(a * c.rank + q) * c.k + col])
                    s += p; scale += abs(p)
                }
                let want = s * Double(c.scaling), tol = scale * Double(c.scaling) * 1e-6 + 1e-30
                XCTAssertEqual(Double(got[i * c.count * c.rank + a * c.rank + q]), want, accuracy: tol, "row \(i) q \(q)")
            }
        }
    }

    /// Ranks other than 4 take the plain path: still the stacked product's bits.
    func testOtherRanks() throws {
        for rank in [1, 3, 8] {
            let c = Case(m: 20, k: 96, rank: rank, count: 5, bf16: false, seed: 70 + UInt64(rank))
            let want = try c.stacked(), got = c.loraDown()
            for i in 0..<c.m where c.hasAdapter(i) {
                for j in ownColumns(c, i) { XCTAssertEqual(got[j].bitPattern, want[j].bitPattern, "rank \(rank) row \(i)") }
            }
        }
    }
}
