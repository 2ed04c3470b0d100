import Foundation
import Numerics

/// A weight matrix [rows, cols], row-major, kept either widened to Float or in its 16-bit
/// checkpoint form (bf16 / f16 bit patterns) and widened tile by tile where it is used.
/// bf16 → f32 is exact, so both forms give identical results.
struct WeightMatrix: @unchecked Sendable {
    enum Storage {
        case f32([Float])
        case bf16([UInt16])
        case f16([UInt16])
    }
    let rows: Int
    let cols: Int
    let storage: Storage

    var is16Bit: Bool { if case .f32 = storage { return false } else { return true } }
    var bytes: Int { rows * cols * (is16Bit ? 2 : 4) }

    /// Widens rows `range` into dst [range.count, cols].
    func widenRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        let n = range.count * cols, off = range.lowerBound * cols
        switch storage {
        case .f32(let a): a.withUnsafeBufferPointer { dst.update(from: $0.baseAddress! + off, count: n) }
        case .bf16(let a): a.withUnsafeBufferPointer { HalfFloat.bf16ToF32($0.baseAddress! + off, dst, count: n) }
        case .f16(let a): a.withUnsafeBufferPointer { HalfFloat.f16ToF32($0.baseAddress! + off, dst, count: n) }
        }
    }

    /// Converts 16-bit storage to Float once (weights prepared at load, not per call).
    func widened() -> WeightMatrix {
        guard is16Bit else { return self }
        var out = [Float](repeating: 0, count: rows * cols)
        out.withUnsafeMutableBufferPointer { widenRows(0..<rows, into: $0.baseAddress!) }
        return WeightMatrix(rows: rows, cols: cols, storage: .f32(out))
    }
}

/// Low-rank task adapters of one Linear: A [n, r, in], B [n, out, r], y += scaling·(x·A[t]ᵀ)·B[t]ᵀ.
struct LinearLoRA: Sendable {
    let count: Int      // n adapters
    let rank: Int       // r
    let a: [Float]      // [n, r, in]
    let b: [Float]      // [n, out, r]
    let scaling: Float
}

/// y = x·Wᵀ + bias (+ LoRA per adapter segment). Every weight product of the encoder goes
/// through `forward` → `MatMul.gemm`, so a faster kernel can replace it in one place.
struct Linear: Sendable {
    let weight: WeightMatrix   // [out, in]
    let bias: [Float]?         // [out]
    let lora: LinearLoRA?
    var outFeatures: Int { weight.rows }
    var inFeatures: Int { weight.cols }

    /// x [tokens, in] → y [tokens, out]. `segments` give the adapter of contiguous token runs
    /// (nil adapter = no LoRA). The base product runs once over all tokens; the LoRA terms are
    /// rank-r side products per segment, so a batch may mix tasks at no extra base cost.
    func forward(_ x: UnsafePointer<Float>, tokens: Int, segments: [AdapterSegment],
                 into y: UnsafeMutablePointer<Float>) {
        let out = outFeatures, inn = inFeatures
        switch weight.storage {
        case .f32(let w):
            w.withUnsafeBufferPointer { wp in
                MatMul.gemm(m: tokens, n: out, k: inn, a: x, lda: inn, b: wp.baseAddress!, ldb: inn, transB: true,
                            c: y, ldc: out)
            }
        default:
            // Widen a tile of output rows at a time: scratch stays small (≤ 4 MB).
            let tile = max(16, min(out, (1 << 20) / max(inn, 1)))
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: tile * inn)
            defer { scratch.deallocate() }
            var r0 = 0
            while r0 < out {
                let nr = min(tile, out - r0)
                weight.widenRows(r0..<(r0 + nr), into: scratch)
                MatMul.gemm(m: tokens, n: nr, k: inn, a: x, lda: inn, b: scratch, ldb: inn, transB: true,
                            c: y + r0, ldc: out)
                r0 += nr
            }
        }
        if let bias { bias.withUnsafeBufferPointer { Kernels.addBias(y, rows: tokens, cols: out, bias: $0.baseAddress!) } }
        guard let lora else { return }
        let r = lora.rank
        let tmp = UnsafeMutablePointer<Float>.allocate(capacity: max(1, tokens * r))
        defer { tmp.deallocate() }
        lora.a.withUnsafeBufferPointer { ap in
            lora.b.withUnsafeBufferPointer { bp in
                for seg in segments {
                    guard let t = seg.adapter, t < lora.count, !seg.tokens.isEmpty else { continue }
                    let n = seg.tokens.count, s = seg.tokens.lowerBound
                    // tmp [n, r] = x_seg · A[t]ᵀ
                    MatMul.gemm(m: n, n: r, k: inn, a: x + s * inn, lda: inn, b: ap.baseAddress! + t * r * inn, ldb: inn,
                                transB: true, c: tmp, ldc: r)
                    // y_seg += scaling · tmp · B[t]ᵀ
                    MatMul.gemm(m: n, n: out, k: r, a: tmp, lda: r, b: bp.baseAddress! + t * out * r, ldb: r,
                                transB: true, c: y + s * out, ldc: out, alpha: lora.scaling, beta: 1)
                }
            }
        }
    }
}

