import Foundation
import Numerics

/// A batch packed without padding: rows concatenated, each row attends only to itself.
/// This is exact (the reference's −10000 mask makes padded keys' weights underflow to 0)
/// and cheaper than padding to the longest row.
struct PackedBatch {
    var ids: [Int32] = []            // [tokens]
    var rows: [Range<Int>] = []      // token range of each row
    var adapters: [Int?] = []        // adapter of each row (nil = no LoRA)
    var tokens: Int { ids.count }
}

extension EmbeddingModel {
    /// Runs the encoder over a packed batch. Returns the last hidden states [tokens, D].
    /// `shouldCancel` is polled between layers; `path` forces the non-AVX-512 kernels (tests).
    func forward(_ batch: PackedBatch, shouldCancel: (() -> Bool)? = nil,
                 path: KernelPath = .automatic) throws -> [Float] {
        let c = config, T = batch.tokens, D = c.hiddenSize, F = c.intermediateSize
        let H = c.numHeads, hd = c.headDim
        guard T > 0 else { return [] }
        let w = weights
        // The blocked AVX-512 attention kernel is written for head dim 64 (jina-v3); other
        // shapes and machines without AVX-512 use the BLAS path.
        let fastAttention = hd == 64 && !path.useFallback
        let loraPerToken = w.layers.map { max($0.qkv.scratchPerToken, $0.outProj.scratchPerToken,
                                               $0.fc1.scratchPerToken, $0.fc2.scratchPerToken) }.max() ?? 0

        var x = [Float](repeating: 0, count: T * D)                               // [T, D] residual stream
        let qkv = UnsafeMutablePointer<Float>.allocate(capacity: T * 3 * D)       // [T, 3D]
        let ctx = UnsafeMutablePointer<Float>.allocate(capacity: T * D)           // [T, D]
        let h = UnsafeMutablePointer<Float>.allocate(capacity: T * F)             // [T, F]
        let lora = UnsafeMutablePointer<Float>.allocate(capacity: max(1, T * loraPerToken))  // [T, n·r]
        let rowAdapters = UnsafeMutablePointer<Int32>.allocate(capacity: T)       // [T] adapter per token
        defer { qkv.deallocate(); ctx.deallocate(); h.deallocate(); lora.deallocate(); rowAdapters.deallocate() }
        rowAdapters.initialize(repeating: -1, count: T)
        for (r, a) in zip(batch.rows, batch.adapters) { if let a { (rowAdapters + r.lowerBound).update(repeating: Int32(a), count: r.count) } }
        let adapters = RowAdapters(rows: rowAdapters, any: batch.adapters.contains { $0 != nil })

        try x.withUnsafeMutableBufferPointer { xb in
            let xp = xb.baseAddress!
            embed(batch, into: xp)
            w.embNorm.apply(xp, rows: T)

            let maxLen = batch.rows.map(\.count).max() ?? 0
            let tables = c.positions == .rotary
                ? Kernels.ropeTables(start: 0, count: maxLen, headDim: hd, base: c.rotaryBase) : nil
            for layer in w.layers {
                if shouldCancel?() == true { throw ModelError.cancelled }
                layer.qkv.forward(xp, tokens: T, adapters: adapters, into: qkv, scratch: lora, path: path)
                if let tables { Self.rotate(qkv, rows: batch.rows, tokens: T, heads: H, headDim: hd, tables: tables) }
                if fastAttention {
                    for r in batch.rows {
                        let base = qkv + r.lowerBound * 3 * D
                        FastKernels.attention(q: base, k: base + D, v: base + 2 * D, ld: 3 * D, seq: r.count, heads: H,
                                              validKeys: r.count, scale: 1 / Float(hd).squareRoot(),
                                              out: ctx + r.lowerBound * D, ldo: D)
                    }
                } else {
                    Attention.run(qkv: qkv, rows: batch.rows, heads: H, headDim: hd, into: ctx)
                }
                // Post-LN block with the residual adds fused into the products' epilogues:
                layer.outProj.forward(ctx, tokens: T, adapters: adapters, into: xp, epilogue: .accumulate,
                                      scratch: lora, path: path)                 // x += attn
                layer.norm1.apply(xp, rows: T)                                   // x = LN(x)
                layer.fc1.forward(xp, tokens: T, adapters: adapters, into: h, epilogue: .gelu,
                                  scratch: lora, path: path)                     // h = GELU(x·W1ᵀ + b1)
                layer.fc2.forward(h, tokens: T, adapters: adapters, into: xp, epilogue: .accumulate,
                                  scratch: lora, path: path)                     // x += mlp
                layer.norm2.apply(xp, rows: T)                                   // x = LN(x)
            }
        }
        return x
    }

