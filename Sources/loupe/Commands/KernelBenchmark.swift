import Foundation
import Numerics

/// `loupe bench --case gemm`: the packed-weight GEMM of CKernels against OpenBLAS sgemm on the
/// jina-v3 layer shapes (Wqkv 3072×1024, out_proj 1024×1024, fc1 4096×1024, fc2 1024×4096),
/// for several token counts and 1 / 2 threads. Each line: `gflops` = CKernels with bf16 weights,
/// `sgemm_gflops` = OpenBLAS on the same product with f32 weights, `efficiency` = their ratio.
/// Extra keys: `panels_gflops` (the exact kernel with the widened-panel shape; `gflops` is the shape
/// this machine picks, `shape`), `lossy_gflops` (bf16 dot products, `.bf16LossyDot`) and
/// `int8_gops` (int8 products, `.int8`, activations quantized inside the call; 2 ops per multiply-add).
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
        let savedKernelThreads = FastKernels.threads, savedBLASThreads = BLAS.threads, savedShape = FastKernels.gemmShape
        defer { FastKernels.threads = savedKernelThreads; BLAS.threads = savedBLASThreads; FastKernels.gemmShape = savedShape }
        let maxM = tokenCounts.max() ?? 1
        var rng = SplitMix(seed: 42)
        var lines: [BenchLine] = []
        for shape in layerShapes {
            let (n, k) = (shape.n, shape.k)
            // Weights exactly representable in bf16, so both sides multiply the same numbers.
            let bits: [UInt16] = (0..<(n * k)).map { _ in UInt16(Float(rng.unit() - 0.5).bitPattern >> 16) }
            let wf32 = bits.map { Float(bitPattern: UInt32($0) << 16) }
            guard let packed = try? PackedWeights(bits: bits, dtype: .bf16, rows: n, cols: k),
                  let lossy = try? PackedWeights(bits: bits, dtype: .bf16LossyDot, rows: n, cols: k),
                  let int8 = try? bits.withUnsafeBytes({ try PackedWeights(quantizing: $0.baseAddress!, from: .bf16, rows: n, cols: k) })
            else {
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
                    // ours (the machine's shape), OpenBLAS, lossy bf16, int8, ours with widened panels
                    var best = [Double](repeating: .infinity, count: 5)
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            wf32.withUnsafeBufferPointer { wp in
                                func time(_ variant: Int) -> Double {
                                    measure {
                                        for _ in 0..<reps {
                                            switch variant {
                                            case 1:
                                                BLAS.sgemm(m: m, n: n, k: k, a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: k,
                                                           transB: true, c: yp.baseAddress!, ldc: n)
                                            default:
                                                let w = variant == 2 ? lossy : variant == 3 ? int8 : packed
                                                FastKernels.gemm(x: xp.baseAddress!, m: m, w: w, bias: nil, into: yp.baseAddress!)
                                            }
                                        }
                                    }.1 / Double(reps)
                                }
                                for _ in 0..<4 {
                                    for variant in 0..<5 {
                                        FastKernels.gemmShape = variant == 4 ? .widenedPanels : .automatic
                                        best[variant] = min(best[variant], time(variant))
                                    }
                                    FastKernels.gemmShape = .automatic
                                }
                            }
                        }
                    }
                    lines.append(BenchLine(
                        name: "gemm \(shape.name) \(m)x\(n)x\(k) t\(threads)",
                        seconds: best[0],
                        gflops: flops / best[0] / 1e9,
                        sgemmGflops: flops / best[1] / 1e9,
                        peakRSSBytes: peakRSSBytes(),
                        extra: [("threads", Double(threads)), ("m", Double(m)), ("n", Double(n)), ("k", Double(k)),
                                ("panels_gflops", flops / best[4] / 1e9), ("lossy_gflops", flops / best[2] / 1e9),
                                ("int8_gops", flops / best[3] / 1e9)],
                        note: (FastKernels.hasAVX512 ? "bf16 weights, AVX-512, shape \(FastKernels.defaultGemmShape.rawValue)"
                                                     : "bf16 weights, plain C (no AVX-512)")
                            + String(format: "; panels %.0f, lossy %.0f GFLOP/s, int8 %.0f GOP/s",
                                     flops / best[4] / 1e9, flops / best[2] / 1e9, flops / best[3] / 1e9)))
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
