#ifndef LOUPE_CKERNELS_H
#define LOUPE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Kernels that OpenBLAS does not provide fast enough on this machine (AVX-512 paths chosen
/// at run time, plain C fallback always present and exact). See Sources/CKernels/README.md.

/// 1 when the CPU supports AVX-512F (+BW, VL), 0 otherwise.
int loupe_has_avx512(void);

/// Widen n bf16 values (stored as uint16 bit patterns) to f32. Exact.
void loupe_bf16_to_f32(const uint16_t *src, float *dst, size_t n);
/// Widen n IEEE half values to f32. Exact.
void loupe_f16_to_f32(const uint16_t *src, float *dst, size_t n);

// MARK: - GEMM with 16-bit (or f32) weights
//
// Y[m, n] = X[m, k] · W[n, k]ᵀ (+ bias[n]) (+ Y_old if PREADD) (then GELU) (then + Y_old if ACCUMULATE)
//
// X and Y are f32 row-major; W is a PyTorch Linear weight [out = n, in = k] kept in its stored
// dtype (bf16 / f16 / f32) and packed once into panels of 64 output columns (32 for n ≤ 32). Inside the kernel
// each weight is widened exactly to f32 and every output is the fp32 sum
//   acc = fma(x[0], w[0], 0); acc = fma(x[1], w[1], acc); ... (k ascending, one fma per step)
// so the AVX-512 path, the plain C path and any thread count give bit-identical results.

typedef enum {
    LOUPE_DTYPE_F32 = 0,
    LOUPE_DTYPE_BF16 = 1,
    LOUPE_DTYPE_F16 = 2,
    /// bf16 weights packed for the LOSSY bf16 dot-product kernel (vdpbf16ps, AVX512_BF16): the
    /// activations are rounded to bf16 too (relative error ≤ 2^-8 per product), products are
    /// accumulated in fp32. About twice the throughput of the exact path. Source data: bf16 bits.
    /// Without AVX512_BF16 (or with LOUPE_GEMM_PLAIN) a plain path computes the same products
    /// (bf16-rounded x times the weights, fp32 sums; summation order may differ).
    LOUPE_DTYPE_BF16_DOT = 3,
    /// Weights quantized to int8 at pack time (loupe_weights_pack_int8): symmetric, one scale per
    /// output row. Activations are quantized per row at run time to u8 with a zero point
    /// (loupe_quantize_rows); products run on u8 × s8 with exact int32 sums (AVX512_VNNI vpdpbusd,
    /// or a plain C path computing the same integers). NOT exact: about 2-3 significant digits.
    LOUPE_DTYPE_INT8 = 4,
} loupe_dtype;

/// 1 when the CPU has AVX512_BF16 (vdpbf16ps), 0 otherwise.
int loupe_has_avx512_bf16(void);
/// 1 when the CPU has AVX512_VNNI (vpdpbusd), 0 otherwise.
int loupe_has_avx512_vnni(void);

/// The exact kernels' 6 × 64 tile shape for 16-bit weights. Both compute every output as the same
/// fp32 fma chain, so they give identical bits; they differ in speed by machine.
typedef enum {
    /// Chosen at run time: LOUPE_GEMM_SHAPE=registers|panels in the environment, else the faster one
    /// in loupe_gemm_shape_calibrate when it ran and one was ≥ 5 % faster, else by CPU — widened panels
    /// where 512-bit fmas run at full width (AMD family 26+, Zen 5), registers elsewhere.
    LOUPE_SHAPE_AUTO = 0,
    /// bf16 / f16 weights widened in registers at every k step (Zen 4: 512-bit ops double-pumped,
    /// the widening hides under the fmas).
    LOUPE_SHAPE_REGISTERS = 1,
    /// A k block of each weight panel widened to f32 once per thread into scratch and reused by every
    /// 6-row tile (products of ≥ 12 rows; fewer rows use REGISTERS).
    LOUPE_SHAPE_WIDENED_PANELS = 2,
} loupe_gemm_shape;

/// Forces a shape (tests, benchmarks) or returns to LOUPE_SHAPE_AUTO.
void loupe_set_gemm_shape(loupe_gemm_shape shape);
/// The shape AUTO resolves to on this machine (environment, calibration, then CPU).
loupe_gemm_shape loupe_gemm_shape_default(void);
/// Times both shapes on a jina-sized bf16 product (48 × 1024 × 1024, the pool's threads, 8 interleaved
/// rounds, about 10 ms) and lets AUTO use a clear (≥ 5 %) winner, else the CPU family's default. Fills
/// the two speeds (GFLOP/s; 0 when it did not run) and returns AUTO's choice. Does not run when
/// LOUPE_GEMM_SHAPE is set or without AVX-512. A shape forced by loupe_set_gemm_shape stays forced.
loupe_gemm_shape loupe_gemm_shape_calibrate(double *registers_gflops, double *panels_gflops);
/// The shape a product (or one thread's part of it) with m rows uses now.
loupe_gemm_shape loupe_gemm_shape_for_rows(size_t m);
/// CPU family as cpuid reports it (base + extended family; 25 = Zen 3/4, 26 = Zen 5); 0 if unknown.
int loupe_cpu_family(void);

