import CKernels
import Numerics
import TestSupport
import XCTest

/// The int8 path (`.int8` weights): the quantization rules re-implemented here in Swift, the
/// product checked bit for bit against an integer reference built from them, its error against
/// the double product bounded by the quantization steps, and the VNNI path, the plain C path and
/// every thread count giving the same bits (epilogues and task adapters included).
final class Int8GemmTests: XCTestCase {
    /// Weights: per row, scale = amax / 127, q = round(w · (127 / amax)) (nearest even, fp32).
    struct QuantizedWeights {
        var q: [Int]        // [n, k]
        var scale: [Float]  // [n]
        init(_ w: [Float], n: Int, k: Int) {
            q = []; scale = []
            for j in 0..<n {
                let row = w[(j * k)..<((j + 1) * k)]
                let amax = row.map(abs).max() ?? 0
                let inv: Float = amax > 0 ? 127 / amax : 0
                q += row.map { Int(min(max($0 * inv, -127), 127).rounded(.toNearestOrEven)) }
                scale.append(amax / 127)
            }
        }
    }

    /// Activations: range [min(0, min x), max(0, max x)] in 255 steps with a zero point.
    struct QuantizedRow {
        var u: [Int], zp: Int, scale: Float
        init(_ x: ArraySlice<Float>) {
            let lo = min(0, x.min() ?? 0), hi = max(0, x.max() ?? 0), range = hi - lo
            guard range > 0 else { u = x.map { _ in 0 }; zp = 0; scale = 0; return }
            let inv = 255 / range
            zp = Int(min(max(-lo * inv, 0), 255).rounded(.toNearestOrEven))
            scale = range / 255
            let z = zp
            u = x.map { min(max(Int(min(max($0 * inv, -255), 255).rounded(.toNearestOrEven)) + z, 0), 255) }
        }
    }

    /// x·Wᵀ + bias as the int8 path defines it: Float(Σ (u − zp)·q) · (s_x · s_w) + bias, with the
    /// sum in integers, plus the bound the quantization steps put on its distance to the exact product.
    static func reference(_ p: Problem) -> (value: [Float], bound: [Double]) {
        let w = QuantizedWeights(p.w, n: p.n, k: p.k)
        var value = [Float](repeating: 0, count: p.m * p.n), bound = [Double](repeating: 0, count: p.m * p.n)
        for i in 0..<p.m {
            let xr = p.x[(i * p.k)..<((i + 1) * p.k)], qx = QuantizedRow(xr)
            for j in 0..<p.n {
                var acc = 0, err = 0.0
                for c in 0..<p.k {
                    acc += (qx.u[c] - qx.zp) * w.q[j * p.k + c]
                    // |x·w − x̂·ŵ| ≤ |x|·s_w/2 + |ŵ|·s_x per product (half a step each, but the row's
                    // maximum can be clamped one step down when the zero point rounded up)
                    err += Double(abs(xr[xr.startIndex + c])) * Double(w.scale[j]) / 2
                        + Double(abs(w.q[j * p.k + c])) * Double(w.scale[j]) * Double(qx.scale)
                }
                value[i * p.n + j] = Float(acc) * (qx.scale * w.scale[j]) + p.bias[j]
                bound[i * p.n + j] = err
            }
        }
        return (value, bound)
    }

    static func pack(_ p: Problem) throws -> PackedWeights {
        try p.w.withUnsafeBytes { try PackedWeights(quantizing: $0.baseAddress!, from: .f32, rows: p.n, cols: p.k) }
    }

    func testWeightsAreQuantizedByTheRule() throws {
        let p = Problem(m: 1, n: 70, k: 37, dtype: .f32, seed: 600)
        let w = try Self.pack(p), ref = QuantizedWeights(p.w, n: p.n, k: p.k)
        XCTAssertEqual(w.dtype, .int8)
        for j in 0..<p.n {
            for c in 0..<p.k {
                let (q, scale) = w.quantized(row: j, col: c)
                XCTAssertEqual(Int(q), ref.q[j * p.k + c], "(\(j), \(c))")
                XCTAssertEqual(scale, ref.scale[j])
                XCTAssertEqual(w.element(row: j, col: c), Float(q) * scale)
            }
        }
        // bf16 and f16 sources quantize their widened values.
        let b = Problem(m: 1, n: 9, k: 20, dtype: .bf16, seed: 601)
        let wb = try b.bits.withUnsafeBytes { try PackedWeights(quantizing: $0.baseAddress!, from: .bf16, rows: b.n, cols: b.k) }
        let rb = QuantizedWeights(b.w, n: b.n, k: b.k)
        for j in 0..<b.n { for c in 0..<b.k { XCTAssertEqual(Int(wb.quantized(row: j, col: c).q), rb.q[j * b.k + c]) } }
    }

