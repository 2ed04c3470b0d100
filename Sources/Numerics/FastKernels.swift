import CKernels

/// A Linear layer's weight W[rows = out features, cols = in features] (the PyTorch layout),
/// packed once (at model load) into the GEMM's panel layout. Storage stays in the source dtype:
/// 2 bytes per weight for bf16 / f16 (widened exactly to f32 inside the kernel), 4 for f32.
/// Immutable after init, so it can be shared between threads.
public final class PackedWeights: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    public let dtype: WeightDType
    let handle: OpaquePointer

    /// Packs `rows × cols` elements read from `pointer` (row-major, `rowStride` elements between
    /// rows, default `cols`). bf16 / f16 elements are raw 16-bit patterns (e.g. straight from a
    /// memory-mapped safetensors file); the source can be released afterwards.
    public init(pointer: UnsafeRawPointer, dtype: WeightDType, rows: Int, cols: Int,
                rowStride: Int? = nil) throws(KernelError) {
        let stride = rowStride ?? cols
        guard rows > 0, cols > 0, stride >= cols else {
            throw .invalidShape(rows: rows, cols: cols, rowStride: stride, elements: nil)
        }
        guard let h = loupe_weights_pack(dtype.c, pointer, rows, cols, stride) else {
            // Shape was checked above, so the only failure left is the allocation.
            throw .allocationFailed(bytes: (rows + 63) / 64 * 64 * cols * dtype.size)
        }
        self.rows = rows
        self.cols = cols
        self.dtype = dtype
        self.handle = h
    }

    /// Quantizes `rows × cols` weights read from `pointer` (dtype `source`: `.f32`, `.bf16` or `.f16`,
    /// row stride `rowStride`, default `cols`) to `.int8`: per row, scale = max|w| / 127 and
    /// q = round(w · 127 / max|w|) (nearest even). The source can be released afterwards.
    public init(quantizing pointer: UnsafeRawPointer, from source: WeightDType, rows: Int, cols: Int,
                rowStride: Int? = nil) throws(KernelError) {
        let stride = rowStride ?? cols
        guard rows > 0, cols > 0, stride >= cols, [.f32, .bf16, .f16].contains(source) else {
            throw .invalidShape(rows: rows, cols: cols, rowStride: stride, elements: nil)
        }
        guard let h = loupe_weights_pack_int8(source.c, pointer, rows, cols, stride) else {
            throw .allocationFailed(bytes: (rows + 63) / 64 * 64 * cols)
        }
        self.rows = rows
        self.cols = cols
        self.dtype = .int8
        self.handle = h
    }

    /// f32 weights (e.g. MiniLM), `values.count == rows * cols`.
    public convenience init(f32 values: [Float], rows: Int, cols: Int) throws(KernelError) {
        guard values.count == rows * cols, !values.isEmpty else {
            throw .invalidShape(rows: rows, cols: cols, rowStride: cols, elements: values.count)
        }
        var result: Result<OpaquePointer, KernelError> = .failure(.allocationFailed(bytes: 0))
        values.withUnsafeBytes { buf in
            result = Self.pack(buf.baseAddress!, .f32, rows, cols)
        }
        try self.init(handle: result.get(), dtype: .f32, rows: rows, cols: cols)
    }

    /// 16-bit weights given as their bit patterns (`dtype` is `.bf16` or `.f16`).
    public convenience init(bits: [UInt16], dtype: WeightDType, rows: Int, cols: Int) throws(KernelError) {
        guard dtype != .f32, bits.count == rows * cols, !bits.isEmpty else {
            throw .invalidShape(rows: rows, cols: cols, rowStride: cols, elements: bits.count)
        }
        var result: Result<OpaquePointer, KernelError> = .failure(.allocationFailed(bytes: 0))
        bits.withUnsafeBytes { buf in
            result = Self.pack(buf.baseAddress!, dtype, rows, cols)
        }
        try self.init(handle: result.get(), dtype: dtype, rows: rows, cols: cols)
    }

    private init(handle: OpaquePointer, dtype: WeightDType, rows: Int, cols: Int) {
        self.handle = handle
        self.dtype = dtype
        self.rows = rows
        self.cols = cols
    }

    private static func pack(_ p: UnsafeRawPointer, _ dtype: WeightDType, _ rows: Int, _ cols: Int)
        -> Result<OpaquePointer, KernelError> {
        guard let h = loupe_weights_pack(dtype.c, p, rows, cols, cols) else {
            return .failure(.allocationFailed(bytes: (rows + 63) / 64 * 64 * cols * dtype.size))
        }
        return .success(h)
    }

    deinit { loupe_weights_free(handle) }

    /// Bytes of packed storage (rows rounded up to the panel width, 64 or 32, × cols × element size).
    public var bytes: Int { loupe_weights_bytes(handle) }

    /// W[row, col] widened to f32 (`.int8`: the dequantized q · scale; tests, debugging; not for inner loops).
    public func element(row: Int, col: Int) -> Float {
        precondition(row >= 0 && row < rows && col >= 0 && col < cols, "index out of range")
        return loupe_weights_get(handle, row, col)
    }

    /// `.int8` weights: the stored q of (row, col) and its row's scale (tests).
    public func quantized(row: Int, col: Int) -> (q: Int8, scale: Float) {
        precondition(row >= 0 && row < rows && col >= 0 && col < cols, "index out of range")
        var scale: Float = 0
        let q = loupe_weights_int8(handle, row, col, &scale)
        return (Int8(truncatingIfNeeded: q), scale)
    }
}

