import Foundation
import Numerics
import SafeTensors

/// An embedding-style table [rows, cols], row-major, read by row gathers: kept widened to Float
/// or in its 16-bit checkpoint form (bf16 / f16 bit patterns) and widened row by row where used.
/// (Linear layers use `PackedWeights` instead.)
struct WeightMatrix: @unchecked Sendable {
    enum Storage {
        case f32([Float])
        case bf16([UInt16])
        case f16([UInt16])
        /// 16-bit rows read in place from the memory-mapped checkpoint (bit patterns, not necessarily
        /// aligned; `file` keeps the mapping alive): only the pages of rows a text uses become resident
        /// (jina-v3's 250,002 × 1024 word table is 512 MB, a few MB of it for typical text).
        case mapped(UnsafeRawBufferPointer, bf16: Bool, file: SafeTensorsFile)
    }
    let rows: Int
    let cols: Int
    let storage: Storage

    var is16Bit: Bool { if case .f32 = storage { return false } else { return true } }
    /// Bytes the table takes in memory (a mapped table: none until its rows are read).
    var bytes: Int {
        if case .mapped = storage { return 0 }
        return rows * cols * (is16Bit ? 2 : 4)
    }

    /// Widens rows `range` into dst [range.count, cols].
    func widenRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        let n = range.count * cols, off = range.lowerBound * cols
        switch storage {
        case .f32(let a): a.withUnsafeBufferPointer { dst.update(from: $0.baseAddress! + off, count: n) }
        case .bf16(let a): a.withUnsafeBufferPointer { HalfFloat.bf16ToF32($0.baseAddress! + off, dst, count: n) }
        case .f16(let a): a.withUnsafeBufferPointer { HalfFloat.f16ToF32($0.baseAddress! + off, dst, count: n) }
        case .mapped(let raw, let bf16, _):
            withUnsafeTemporaryAllocation(of: UInt16.self, capacity: n) { bits in
                UnsafeMutableRawPointer(bits.baseAddress!).copyMemory(from: raw.baseAddress! + 2 * off, byteCount: 2 * n)
                if bf16 { HalfFloat.bf16ToF32(bits.baseAddress!, dst, count: n) } else { HalfFloat.f16ToF32(bits.baseAddress!, dst, count: n) }
            }
        }
    }
}

/// Low-rank task adapters of one Linear, y += scaling·(x·A[t]ᵀ)·B[t]ᵀ, packed at load:
/// `downT` is every A transposed ([n][in][r] f32), from which `FastKernels.loraDown` computes each
/// token's own adapter only (rank 4); `down` stacks every adapter's A ([n·r, in], one 32-row panel
/// for jina's 5 × 4) for the BLAS fallback and other ranks, where one product gives x·A[t]ᵀ for all
/// adapters. `up[t]` is B[t] [out, r], read by the base product's epilogue. `down` stays 16-bit when
/// A's values are bf16 (the published checkpoint stores adapters in bf16); B is f32 (small).
struct LinearLoRA: Sendable {
    let count: Int            // n adapters
    let rank: Int             // r
    let down: PackedWeights   // [n·r, in]: the BLAS fallback's stacked product
    let downT: [Float]        // [n][in][r]: A transposed, for FastKernels.loraDown (each row its own adapter)
    let up: [PackedWeights]   // n × [out, r]
    let scaling: Float

    /// a: [n, r, in], b: [n, out, r] as in the checkpoint (f32 after widening; small).
    init(count: Int, rank: Int, a: [Float], b: [Float], inFeatures: Int, outFeatures: Int, scaling: Float) throws {
        self.count = count; self.rank = rank; self.scaling = scaling
        if a.allSatisfy({ $0.bitPattern & 0xffff == 0 }) {  // exactly bf16: keep 2 bytes per value
            down = try PackedWeights(bits: a.map { UInt16($0.bitPattern >> 16) }, dtype: .bf16,
                                     rows: count * rank, cols: inFeatures)
        } else {
            down = try PackedWeights(f32: a, rows: count * rank, cols: inFeatures)
        }
        var downT = [Float](repeating: 0, count: count * inFeatures * rank)
        for t in 0..<count {
            for q in 0..<rank {
                for c in 0..<inFeatures { downT[(t * inFeatures + c) * rank + q] = a[(t * rank + q) * inFeatures + c] }
            }
        }
        self.downT = downT
        up = try (0..<count).map { t in
            try PackedWeights(f32: Array(b[(t * outFeatures * rank)..<((t + 1) * outFeatures * rank)]),
                              rows: outFeatures, cols: rank)
        }
    }
}

