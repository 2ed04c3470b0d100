import CKernels
import LoupeNumerics
import TestSupport
import XCTest

/// Task adapters fused into the GEMM epilogue (`FastKernels.FusedLoRA`): every row adds its own
/// adapter's rank-r term t·Bᵀ after the bias and before GELU / the residual add.
final class LoRAEpilogueTests: XCTestCase {
    struct Case {
        let p: Problem
        let rank: Int, count: Int
        let t: [Float]          // [m, count·rank]
        let adapters: [Int32]   // [m]; −1 and out-of-range values mean none
        let up: [[Float]]       // count × [n, rank]
        let old: [Float]        // [m, n] previous y (accumulate)

        init(m: Int, n: Int, k: Int, dtype: WeightDType, seed: UInt64) {
            p = Problem(m: m, n: n, k: k, dtype: dtype, seed: seed)
            let rank = 4, count = 3
            self.rank = rank; self.count = count
            var rng = SeededRNG(seed: seed &+ 77)
            t = (0..<(m * count * rank)).map { _ in Float.random(in: -1...1, using: &rng) }
            // Runs of rows per adapter like a mixed-task batch, plus rows without one.
            let pattern: [Int32] = [0, 0, 0, 1, 1, -1, 2, 2, 2, 2, 7, 1]
            adapters = (0..<m).map { pattern[($0 / 3) % pattern.count] }
            up = (0..<count).map { _ in (0..<(n * rank)).map { _ in Float.random(in: -0.5...0.5, using: &rng) } }
            old = (0..<(m * n)).map { _ in Float.random(in: -2...2, using: &rng) }
        }

        /// x·Wᵀ + b + LoRA in double, and the scale of its terms.
        func reference() -> (value: [Double], scale: [Double]) {
            var (value, scale) = p.reference(bias: true)
            for i in 0..<p.m {
                let a = Int(adapters[i])
                guard a >= 0, a < count else { continue }
                for j in 0..<p.n {
                    var s = 0.0, sa = 0.0
                    for q in 0..<rank {
                        let v = Double(t[i * count * rank + a * rank + q]) * Double(up[a][j * rank + q])
                        s += v; sa += abs(v)
                    }
                    value[i * p.n + j] += s; scale[i * p.n + j] += sa
                }
            }
            return (value, scale)
        }

        func run(_ w: PackedWeights, _ upPacked: [PackedWeights], y: inout [Float], options: FastKernels.Options) {
            t.withUnsafeBufferPointer { tp in
                adapters.withUnsafeBufferPointer { ap in
                    p.x.withUnsafeBufferPointer { xp in
                        p.bias.withUnsafeBufferPointer { bp in
                            y.withUnsafeMutableBufferPointer { yp in
                                let lora = FastKernels.FusedLoRA(t: tp.baseAddress!, ldt: count * rank, rank: rank,
                                                                 adapters: ap.baseAddress!, up: upPacked)
                                FastKernels.gemm(x: xp.baseAddress!, m: p.m, w: w, bias: bp.baseAddress, lora: lora,
                                                 into: yp.baseAddress!, options: options)
                            }
                        }
                    }
                }
            }
        }
    }

    private func check(_ c: Case, weights: PackedWeights, tolerance: Double, label: String) throws {
        let upPacked = try c.up.map { try PackedWeights(f32: $0, rows: c.p.n, cols: c.rank) }
        let ref = c.reference()
        for epilogue: FastKernels.Options in [[], .accumulate, .gelu] {
            var fast = c.old, plain = c.old, blas = c.old
            c.run(weights, upPacked, y: &fast, options: epilogue)
            c.run(weights, upPacked, y: &plain, options: epilogue.union(.plainReference))
            if weights.dtype != .bf16LossyDot {  // vdpbf16ps sums pairs: same products, other order
                let differing = zip(fast, plain).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(differing, 0, "\(label) \(epilogue): outputs where fast and plain paths differ")
            }
            if weights.dtype != .bf16LossyDot {
                c.run(weights, upPacked, y: &blas, options: epilogue.union(.blasFallback))
            } else {
                for i in plain.indices { XCTAssertEqual(Double(plain[i]), Double(fast[i]), accuracy: 1e-5 * ref.scale[i] + 1e-7) }
            }
            for i in fast.indices {
                var want = ref.value[i], scale = ref.scale[i]
                if epilogue.contains(.gelu) { want = geluDouble(want); scale *= 1.2 }
                if epilogue.contains(.accumulate) { want += Double(c.old[i]); scale += abs(Double(c.old[i])) }
                let tol = tolerance * scale + 4e-7 * abs(want) + 1e-7
                XCTAssertEqual(Double(fast[i]), want, accuracy: tol, "\(label) \(epilogue) output \(i)")
                if weights.dtype != .bf16LossyDot {
                    XCTAssertEqual(Double(blas[i]), want, accuracy: tol, "\(label) \(epilogue) BLAS fallback output \(i)")
                }
            }
        }
    }

    func testFusedAdaptersMatchDoubleReferenceOnEveryPath() throws {
        // 64- and 32-column panels, short tiles, a K beyond one X block.
        for (s, shape) in [(37, 130, 50), (13, 20, 33), (8, 64, 1030)].enumerated() {
            for dtype in [WeightDType.bf16, .f16, .f32] {
                let c = Case(m: shape.0, n: shape.1, k: shape.2, dtype: dtype, seed: 400 + UInt64(s))
                try check(c, weights: try c.p.packed(), tolerance: 1e-5, label: "\(dtype) \(shape)")
            }
        }
    }

    func testFusedAdaptersOnTheLossyKernel() throws {
        let c = Case(m: 29, n: 70, k: 64, dtype: .bf16LossyDot, seed: 450)
        let w = try PackedWeights(bits: c.p.bits, dtype: .bf16LossyDot, rows: c.p.n, cols: c.p.k)
        // x is rounded to bf16 in the base product: relative error ≤ 2^-8 of its scale.
        try check(c, weights: w, tolerance: 1.0 / 256 + 1e-5, label: "lossy")
    }

    /// Rows split over threads (m ≥ 192) must still index their own adapter rows.
    func testThreadCountsGiveIdenticalBits() throws {
        let saved = FastKernels.threads
        defer { FastKernels.threads = saved }
        let c = Case(m: 251, n: 70, k: 40, dtype: .bf16, seed: 460)
        let w = try c.p.packed()
        let upPacked = try c.up.map { try PackedWeights(f32: $0, rows: c.p.n, cols: c.rank) }
        var results: [[UInt32]] = []
        for threads in [1, 2, 3] {
            FastKernels.threads = threads
            var y = c.old
            c.run(w, upPacked, y: &y, options: .accumulate)
            results.append(y.map(\.bitPattern))
        }
        var plain = c.old
        c.run(w, upPacked, y: &plain, options: [.accumulate, .plainReference])
        XCTAssertEqual(results[0], results[1], "1 vs 2 threads")
        XCTAssertEqual(results[0], results[2], "1 vs 3 threads")
        XCTAssertEqual(results[0], plain.map(\.bitPattern), "plain reference")
        let ref = c.reference()
        for i in plain.indices {
            let want = ref.value[i] + Double(c.old[i])
            XCTAssertEqual(Double(plain[i]), want, accuracy: 1e-5 * (ref.scale[i] + abs(Double(c.old[i]))) + 1e-7)
        }
    }
}