/// Measured fp32 fma peak in GFLOP/s of `threads` threads of the kernels' pool (independent
/// zmm fma chains only; about 0.2 s). The ceiling for any exact fp32 product on this machine.
/// 0 without AVX-512.
double loupe_fma_peak_gflops(int threads);

/// Opaque packed weight matrix (owns its storage).
typedef struct loupe_weights loupe_weights;

/// Pack w ([n, k] row-major with row stride ldw elements, dtype as stored) for loupe_gemm.
/// Storage stays in the source dtype (2 bytes per weight for bf16/f16). Returns NULL on bad
/// arguments (n or k zero, ldw < k, unknown dtype) or allocation failure.
loupe_weights *loupe_weights_pack(loupe_dtype dtype, const void *w, size_t n, size_t k, size_t ldw);
/// Quantize w ([n, k], source dtype F32 / BF16 / F16, row stride ldw) to LOUPE_DTYPE_INT8: per output
/// row j, scale[j] = amax_j / 127 and q = clamp(rint(w · (127 / amax_j)), -127, 127) in fp32 (the
/// rule of loupe_quantize_rows). A row of zeros gets scale 0. NULL on bad arguments / no memory.
loupe_weights *loupe_weights_pack_int8(loupe_dtype source, const void *w, size_t n, size_t k, size_t ldw);
/// The int8 value of (row, col) of LOUPE_DTYPE_INT8 weights; *scale receives the row's scale.
int loupe_weights_int8(const loupe_weights *w, size_t row, size_t col, float *scale);
void loupe_weights_free(loupe_weights *w);
size_t loupe_weights_rows(const loupe_weights *w);     // n (output features)
size_t loupe_weights_cols(const loupe_weights *w);     // k (input features)
loupe_dtype loupe_weights_dtype(const loupe_weights *w);
size_t loupe_weights_bytes(const loupe_weights *w);    // packed storage in bytes
/// Element (row, col) of the original matrix widened to f32 (for tests and debugging; INT8: the
/// dequantized value q · scale).
float loupe_weights_get(const loupe_weights *w, size_t row, size_t col);

/// Widen rows [row0, row0 + count) of the packed matrix into dst ([count, k], row-major f32).
void loupe_weights_unpack_rows(const loupe_weights *w, size_t row0, size_t count, float *dst);

enum {
    /// Y = Y_old + result instead of Y = result (residual connections).
    LOUPE_GEMM_ACCUMULATE = 1,
    /// Apply exact-erf GELU to (X·Wᵀ + bias) before the optional accumulate.
    LOUPE_GEMM_GELU = 2,
    /// Force the plain portable C path (the exact reference) even when AVX-512 is present.
    LOUPE_GEMM_PLAIN = 4,
    /// Y = act(X·Wᵀ + bias + Y_old): Y_old is added before the activation (a LoRA term computed
    /// first into Y, so fc1's GELU can stay fused with a task adapter on). Not with ACCUMULATE.
    LOUPE_GEMM_PREADD = 8,
};

/// Y[m, n] = [Y_old +] act(X · Wᵀ + bias). x has row stride ldx (≥ k), y row stride ldy (≥ n),
/// bias may be NULL. Uses the thread pool (loupe_set_threads) when the product is big enough.
/// Safe to call from several threads at once (a call that finds the pool busy runs alone).
void loupe_gemm(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                const float *bias, float *y, size_t ldy, int flags);

/// Low-rank task adapters fused into the GEMM epilogue. Row i of the product uses adapter
/// a = adapter[i] (none when a < 0 or a ≥ count) and adds, after the bias and before PREADD /
/// GELU / ACCUMULATE, the term
///   l[i, j] = Σ_q t[i·ldt + a·rank + q] · B_a[j, q]   (l = 0, then one fma per q ascending)
/// where t holds x·A_allᵀ (times the LoRA scaling) for every adapter side by side and up[a] is
/// B_a packed as f32 [n, rank] weights. The fused term replaces a separate rank-r product and a
/// pass over Y per adapter.
typedef struct {
    const float *t;                  // [m, ldt]
    size_t ldt, rank, count;
    const int32_t *adapter;          // [m]
    const loupe_weights *const *up;  // count × [n, rank], LOUPE_DTYPE_F32
} loupe_lora;

/// loupe_gemm with a fused LoRA term (lora may be NULL). Returns 0, or -1 without computing
/// anything when an up matrix does not fit w (not f32, rows ≠ n, cols ≠ rank) or when the
/// scratch for an INT8 product's quantized activations (m · k bytes) cannot be allocated.
int loupe_gemm_lora(const float *x, size_t m, size_t ldx, const loupe_weights *w, const float *bias,
                    const loupe_lora *lora, float *y, size_t ldy, int flags);

