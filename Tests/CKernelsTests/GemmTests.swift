import CKernels
import Numerics
import TestSupport
import XCTest

/// A random problem with an independent double-precision answer (naive triple loop over the
/// weights widened by Swift's own conversions, not by the code under test).
struct Problem {
    let m: Int, n: Int, k: Int
    var x: [Float]           // [m, k]
    var w: [Float]           // [n, k], exactly representable in `dtype`
    var bits: [UInt16]       // the same weights as 16-bit patterns (bf16 / f16)
    var bias: [Float]        // [n]
    let dtype: WeightDType

    init(m: Int, n: Int, k: Int, dtype: WeightDType, seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        self.m = m; self.n = n; self.k = k; self.dtype = dtype
        x = (0..<(m * k)).map { _ in Float.random(in: -2...2, using: &rng) }
        bias = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let raw = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &rng) }
        switch dtype {
        case .bf16, .bf16LossyDot:
            bits = raw.map { UInt16($0.bitPattern >> 16) }
            w = bits.map { Float(bitPattern: UInt32($0) << 16) }
        case .f16:
            bits = raw.map { Float16($0).bitPattern }
            w = bits.map { Float(Float16(bitPattern: $0)) }
        case .f32, .int8:  // int8 problems quantize f32 weights (Int8GemmTests)
            bits = []
            w = raw
        }
    }

    func packed() throws -> PackedWeights {
        dtype == .f32 ? try PackedWeights(f32: w, rows: n, cols: k)
            : try PackedWeights(bits: bits, dtype: dtype, rows: n, cols: k)
    }

    /// (x·Wᵀ + bias) in double, and Σ|x·w| + |bias| per output (the scale fp32 rounding works at).
    func reference(bias useBias: Bool) -> (value: [Double], scale: [Double]) {
        var value = [Double](repeating: 0, count: m * n), scale = value
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0, a = 0.0
                for c in 0..<k {
                    let p = Double(x[i * k + c]) * Double(w[j * k + c])
                    s += p; a += abs(p)
                }
                if useBias { s += Double(bias[j]); a += abs(Double(bias[j])) }
                value[i * n + j] = s; scale[i * n + j] = a
            }
        }
        return (value, scale)
    }
}

func geluDouble(_ v: Double) -> Double { 0.5 * v * (1 + erf(v / 2.0.squareRoot())) }

/// Largest |got - want| / (scale + tiny) over all outputs.
func maxRelativeError(_ got: [Float], _ want: [Double], _ scale: [Double]) -> Double {
    var worst = 0.0
    for i in got.indices { worst = max(worst, abs(Double(got[i]) - want[i]) / (scale[i] + 1e-30)) }
    return worst
}