/// Which kernels the encoder uses: the packed AVX-512 kernels, or the path of machines without
/// AVX-512 (weights widened tile by tile into OpenBLAS sgemm, BLAS attention). Both are exact up
/// to summation order; `.automatic` picks by CPU. Tests force `.fallback` to cover that path.
enum KernelPath: Sendable {
    case automatic, fallback
    var useFallback: Bool { self == .fallback || !FastKernels.hasAVX512 }
}

/// What a Linear does with its output buffer.
enum LinearEpilogue {
    case store        // y = x·Wᵀ + b (+ LoRA)
    case accumulate   // y = y_old + (x·Wᵀ + b + LoRA): residual connections
    case gelu         // y = GELU(x·Wᵀ + b + LoRA)
}

/// The task adapter of every packed token (−1: none), shared by all Linears of a forward pass.
struct RowAdapters {
    let rows: UnsafePointer<Int32>   // [tokens]
    let any: Bool                    // some token has an adapter
}

/// y = x·Wᵀ + bias (+ LoRA per token). Every weight product of the encoder goes through
/// `forward` → `FastKernels.gemm` (packed 16-bit weights widened in registers).
struct Linear: Sendable {
    let weight: PackedWeights   // [out, in], checkpoint dtype
    let bias: [Float]?          // [out]
    let lora: LinearLoRA?
    var outFeatures: Int { weight.rows }
    var inFeatures: Int { weight.cols }

    /// Floats of LoRA scratch `forward` needs per token.
    var scratchPerToken: Int { lora.map { $0.count * $0.rank } ?? 0 }

    /// x [tokens, in] → y [tokens, out]. Token i uses adapter `adapters.rows[i]` (none when
    /// negative), so one batch may mix tasks: the base product runs once over all tokens, the
    /// down-projection t = scaling · x·A[t]ᵀ once per token for its own adapter (`loraDown`; the
    /// fallback: one stacked product for every adapter), and each token's rank-r up-projection
    /// inside the base product's epilogue — before the GELU and before the residual add.
    /// `scratch`: at least tokens × `scratchPerToken` floats.
    func forward(_ x: UnsafePointer<Float>, tokens: Int, adapters: RowAdapters,
                 into y: UnsafeMutablePointer<Float>, epilogue: LinearEpilogue = .store,
                 scratch: UnsafeMutablePointer<Float>, path: KernelPath = .automatic) {
        guard tokens > 0 else { return }
        var options: FastKernels.Options = path == .fallback ? .blasFallback : []
        switch epilogue {
        case .store: break
        case .accumulate: options.insert(.accumulate)
        case .gelu: options.insert(.gelu)
        }
        var fused: FastKernels.FusedLoRA?
        if let lora, adapters.any {
            let nr = lora.count * lora.rank
            if path.useFallback || lora.rank != 4 {   // loraDown's AVX-512 tile is rank 4 (jina's)
                FastKernels.gemm(x: x, m: tokens, w: lora.down, bias: nil, into: scratch,
                                 options: path == .fallback ? .blasFallback : [])
                for i in 0..<(tokens * nr) { scratch[i] *= lora.scaling }
            } else {
                lora.downT.withUnsafeBufferPointer {
                    FastKernels.loraDown(x: x, m: tokens, ldx: inFeatures, k: inFeatures, at: $0.baseAddress!,
                                         count: lora.count, rank: lora.rank, adapters: adapters.rows,
                                         scaling: lora.scaling, into: scratch, ldt: nr)
                }
            }
            fused = FastKernels.FusedLoRA(t: scratch, ldt: nr, rank: lora.rank, adapters: adapters.rows, up: lora.up)
        }
        if let bias {
            bias.withUnsafeBufferPointer { FastKernels.gemm(x: x, m: tokens, w: weight, bias: $0.baseAddress, lora: fused,
                                                            into: y, options: options) }
        } else {
            FastKernels.gemm(x: x, m: tokens, w: weight, bias: nil, lora: fused, into: y, options: options)
        }
    }
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

    /// In-place LayerNorm of x [rows, D], rows split over the cores.
    func apply(_ x: UnsafeMutablePointer<Float>, rows: Int) {
        let n = gamma.count
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                FastKernels.parallelChunks(rows, minPerPart: 8) { rs in
                    Kernels.layerNorm(x + rs.lowerBound * n, rows: rs.count, cols: n, gamma: g.baseAddress!,
                                      beta: b.baseAddress!, eps: eps)
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
        for l in layers { for lin in [l.qkv, l.outProj, l.fc1, l.fc2] { b += lin.weight.bytes } }  // packed storage
        return b
    }
}