    func testActivationsAreQuantizedByTheRuleOnBothPaths() throws {
        var rng = SeededRNG(seed: 610)
        for k in [1, 3, 16, 33, 1030] {
            var x: [Float] = []
            for kind in 0..<5 {   // mixed signs, all positive (GELU-like), all negative, zeros, one outlier
                x += (0..<k).map { c -> Float in
                    switch kind {
                    case 0: return Float.random(in: -2...2, using: &rng)
                    case 1: return Float.random(in: -0.17...5, using: &rng) + 0.17
                    case 2: return -Float.random(in: 0...3, using: &rng)
                    case 3: return 0
                    default: return c == k / 2 ? 40 : Float.random(in: -1...1, using: &rng)
                    }
                }
            }
            let rows = 5, ldq = (k + 3) / 4 * 4 + 8
            for flags in [Int32(0), Int32(LOUPE_GEMM_PLAIN)] {
                var q = [UInt8](repeating: 7, count: rows * ldq), scale = [Float](repeating: .nan, count: rows)
                var zp = [Int32](repeating: -1, count: rows)
                loupe_quantize_rows(x, rows, k, k, &q, ldq, &scale, &zp, flags)
                for r in 0..<rows {
                    let ref = QuantizedRow(x[(r * k)..<((r + 1) * k)])
                    XCTAssertEqual(q[(r * ldq)..<(r * ldq + k)].map(Int.init), ref.u, "k \(k) row \(r) flags \(flags)")
                    XCTAssertEqual(Int(zp[r]), ref.zp, "k \(k) row \(r)")
                    XCTAssertEqual(scale[r], ref.scale, "k \(k) row \(r)")
                    XCTAssertEqual(Set(q[(r * ldq + k)..<((r + 1) * ldq)]), [UInt8(ref.zp)], "padding holds the zero point")
                }
            }
        }
    }

    func testProductMatchesTheIntegerReferenceBitForBit() throws {
        let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (1, 33, 5), (5, 17, 64), (13, 65, 100), (37, 100, 77),
                                                  (25, 31, 2), (100, 130, 1024), (30, 64, 4096)]
        for (s, shape) in shapes.enumerated() {
            let p = Problem(m: shape.m, n: shape.n, k: shape.k, dtype: .f32, seed: 620 + UInt64(s))
            let w = try Self.pack(p)
            let ref = Self.reference(p)
            let exact = p.reference(bias: true)
            for opts: FastKernels.Options in [[], .plainReference] {
                var y = [Float](repeating: .nan, count: p.m * p.n)
                FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &y, options: opts)
                let differing = zip(y, ref.value).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(differing, 0, "\(shape) \(opts): outputs differing from the integer reference")
                for i in y.indices {
                    XCTAssertEqual(Double(y[i]), exact.value[i], accuracy: ref.bound[i] * 1.001 + 1e-6 * exact.scale[i],
                                   "\(shape) output \(i): farther from x·Wᵀ than the quantization steps allow")
                }
            }
        }
    }

    /// GELU / accumulate epilogues and per-row task adapters: VNNI and plain C paths, 1–3 threads
    /// (rows split at m = 251, columns at m = 50), all the same bits, and the value the epilogue
    /// gives on the integer reference.
    func testEpiloguesAdaptersAndThreadCountsGiveIdenticalBits() throws {
        let saved = FastKernels.threads
        defer { FastKernels.threads = saved }
        for (m, n, k, seed) in [(251, 70, 200, UInt64(630)), (50, 150, 307, 631)] {
            let c = LoRAEpilogueTests.Case(m: m, n: n, k: k, dtype: .f32, seed: seed)
            let w = try Self.pack(c.p)
            let up = try c.up.map { try PackedWeights(f32: $0, rows: n, cols: c.rank) }
            for epilogue: FastKernels.Options in [.accumulate, .gelu] {
                var results: [[UInt32]] = []
                for threads in [1, 2, 3] {
                    FastKernels.threads = threads
                    for plain in [false, true] {
                        var y = c.old
                        c.run(w, up, y: &y, options: plain ? epilogue.union(.plainReference) : epilogue)
                        results.append(y.map(\.bitPattern))
                    }
                }
                for (r, bits) in results.enumerated() {
                    let differing = zip(bits, results[0]).filter { $0 != $1 }.count
                    XCTAssertEqual(differing, 0, "m \(m) \(epilogue): outputs of run \(r) (threads \(r / 2 + 1), plain \(r % 2 == 1)) differing from run 0")
                }
                // Without an adapter the accumulate epilogue is y_old + reference, exactly.
                if epilogue == .accumulate {
                    let ref = Self.reference(c.p)
                    var checked = 0, differing = 0
                    for i in 0..<m where c.adapters[i] < 0 || Int(c.adapters[i]) >= c.count {
                        for j in 0..<n where Float(bitPattern: results[0][i * n + j]) != c.old[i * n + j] + ref.value[i * n + j] {
                            differing += 1
                        }
                        checked += n
                    }
                    XCTAssertGreaterThan(checked, 0)
                    XCTAssertEqual(differing, 0, "m \(m): rows without an adapter differing from y_old + the integer reference")
                }
            }
        }
    }

    /// Products started from several threads at once: one gets the pool, the others run as a single
    /// part on their own thread (the quantization barrier must not wait for parts that never run).
    func testConcurrentCallersGetTheSameBits() throws {
        let p = Problem(m: 50, n: 150, k: 307, dtype: .f32, seed: 640)
        let w = try Self.pack(p)
        var want = [Float](repeating: 0, count: p.m * p.n)
        FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &want, options: .plainReference)
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var values: [Int: [Float]] = [:]
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            var y = [Float](repeating: .nan, count: p.m * p.n)
            for _ in 0..<20 { FastKernels.gemm(x: p.x, m: p.m, w: w, bias: p.bias, into: &y) }
            results.lock.lock(); results.values[i] = y; results.lock.unlock()
        }
        XCTAssertEqual(results.values.count, 8)
        for (i, y) in results.values {
            XCTAssertEqual(zip(y, want).filter { $0.bitPattern != $1.bitPattern }.count, 0, "caller \(i)")
        }
    }
}