/// A run of packed tokens that share one task adapter.
struct AdapterSegment: Sendable, Equatable {
    var tokens: Range<Int>
    var adapter: Int?
}

/// An embedding table [rows, dim] with optional LoRA: A [n, rows, r], B [n, r, dim];
/// row(id, t) = W[id] + scaling · A[t][id] · B[t]  (row gathers, never a merged table).
struct EmbeddingTable: Sendable {
    let table: WeightMatrix
    let loraA: [Float]?
    let loraB: [Float]?
    let loraCount: Int
    let rank: Int
    let scaling: Float
    var dim: Int { table.cols }

    /// dst[0..<dim] += row(id, adapter).
    func addRow(_ id: Int, adapter: Int?, into dst: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let d = dim
        table.widenRows(id..<(id + 1), into: scratch)
        if let t = adapter, t < loraCount, let la = loraA, let lb = loraB {
            for k in 0..<rank {
                let coef = scaling * la[(t * table.rows + id) * rank + k]
                let bRow = (t * rank + k) * d
                for j in 0..<d { scratch[j] += coef * lb[bRow + j] }
            }
        }
        for j in 0..<d { dst[j] += scratch[j] }
    }
}

struct LayerNormWeights: Sendable {
    let gamma: [Float]
    let beta: [Float]
    let eps: Float

    func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, residual: UnsafePointer<Float>? = nil) {
        let n = gamma.count
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                Parallel.chunks(rows, minPerWorker: 16) { rs in
                    let xs = x + rs.lowerBound * n
                    if let residual {
                        Kernels.addLayerNorm(xs, residual: residual + rs.lowerBound * n, rows: rs.count, cols: n,
                                             gamma: g.baseAddress!, beta: b.baseAddress!, eps: eps)
                    } else {
                        Kernels.layerNorm(xs, rows: rs.count, cols: n, gamma: g.baseAddress!, beta: b.baseAddress!, eps: eps)
                    }
                }
            }
        }
    }
}

/// One post-LN transformer block. BERT's separate q/k/v are fused into `qkv` at load.
struct EncoderLayer: Sendable {
    let qkv: Linear        // [3D, D]: Q rows [0, D), K [D, 2D), V [2D, 3D)
    let outProj: Linear    // [D, D]
    let norm1: LayerNormWeights
    let fc1: Linear        // [F, D]
    let fc2: Linear        // [D, F]
    let norm2: LayerNormWeights
}

struct ModelWeights: Sendable {
    let word: EmbeddingTable             // [vocab, D]
    let tokenType: EmbeddingTable?       // [typeVocab, D]
    let position: WeightMatrix?          // [maxPositions, D] (absolute models)
    let embNorm: LayerNormWeights
    let layers: [EncoderLayer]

    var bytes: Int {
        var b = word.table.bytes + (tokenType?.table.bytes ?? 0) + (position?.bytes ?? 0)
        for l in layers { for lin in [l.qkv, l.outProj, l.fc1, l.fc2] { b += lin.weight.bytes } }
        return b
    }
}