    /// RoPE on Q and K (adjacent in qkv, so 2H heads in one pass), split over the cores by
    /// tokens; position = token index inside its row.
    private static func rotate(_ qkv: UnsafeMutablePointer<Float>, rows: [Range<Int>], tokens: Int, heads: Int,
                               headDim hd: Int, tables: (cos: [Float], sin: [Float])) {
        let ld = 3 * heads * hd, half = hd / 2
        tables.cos.withUnsafeBufferPointer { cp in
            tables.sin.withUnsafeBufferPointer { sp in
                FastKernels.parallelChunks(tokens, minPerPart: 8) { span in
                    for r in rows where r.overlaps(span) {
                        let lo = max(r.lowerBound, span.lowerBound), hi = min(r.upperBound, span.upperBound)
                        let pos = lo - r.lowerBound
                        Kernels.rope(qkv + lo * ld, rows: hi - lo, ld: ld, heads: 2 * heads, headDim: hd,
                                     cos: cp.baseAddress! + pos * half, sin: sp.baseAddress! + pos * half)
                    }
                }
            }
        }
    }

    /// x[i] = word(id) + tokenType(0) (+ position), each with the row's LoRA. x: [T, D], zeroed.
    private func embed(_ batch: PackedBatch, into x: UnsafeMutablePointer<Float>) {
        let D = config.hiddenSize, w = weights
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: D)
        defer { scratch.deallocate() }
        for (r, adapter) in zip(batch.rows, batch.adapters) {
            for i in r {
                let dst = x + i * D
                w.word.addRow(Int(batch.ids[i]), adapter: adapter, into: dst, scratch: scratch)
                w.tokenType?.addRow(0, adapter: adapter, into: dst, scratch: scratch)
                if let pos = w.position {
                    pos.widenRows((i - r.lowerBound + config.positionOffset)..<(i - r.lowerBound + config.positionOffset + 1),
                                  into: scratch)
                    Kernels.add(dst, scratch, count: D)
                }
            }
        }
    }

    /// Pools each row of hidden states [T, D]: mean over the row's tokens (or its first token).
    func pool(_ states: [Float], rows: [Range<Int>]) -> [[Float]] {
        let D = config.hiddenSize
        return rows.map { r in
            var v = [Float](repeating: 0, count: D)
            if config.poolingMode == "cls" {
                for j in 0..<D { v[j] = states[r.lowerBound * D + j] }
                return v
            }
            for i in r { for j in 0..<D { v[j] += states[i * D + j] } }
            let inv = 1 / Float(max(r.count, 1))
            for j in 0..<D { v[j] *= inv }
            return v
        }
    }
}

/// Masked multi-head attention over packed rows with OpenBLAS (head dims other than 64, machines
/// without AVX-512; `FastKernels.attention` otherwise), per head, in blocks of queries: the score
/// block is [queries in block, row length], never heads × S × S (an 8192-token row needs
/// 128 × 8192 floats = 4 MB of scores at a time).
enum Attention {
    /// qkv: [T, 3D] (Q | K | V, head h at h·hd); ctx: [T, D].
    static func run(qkv: UnsafeMutablePointer<Float>, rows: [Range<Int>], heads: Int, headDim hd: Int,
                    into ctx: UnsafeMutablePointer<Float>) {
        let D = heads * hd, ld = 3 * D
        let scale = 1 / Float(hd).squareRoot()
        let maxLen = rows.map(\.count).max() ?? 0
        guard maxLen > 0 else { return }
        let block = max(16, min(maxLen, (1 << 20) / maxLen))
        // One score buffer per worker; work items are (row, head) pairs.
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: Parallel.workers * block * maxLen)
        defer { scores.deallocate() }
        Parallel.items(rows.count * heads) { worker, item in
            let r = rows[item / heads], head = item % heads
            let L = r.count
            let base = qkv + r.lowerBound * ld
            let s = scores + worker * block * maxLen
            let q = base + head * hd, k = base + D + head * hd, v = base + 2 * D + head * hd
            var q0 = 0
            while q0 < L {
                let nq = min(block, L - q0)
                // scores [nq, L] = Q_blk · Kᵀ
                BLAS.sgemm(m: nq, n: L, k: hd, a: q + q0 * ld, lda: ld, b: k, ldb: ld, transB: true, c: s, ldc: L)
                Kernels.softmax(s, rows: nq, cols: L, ld: L, scale: scale)
                // ctx_blk [nq, hd] = P · V
                BLAS.sgemm(m: nq, n: hd, k: L, a: s, lda: L, b: v, ldb: ld, transB: false,
                            c: ctx + (r.lowerBound + q0) * D + head * hd, ldc: D)
                q0 += nq
            }
        }
    }
}