final class GemmTests: XCTestCase {
    // Deliberately awkward: M, N, K not multiples of the 6 × 64 / 12 × 32 tiles, N ≤ 32, K = 1.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (1, 33, 5), (5, 17, 64), (13, 65, 100), (37, 100, 77), (12, 32, 16), (64, 96, 130), (25, 31, 1),
        // More rows than one X block holds (96 rows at k = 1024, 24 at k = 4096).
        (100, 40, 1024), (30, 33, 4096), (100, 130, 1024),
    ]

    private func check(dtype: WeightDType, seed: UInt64) throws {
        for (s, shape) in Self.shapes.enumerated() {
            let p = Problem(m: shape.m, n: shape.n, k: shape.k, dtype: dtype, seed: seed + UInt64(s))
            let w = try p.packed()
            var fast = [Float](repeating: .nan, count: p.m * p.n), plain = fast
            FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &fast)
            FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &plain, options: .plainReference)
            let ref = p.reference(bias: true)
            let err = maxRelativeError(fast, ref.value, ref.scale)
            XCTAssertLessThanOrEqual(err, 1e-5, "\(dtype) \(shape): relative error \(err)")
            var blas = fast
            FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &blas, options: .blasFallback)
            let errBLAS = maxRelativeError(blas, ref.value, ref.scale)
            XCTAssertLessThanOrEqual(errBLAS, 1e-5, "\(dtype) \(shape): BLAS fallback relative error \(errBLAS)")
            XCTAssertEqual(fast.map(\.bitPattern), plain.map(\.bitPattern),
                           "\(dtype) \(shape): fast path differs from the plain reference")
        }
    }

    func testBF16WeightsMatchDoubleReference() throws { try check(dtype: .bf16, seed: 100) }
    func testF16WeightsMatchDoubleReference() throws { try check(dtype: .f16, seed: 200) }
    func testF32WeightsMatchDoubleReference() throws { try check(dtype: .f32, seed: 300) }

    func testNoBiasAndAccumulate() throws {
        let p = Problem(m: 19, n: 70, k: 45, dtype: .bf16, seed: 7)
        let w = try p.packed()
        var rng = SeededRNG(seed: 8)
        let old = (0..<(p.m * p.n)).map { _ in Float.random(in: -3...3, using: &rng) }
        let ref = p.reference(bias: false)

        var y = [Float](repeating: 99, count: p.m * p.n)
        FastKernels.gemm(x: p.x, m: p.m, w: w, into: &y)
        XCTAssertLessThanOrEqual(maxRelativeError(y, ref.value, ref.scale), 1e-5, "no bias")

        for opts: FastKernels.Options in [.accumulate, [.accumulate, .plainReference], [.accumulate, .blasFallback]] {
            var acc = old
            FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &acc, options: opts)
            let refB = p.reference(bias: true)
            let want = zip(refB.value, old).map { $0 + Double($1) }
            let scale = zip(refB.scale, old).map { $0 + abs(Double($1)) }
            XCTAssertLessThanOrEqual(maxRelativeError(acc, want, scale), 1e-5, "accumulate \(opts)")
        }
    }

    func testGeluEpilogueMatchesDoubleGelu() throws {
        let p = Problem(m: 27, n: 75, k: 96, dtype: .bf16, seed: 11)
        let w = try p.packed()
        let ref = p.reference(bias: true)
        var fast = [Float](repeating: 0, count: p.m * p.n), plain = fast
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &fast, options: .gelu)
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &plain, options: [.gelu, .plainReference])
        XCTAssertEqual(fast.map(\.bitPattern), plain.map(\.bitPattern))
        var blas = fast
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &blas, options: [.gelu, .blasFallback])
        // GELU' is at most ~1.13, so the pre-activation error bound carries over, plus erf's own.
        for i in fast.indices {
            let want = geluDouble(ref.value[i])
            XCTAssertEqual(Double(fast[i]), want, accuracy: 1e-5 * ref.scale[i] * 1.2 + 4e-7 * abs(want) + 1e-7,
                           "output \(i)")
            XCTAssertEqual(Double(blas[i]), want, accuracy: 1e-5 * ref.scale[i] * 1.2 + 4e-7 * abs(want) + 1e-7,
                           "BLAS fallback output \(i)")
        }
    }

    /// `.addBeforeActivation`: GELU(x·Wᵀ + b + y_old), the fc1 epilogue with a LoRA term written first.
    func testAddBeforeActivationFeedsTheGelu() throws {
        let p = Problem(m: 23, n: 70, k: 80, dtype: .bf16, seed: 13)
        let w = try p.packed()
        let ref = p.reference(bias: true)
        var rng = SeededRNG(seed: 14)
        let old = (0..<(p.m * p.n)).map { _ in Float.random(in: -2...2, using: &rng) }
        var fast = old, plain = old, blas = old
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &fast, options: [.gelu, .addBeforeActivation])
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &plain,
                         options: [.gelu, .addBeforeActivation, .plainReference])
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &blas,
                         options: [.gelu, .addBeforeActivation, .blasFallback])
        XCTAssertEqual(fast.map(\.bitPattern), plain.map(\.bitPattern))
        for i in fast.indices {
            let want = geluDouble(ref.value[i] + Double(old[i]))
            let tol = 1e-5 * (ref.scale[i] + abs(Double(old[i]))) * 1.2 + 4e-7 * abs(want) + 1e-7
            XCTAssertEqual(Double(fast[i]), want, accuracy: tol, "output \(i)")
            XCTAssertEqual(Double(blas[i]), want, accuracy: tol, "BLAS fallback output \(i)")
        }
    }

    func testThreadCountsGiveIdenticalBits() throws {
        let saved = FastKernels.threads
        defer { FastKernels.threads = saved }
        // 2·m·n·k ≈ 4.6 MFLOP: above the single-thread cut-off, and 5 panels split unevenly;
        // 251 rows: threads split rows (whole 12-row micro-panels, the last one short) instead.
        for (m, n, k, seed) in [(50, 150, 307, 21), (251, 70, 200, 22)] {
            let p = Problem(m: m, n: n, k: k, dtype: .bf16, seed: UInt64(seed))
            let w = try p.packed()
            var results: [[UInt32]] = []
            for t in [1, 2, 3] {
                FastKernels.threads = t
                XCTAssertEqual(FastKernels.threads, t)
                var y = [Float](repeating: 0, count: p.m * p.n)
                FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &y, options: .gelu)
                results.append(y.map(\.bitPattern))
            }
            var plain = [Float](repeating: 0, count: p.m * p.n)
            FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &plain, options: [.gelu, .plainReference])
            XCTAssertEqual(results[0], results[1], "\(m) rows: 1 vs 2 threads")
            XCTAssertEqual(results[0], results[2], "\(m) rows: 1 vs 3 threads")
            XCTAssertEqual(results[0], plain.map(\.bitPattern), "\(m) rows: plain reference")
        }
    }

    /// Every tile shape (widened in registers, widened panels with k blocks past K = 1024) gives the
    /// plain path's bits at every thread count, whatever the machine would pick by itself.
    func testEveryGemmShapeGivesThePlainBits() throws {
        let saved = (FastKernels.threads, FastKernels.gemmShape)
        defer { FastKernels.threads = saved.0; FastKernels.gemmShape = saved.1 }
        let shapes: [(m: Int, n: Int, k: Int)] = [(5, 17, 64), (13, 65, 100), (37, 100, 77), (100, 130, 1024),
                                                  (30, 33, 4096), (251, 70, 1100)]
        for (s, shape) in shapes.enumerated() {
            for dtype in [WeightDType.bf16, .f16] {
                let p = Problem(m: shape.m, n: shape.n, k: shape.k, dtype: dtype, seed: 700 + UInt64(s))
                let w = try p.packed()
                var plain = [Float](repeating: 0, count: p.m * p.n)
                FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &plain, options: [.gelu, .plainReference])
                for gemmShape in [FastKernels.GemmShape.registers, .widenedPanels] {
                    FastKernels.gemmShape = gemmShape
                    for threads in [1, 2, 3] {
                        FastKernels.threads = threads
                        var y = [Float](repeating: .nan, count: p.m * p.n)
                        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &y, options: .gelu)
                        let differing = zip(y, plain).filter { $0.bitPattern != $1.bitPattern }.count
                        XCTAssertEqual(differing, 0, "\(dtype) \(shape) \(gemmShape) \(threads) threads: outputs differing from plain")
                    }
                }
            }
        }
    }

    /// LOUPE_GEMM_SHAPE overrides the machine's choice (how a machine of the other kind is emulated);
    /// without it, a clear calibration winner decides, else the CPU family.
    func testShapeChoiceCalibrationAndEnvironmentOverride() throws {
        let saved = ProcessInfo.processInfo.environment["LOUPE_GEMM_SHAPE"]
        defer { if let saved { setenv("LOUPE_GEMM_SHAPE", saved, 1) } else { unsetenv("LOUPE_GEMM_SHAPE") } }
        unsetenv("LOUPE_GEMM_SHAPE")
        let c = FastKernels.shapeCalibration
        let family: FastKernels.GemmShape = FastKernels.cpuFamily >= 26 ? .widenedPanels : .registers
        if c.registersGFLOPS > 0 {
            XCTAssertGreaterThan(c.panelsGFLOPS, 0)
            let expected: FastKernels.GemmShape = c.panelsGFLOPS * 0.95 > c.registersGFLOPS ? .widenedPanels
                : c.registersGFLOPS * 0.95 > c.panelsGFLOPS ? .registers : family
            XCTAssertEqual(c.chosen, expected, "registers \(c.registersGFLOPS), panels \(c.panelsGFLOPS) GFLOP/s")
        }
        XCTAssertEqual(FastKernels.defaultGemmShape, c.registersGFLOPS > 0 ? c.chosen : family)
        setenv("LOUPE_GEMM_SHAPE", "panels", 1)
        XCTAssertEqual(FastKernels.defaultGemmShape, .widenedPanels)
        setenv("LOUPE_GEMM_SHAPE", "registers", 1)
        XCTAssertEqual(FastKernels.defaultGemmShape, .registers)
    }

    func testStridesLeaveOtherColumnsAlone() throws {
        let p = Problem(m: 9, n: 40, k: 33, dtype: .f16, seed: 31)
        let w = try p.packed()
        let ldx = 50, ldy = 47
        var xs = [Float](repeating: .nan, count: p.m * ldx)  // NaN padding must never be read
        for i in 0..<p.m { for c in 0..<p.k { xs[i * ldx + c] = p.x[i * p.k + c] } }
        var ys = [Float](repeating: -7, count: p.m * ldy)
        xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeMutableBufferPointer { yp in
                p.bias.withUnsafeBufferPointer { bp in
                    FastKernels.gemm(x: xp.baseAddress!, m: p.m, ldx: ldx, w: w, bias: bp.baseAddress,
                                 into: yp.baseAddress!, ldy: ldy)
                }
            }
        }
        var dense = [Float](repeating: 0, count: p.m * p.n)
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &dense)
        for i in 0..<p.m {
            XCTAssertEqual(Array(ys[(i * ldy)..<(i * ldy + p.n)]), Array(dense[(i * p.n)..<((i + 1) * p.n)]))
            XCTAssertEqual(Array(ys[(i * ldy + p.n)..<((i + 1) * ldy)]), [Float](repeating: -7, count: ldy - p.n))
        }
    }
}