/// Matrix products with packed weights (named FastKernels so it sits beside the row-wise
/// `Kernels` of Numerics; CKernels: AVX-512 when the CPU has it, exact plain C
/// otherwise), plus the exact-erf GELU. Every output is the fp32 fma chain over k in ascending
/// order, so results do not depend on the path or the thread count (bit for bit).
///
/// Encoder use (jina-v3 layer, `T` packed tokens):
/// ```
/// // at load, once per Linear (straight from the mmap'd bf16 tensor; drop the source after):
/// let wqkv = try PackedWeights(pointer: p, dtype: .bf16, rows: 3072, cols: 1024)
/// // forward:
/// FastKernels.gemm(x: h, m: T, w: wqkv, bias: bqkv, into: qkv)                  // [T, 3072]
/// // RoPE on q, k; then per sequence s (start, len) of the packed batch:
/// FastKernels.attention(q: qkv + start * 3072, k: qkv + start * 3072 + 1024,
///                       v: qkv + start * 3072 + 2048, ld: 3072, seq: len, heads: 16,
///                       validKeys: len, scale: 0.125, out: ctx + start * 1024, ldo: 1024)
/// FastKernels.gemm(x: ctx, m: T, w: wo, bias: bo, into: h, options: .accumulate) // h += ctx·Woᵀ + b
/// // then LayerNorm(h) (norm1)
/// FastKernels.gemm(x: h, m: T, w: fc1, bias: b1, into: mid, options: .gelu)      // [T, 4096]
/// FastKernels.gemm(x: mid, m: T, w: fc2, bias: b2, into: h, options: .accumulate)
/// ```
/// Task adapters: compute `t = scaling · x·A_allᵀ` with one more gemm, then pass
/// `lora: FusedLoRA(t:…, adapters: per-row adapter, up: B)`; the epilogue adds the rank-r term
/// before the activation (so GELU sees it) and before the residual add.
public enum FastKernels {
    public struct Options: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// y = y_old + result (residual add) instead of y = result.
        public static let accumulate = Options(rawValue: Int32(LOUPE_GEMM_ACCUMULATE))
        /// Apply exact-erf GELU to (x·Wᵀ + bias), before `accumulate`.
        public static let gelu = Options(rawValue: Int32(LOUPE_GEMM_GELU))
        /// y = act(x·Wᵀ + bias + y_old): the old contents (e.g. a LoRA term computed first) are
        /// added before the activation, so `.gelu` can stay fused with an adapter. Not with `.accumulate`.
        public static let addBeforeActivation = Options(rawValue: Int32(LOUPE_GEMM_PREADD))
        /// Use the plain C reference path even on an AVX-512 machine (tests).
        public static let plainReference = Options(rawValue: Int32(LOUPE_GEMM_PLAIN))
        /// Use the path machines without AVX-512 take: weights widened tile by tile, OpenBLAS
        /// sgemm, then the same epilogue (exact up to summation order). Chosen automatically
        /// there; settable to test it anywhere.
        public static let blasFallback = Options(rawValue: 1 << 16)