/// The task adapters' down-projection for loupe_gemm_lora's t, each row only for its own adapter:
///   t[i·ldt + a·rank + q] = (Σ_c x[i·ldx + c] · at[(a·k + c)·rank + q]) · scaling
/// (acc = 0, one fma per c ascending, then one multiply) for every row i whose adapter
/// a = adapter[i] lies in [0, count); other entries of t are left as they are. at holds the
/// adapters' A transposed, [count][k][rank] f32. The same bits as the stacked product
/// loupe_gemm(x, A_all) · scaling on every path (AVX-512 for rank 4, else plain C; flags:
/// LOUPE_GEMM_PLAIN forces plain) and at any thread count. Returns 0, or -1 on bad arguments.
int loupe_lora_down(const float *x, size_t m, size_t ldx, size_t k, const float *at, size_t count, size_t rank,
                    const int32_t *adapter, float scaling, float *t, size_t ldt, int flags);

/// The GEMM epilogue alone, for products computed elsewhere (the BLAS fallback on machines
/// without AVX-512): y[i, j] = [y_old +] act(acc[i, j] + bias[j] + lora[i, col0 + j]) for
/// i < m, j < n, in loupe_gemm's order (bias is already offset to column col0; lora may be
/// NULL and indexes columns col0 ..< col0 + n of its up matrices).
/// flags: LOUPE_GEMM_ACCUMULATE, LOUPE_GEMM_PREADD, LOUPE_GEMM_GELU. acc may alias y only
/// without ACCUMULATE / PREADD.
void loupe_gemm_epilogue(const float *acc, size_t lda, size_t m, size_t n, const float *bias,
                         const loupe_lora *lora, size_t col0, float *y, size_t ldy, int flags);

/// Per-row asymmetric 8-bit quantization of activations, the rule every INT8 product applies to x:
/// the row's range [lo, hi] = [min(0, min_c x), max(0, max_c x)] is cut into 255 steps,
/// scale[r] = (hi - lo) / 255, zero point zp[r] = rint(-lo · 255 / (hi - lo)) and
/// u = clamp(rint(x · 255 / (hi - lo)) + zp, 0, 255), so x ≈ (u - zp) · scale (fp32 operations,
/// round to nearest even; a row of zeros gives scale 0, zp 0). u is stored as u8 (vpdpbusd's unsigned
/// operand) in rows of stride ldq ≥ k rounded up to 4, the padding set to zp (value 0). Asymmetric:
/// one-sided rows (GELU outputs, LayerNorm outliers) get up to twice the resolution of a symmetric
/// ±amax grid. AVX-512 and plain paths (LOUPE_GEMM_PLAIN in flags) give identical bytes.
void loupe_quantize_rows(const float *x, size_t rows, size_t ldx, size_t k, uint8_t *q, size_t ldq, float *scale,
                         int32_t *zp, int flags);

/// Runs fn(ctx, index, count) for index 0 ..< count on the kernels' thread pool (index 0 on the
/// caller), so the encoder's row-parallel steps run on the same spinning threads as its products.
/// When the pool is busy with another call, runs fn(ctx, 0, 1) on the caller: one part, all the work.
void loupe_parallel(int count, void (*fn)(void *ctx, int index, int count), void *ctx);

/// Threads used by loupe_gemm (1...64; values are clamped). Default: online CPUs, at most 8.
void loupe_set_threads(int n);
int loupe_get_threads(void);

/// Exact-erf GELU in place: v = 0.5·v·(1 + erf(v/√2)), the same function the GEMM epilogue
/// applies (max error about 2 ulp of erf). Vectorised when AVX-512 is present.
void loupe_gelu(float *v, size_t n);

/// The scalar erf used by the GELU (exposed for tests).
float loupe_erf(float x);

// MARK: - Attention (blocked, online softmax; head dimension 64)

/// Multi-head self-attention of one sequence, keys/values beyond `valid_keys` ignored (right
/// padding; the reference's −10000 mask makes their weight exactly 0 in fp32):
///   out[t, h] = Σ_j softmax_j(scale · q[t, h] · k[j, h]) · v[j, h],  j < valid_keys
/// Row t of head h is at q + t·ld + h·64 (likewise k, v; e.g. the Q, K, V thirds of the fused
/// qkv output with ld = 3·hidden) and at out + t·ldo + h·64. Rows t < seq are all computed
/// (padding queries too). The score matrix is never materialised: queries go in blocks of 48,
/// keys in blocks of 512, so memory stays O(seq · 64) per thread. Heads are split over the
/// thread pool. Scale is folded into q before the dot products (exact for powers of two such as
/// 1/8). The AVX-512 and plain (LOUPE_GEMM_PLAIN) paths agree bit for bit.
/// valid_keys == 0 is treated as seq (no mask) so the output is never 0/0.
void loupe_attention(const float *q, const float *k, const float *v, size_t ld, size_t seq,
                     size_t heads, size_t valid_keys, float scale, float *out, size_t ldo, int flags);

/// The softmax's exp (scalar path; the AVX-512 path is bit-identical): for tests. Inputs below
/// -100 are clamped to -100.
float loupe_attention_exp(float x);

#endif
