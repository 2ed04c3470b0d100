import Foundation
import LoupeNumerics

/// `loupe bench --case gemm`: the packed-weight GEMM of CKernels against OpenBLAS sgemm on the
/// jina-v3 layer shapes (Wqkv 3072×1024, out_proj 1024×1024, fc1 4096×1024, fc2 1024×4096),
/// for several token counts and 1 / 2 threads. Each line: `gflops` = CKernels with bf16 weights,
/// `sgemm_gflops` = OpenBLAS on the same product with f32 weights, `efficiency` = their ratio.
/// Extra key `lossy_gflops`: the optional lossy bf16 dot-product path (`.bf16LossyDot`).
/// Timings are the best of a few alternating rounds, which damps noise from other processes.
enum KernelBenchmark {
    /// (out features N, in features K) of the four Linear layers of a jina-v3 block.
    static let layerShapes: [(name: String, n: Int, k: Int)] = [
        ("qkv", 3072, 1024), ("out", 1024, 1024), ("fc1", 4096, 1024), ("fc2", 1024, 4096),
    ]
    static let tokenCounts = [16, 128, 512, 4096]

    static func run() -> [BenchLine] {
        run(tokenCounts: tokenCounts, threadCounts: [1, 2])
    }

    static func run(tokenCounts: [Int], threadCounts: [Int]) -> [BenchLine] {
        let savedKernelThreads = FastKernels.threads, savedBLASThreads = BLAS.threads
        defer { FastKernels.threads = savedKernelThreads; BLAS.threads = savedBLASThreads }
        let maxM = tokenCounts.max() ?? 1
        var rng = SplitMix(seed: 42)
        var lines: [BenchLine] = []
        for shape in layerShapes {
            let (n, k) = (shape.n, shape.k)
            // Weights exactly representable in bf16, so both sides multiply the same numbers.
            let bits: [UInt16] = (0..<(n * k)).map { _ in UInt16(Float(rng.unit() - 0.5).bitPattern >> 16) }
            let wf32 = bits.map { Float(bitPattern: UInt32($0) << 16) }
            guard let packed = try? PackedWeights(bits: bits, dtype: .bf16, rows: n, cols: k),
                  let lossy = try? PackedWeights(bits: bits, dtype: .bf16LossyDot, rows: n, cols: k) else {
                lines.append(BenchLine(name: "gemm \(shape.name)", seconds: 0, note: "could not pack weights"))
                continue
            }
            let x: [Float] = (0..<(maxM * k)).map { _ in Float(rng.unit() - 0.5) }
            var y = [Float](repeating: 0, count: maxM * n)
            for threads in threadCounts {
                FastKernels.threads = threads
                BLAS.threads = threads
                for m in tokenCounts {
                    let flops = 2.0 * Double(m) * Double(n) * Double(k)
                    let reps = max(1, Int(1.5e9 / flops))
                    var best = (ours: Double.infinity, blas: Double.infinity, lossy: Double.infinity)
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            wf32.withUnsafeBufferPointer { wp in
                                for _ in 0..<4 {
                                    let (_, t0) = measure {
                                        for _ in 0..<reps {
                                            FastKernels.gemm(x: xp.baseAddress!, m: m, w: packed, bias: nil,
                                                         into: yp.baseAddress!)
                                        }
                                    }
                                    let (_, t1) = measure {
                                        for _ in 0..<reps {
                                            BLAS.sgemm(m: m, n: n, k: k, a: xp.baseAddress!, lda: k,
                                                       b: wp.baseAddress!, ldb: k, transB: true,
                                                       c: yp.baseAddress!, ldc: n)
                                        }
                                    }
                                    let (_, t2) = measure {
                                        for _ in 0..<reps {
                                            FastKernels.gemm(x: xp.baseAddress!, m: m, w: lossy, bias: nil,
                                                             into: yp.baseAddress!)
                                        }
                                    }
                                    best = (min(best.ours, t0 / Double(reps)), min(best.blas, t1 / Double(reps)),
                                            min(best.lossy, t2 / Double(reps)))
                                }
                            }
                        }
                    }
                    lines.append(BenchLine(
                        name: "gemm \(shape.name) \(m)x\(n)x\(k) t\(threads)",
                        seconds: best.ours,
                        gflops: flops / best.ours / 1e9,
                        sgemmGflops: flops / best.blas / 1e9,
                        peakRSSBytes: peakRSSBytes(),
                        extra: [("threads", Double(threads)), ("m", Double(m)), ("n", Double(n)), ("k", Double(k)),
                                ("lossy_gflops", flops / best.lossy / 1e9)],
                        note: FastKernels.hasAVX512 ? "bf16 weights, AVX-512" : "bf16 weights, plain C (no AVX-512)"))
                }
            }
        }
        return lines
    }
}

/// Small deterministic generator so the benchmark needs nothing from the test targets.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