        /// The bits the C kernels understand.
        var c: Int32 { rawValue & Int32(LOUPE_GEMM_ACCUMULATE | LOUPE_GEMM_GELU | LOUPE_GEMM_PLAIN | LOUPE_GEMM_PREADD) }
    }

    /// y[m, w.rows] = [y_old +] act(x[m, w.cols] · Wᵀ + bias[w.rows]).
    /// `ldx` / `ldy` are row strides in elements (default: dense). `bias` may be nil.
    /// For the encoder: `Linear(x) = gemm(x, m: tokens, w: W, bias: b, into: y)`;
    /// fc1 + GELU: `options: .gelu`; out_proj / fc2 + residual: write into the residual buffer
    /// with `options: .accumulate` (y = residual + x·Wᵀ + b).
    @inlinable
    public static func gemm(x: UnsafePointer<Float>, m: Int, ldx: Int? = nil, w: PackedWeights,
                            bias: UnsafePointer<Float>?, lora: FusedLoRA? = nil, into y: UnsafeMutablePointer<Float>,
                            ldy: Int? = nil, options: Options = []) {
        let lx = ldx ?? w.cols, ly = ldy ?? w.rows
        precondition(m >= 0 && lx >= w.cols && ly >= w.rows, "gemm: bad strides")
        precondition(!options.isSuperset(of: [.accumulate, .addBeforeActivation]), "gemm: accumulate or add before activation, not both")
        guard m > 0 else { return }
        gemmUnchecked(x, m, lx, w, bias, lora, y, ly, options)
    }

    /// Task adapters fused into a product's epilogue: row i of the product adds, after the bias
    /// and before the activation / accumulate, `Σ_q t[i·ldt + a·rank + q] · up[a][j, q]` for its
    /// adapter `a = adapters[i]` (negative: none). `t` holds `scaling · x·A_allᵀ` for every adapter
    /// side by side; `up[a]` is B_a [out, rank] packed as f32. Replaces a rank-r product and a
    /// pass over y per adapter.
    public struct FusedLoRA {
        public var t: UnsafePointer<Float>
        public var ldt: Int
        public var rank: Int
        public var adapters: UnsafePointer<Int32>
        public var up: [PackedWeights]
        public init(t: UnsafePointer<Float>, ldt: Int, rank: Int, adapters: UnsafePointer<Int32>, up: [PackedWeights]) {
            self.t = t; self.ldt = ldt; self.rank = rank; self.adapters = adapters; self.up = up
        }

        /// Calls body with the C descriptor (valid only inside body).
        @usableFromInline
        func withC<R>(_ body: (UnsafePointer<loupe_lora>) -> R) -> R {
            let handles: [OpaquePointer?] = up.map { $0.handle }
            return handles.withUnsafeBufferPointer { hp in
                var d = loupe_lora(t: t, ldt: ldt, rank: rank, count: up.count, adapter: adapters, up: hp.baseAddress)
                return withUnsafePointer(to: &d) { body($0) }
            }
        }
    }

    /// The task adapters' down-projection for `FusedLoRA.t`, each row only for its own adapter:
    /// `t[i·ldt + a·rank + q] = scaling · Σ_c x[i, c] · at[a][c][q]` for rows whose adapter
    /// `a = adapters[i]` is in `0..<count` (other entries untouched). `at`: every adapter's A
    /// transposed, [count][k][rank]. The same bits as `gemm(x, A_all) · scaling` (one fma chain per
    /// output, k ascending), at a fifth of its work for jina's 5 adapters.
    public static func loraDown(x: UnsafePointer<Float>, m: Int, ldx: Int, k: Int, at: UnsafePointer<Float>,
                                count: Int, rank: Int, adapters: UnsafePointer<Int32>, scaling: Float,
                                into t: UnsafeMutablePointer<Float>, ldt: Int, options: Options = []) {
        let rc = loupe_lora_down(x, m, ldx, k, at, count, rank, adapters, scaling, t, ldt, options.c)
        precondition(rc == 0, "loraDown: bad arguments")
    }

    @usableFromInline
    static func gemmUnchecked(_ x: UnsafePointer<Float>, _ m: Int, _ ldx: Int, _ w: PackedWeights,
                              _ bias: UnsafePointer<Float>?, _ lora: FusedLoRA?, _ y: UnsafeMutablePointer<Float>,
                              _ ldy: Int, _ options: Options) {
        // int8 products have their own plain C path (integer sums), never the widened-weight sgemm.
        let exactPathMissing = !hasAVX512 && w.dtype != .bf16LossyDot && !options.contains(.plainReference)
        if w.dtype != .int8 && (options.contains(.blasFallback) || exactPathMissing) {
            blasGemm(x, m, ldx, w, bias, lora, y, ldy, options)
        } else if let lora {
            let rc = lora.withC { loupe_gemm_lora(x, m, ldx, w.handle, bias, $0, y, ldy, options.c) }
            precondition(rc == 0, "gemm: LoRA up matrices do not match the weight (f32 [\(w.rows), rank]) or no memory")
        } else {
            let rc = loupe_gemm_lora(x, m, ldx, w.handle, bias, nil, y, ldy, options.c)
            precondition(rc == 0, "gemm: no memory for the quantized activations")
        }
    }

    /// Without AVX-512 the plain C kernel is far slower than OpenBLAS, so widen ≤ 4 MB of
    /// weight rows at a time and let sgemm do the product.
    static func blasGemm(_ x: UnsafePointer<Float>, _ m: Int, _ ldx: Int, _ w: PackedWeights,
                         _ bias: UnsafePointer<Float>?, _ lora: FusedLoRA?, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
                         _ options: Options) {
        let n = w.rows, k = w.cols
        let tile = max(32, min(n, (1 << 20) / k))
        let wbuf = UnsafeMutablePointer<Float>.allocate(capacity: tile * k)   // [tile, k]
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: m * tile)    // [m, tile]
        defer { wbuf.deallocate(); acc.deallocate() }
        var r0 = 0
        while r0 < n {
            let nr = min(tile, n - r0)
            loupe_weights_unpack_rows(w.handle, r0, nr, wbuf)
            BLAS.sgemm(m: m, n: nr, k: k, a: x, lda: ldx, b: wbuf, ldb: k, transB: true, c: acc, ldc: nr)
            if let lora {
                lora.withC { loupe_gemm_epilogue(acc, nr, m, nr, bias.map { $0 + r0 }, $0, r0, y + r0, ldy, options.c) }
            } else {
                loupe_gemm_epilogue(acc, nr, m, nr, bias.map { $0 + r0 }, nil, r0, y + r0, ldy, options.c)
            }
            r0 += nr
        }
    }

    /// Array convenience: x is [m, w.cols], y is [m, w.rows] (overwritten, or added to with
    /// `.accumulate`).
    public static func gemm(x: [Float], m: Int, w: PackedWeights, bias: [Float]? = nil,
                            into y: inout [Float], options: Options = []) {
        precondition(x.count == m * w.cols && y.count == m * w.rows, "gemm: array sizes")
        precondition(bias == nil || bias!.count == w.rows, "gemm: bias size")
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                if let bias {
                    bias.withUnsafeBufferPointer { bp in
                        gemm(x: xp.baseAddress!, m: m, w: w, bias: bp.baseAddress, into: yp.baseAddress!,
                             options: options)
                    }
                } else {
                    gemm(x: xp.baseAddress!, m: m, w: w, bias: nil, into: yp.baseAddress!, options: options)
                }
            }
        }
    }

    /// Threads the kernels use (default: online CPUs, at most 8). Two threads split the output
    /// columns; products under ~1 MFLOP always run on the calling thread.
    public static var threads: Int {
        get { Int(loupe_get_threads()) }
        set { loupe_set_threads(Int32(clamping: newValue)) }
    }

    /// Calls `body` on contiguous slices of 0..<count, one per kernel thread (at most count /
    /// minPerPart of them), on the kernels' own pool: the encoder's row-parallel steps then run on
    /// the threads that are already spinning between its products, instead of waking a second
    /// team (GCD) that competes with them for the cores. Small counts run inline.
    public static func parallelChunks(_ count: Int, minPerPart: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, count / max(minPerPart, 1))
        guard parts > 1 else { if count > 0 { body(0..<count) }; return }
        withoutActuallyEscaping(body) { body in
            var job = ChunkJob(count: count, body: body)
            withUnsafeMutablePointer(to: &job) { p in
                loupe_parallel(Int32(parts), { ctx, index, parts in
                    let job = ctx!.assumingMemoryBound(to: ChunkJob.self).pointee
                    let lo = job.count * Int(index) / Int(parts), hi = job.count * Int(index + 1) / Int(parts)
                    if lo < hi { job.body(lo..<hi) }
                }, p)
            }
        }
    }

    private struct ChunkJob {
        let count: Int
        let body: (Range<Int>) -> Void
    }

    /// The exact kernels' tile shape for 16-bit weights (`loupe_gemm_shape`): both give identical
    /// bits and differ in speed by machine. `.automatic`: LOUPE_GEMM_SHAPE=registers|panels, else by
    /// CPU (widened panels on Zen 5 and later, registers elsewhere).
    public enum GemmShape: String, Sendable, CaseIterable {
        case automatic, registers, widenedPanels = "panels"
    }

    /// The shape in force (settable for tests and benchmarks; `.automatic` returns to the default).
    public static var gemmShape: GemmShape {
        get { forcedShape }
        set {
            forcedShape = newValue
            switch newValue {
            case .automatic: loupe_set_gemm_shape(LOUPE_SHAPE_AUTO)
            case .registers: loupe_set_gemm_shape(LOUPE_SHAPE_REGISTERS)
            case .widenedPanels: loupe_set_gemm_shape(LOUPE_SHAPE_WIDENED_PANELS)
            }
        }
    }
    nonisolated(unsafe) private static var forcedShape = GemmShape.automatic

    /// What `.automatic` means on this machine.
    public static var defaultGemmShape: GemmShape {
        loupe_gemm_shape_default() == LOUPE_SHAPE_WIDENED_PANELS ? .widenedPanels : .registers
    }

    /// Both shapes timed once per process on a jina-sized product (~10 ms; `loupe_gemm_shape_calibrate`):
    /// `.automatic` then uses a clear (≥ 5 %) winner, else the CPU family's default. Speeds are 0 when
    /// it did not run (LOUPE_GEMM_SHAPE set, no AVX-512). Models loaded at exact precision trigger it.
    public struct ShapeCalibration: Sendable {
        public let chosen: GemmShape
        public let registersGFLOPS: Double
        public let panelsGFLOPS: Double
    }
    public static let shapeCalibration: ShapeCalibration = {
        var r = 0.0, p = 0.0
        let s = loupe_gemm_shape_calibrate(&r, &p)
        return ShapeCalibration(chosen: s == LOUPE_SHAPE_WIDENED_PANELS ? .widenedPanels : .registers,
                                registersGFLOPS: r, panelsGFLOPS: p)
    }()

    /// CPU family from cpuid (25: Zen 3/4, 26: Zen 5); 0 when unknown.
    public static let cpuFamily = Int(loupe_cpu_family())

    /// Measured fp32 fma peak (GFLOP/s) of `threads` pool threads; 0 without AVX-512. ~0.2 s.
    public static func fmaPeakGFLOPS(threads: Int) -> Double { loupe_fma_peak_gflops(Int32(clamping: threads)) }

    /// True when the AVX-512 path is used (otherwise the plain C path, same results, slower).
    public static let hasAVX512: Bool = loupe_has_avx512() != 0
    /// True when `.bf16LossyDot` weights run on vdpbf16ps (otherwise a plain C path).
    public static let hasAVX512BF16: Bool = loupe_has_avx512_bf16() != 0
    /// True when `.int8` weights run on vpdpbusd (otherwise a plain C path, same bits).
    public static let hasAVX512VNNI: Bool = loupe_has_avx512_vnni() != 0

    /// Multi-head self-attention of one sequence, head dimension 64, blocked with an online
    /// softmax (the seq × seq score matrix is never stored). Row t of head h is read at
    /// `q + t·ld + h·64` (same for k, v) and written at `out + t·ldo + h·64`:
    /// `out[t, h] = Σ_{j < validKeys} softmax_j(scale · q[t, h]·k[j, h]) · v[j, h]`.
    /// For jina-v3 after RoPE: q/k/v = qkv + 0 / 1024 / 2048, ld = 3072, heads = 16,
    /// scale = 1/8, out = ctx with ldo = 1024; `validKeys` = the sequence's real token count
    /// (right padding is skipped, as the reference's −10000 mask does in fp32).
    public static func attention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                 ld: Int, seq: Int, heads: Int, validKeys: Int, scale: Float,
                                 out: UnsafeMutablePointer<Float>, ldo: Int, options: Options = []) {
        precondition(seq >= 0 && heads > 0 && ld >= heads * 64 && ldo >= heads * 64, "attention: bad shape")
        guard seq > 0 else { return }
        loupe_attention(q, k, v, ld, seq, heads, max(0, validKeys), scale, out, ldo, options.c)
    }

    /// In-place exact-erf GELU, the same function as the `.gelu` epilogue.
    public static func gelu(_ v: UnsafeMutablePointer<Float>, count: Int) { loupe_gelu(v, count) }

    /// The erf behind `gelu` (max abs error ≈ 9e-8).
    public static func erf(_ x: Float) -> Float { loupe_erf(x) }
}
