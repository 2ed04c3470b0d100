// Shared between the CKernels translation units; not part of the public API.
#ifndef LOUPE_CKERNELS_INTERNAL_H
#define LOUPE_CKERNELS_INTERNAL_H
#include "CKernels.h"

/// Output columns per packed panel of small weights (n ≤ 32: the 12 × 32 micro-kernel).
#define LOUPE_NR 32

struct loupe_weights {
    loupe_dtype dtype;
    size_t n, k;        // original [n, k]
    size_t nr;          // columns per panel: 64 (6 × 64 micro-kernels), 32 for n ≤ 32 (not BF16_DOT)
    size_t panels;      // ceil(n / nr); the last panel is zero-padded
    size_t elem_size;   // 1 (INT8), 2 or 4
    void *data;         // panels × k × nr elements, 64-byte aligned (INT8: panels × kq × 256 bytes)
    float *scale;       // INT8: [panels · nr] per-row scales (0 in padding rows), else NULL
    int32_t *wsum;      // INT8: [panels · nr] Σ_c q[j, c], for the activations' zero points
};

/// k rounded up to whole groups of 4 (one vpdpbusd lane): the INT8 weight and activation layout.
static inline size_t loupe_int8_quads(size_t k) { return (k + 3) / 4; }

/// Byte index of (row, col) in INT8 data: panel, k quad, then 4 groups of 16 rows × 4 k bytes (one
/// vpdpbusd operand per group).
static inline size_t loupe_int8_index(const loupe_weights *w, size_t row, size_t col) {
    size_t p = row / 64, c = row % 64;
    return (p * loupe_int8_quads(w->k) + col / 4) * 256 + (c / 16) * 64 + (c % 16) * 4 + (col & 3);
}
#if defined(__x86_64__)
#include <immintrin.h>
#define LOUPE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
/// 16 lanes of the GELU the GEMM epilogue applies (gelu.c).
LOUPE_AVX512 __m512 loupe_gelu_avx512(__m512 v);

/// The GEMM epilogue on 16 lanes: bias, LoRA term (lora: already summed, NULL = none), pre-activation
/// add, GELU, accumulate (in that order; loupe_epilogue_scalar is the same sequence per lane).
static LOUPE_AVX512 __attribute__((always_inline)) inline __m512
loupe_epilogue_avx512(__m512 v, __m512 bv, int has_bias, const __m512 *lora, int flags, const float *yold,
                      __mmask16 mask) {
    if (has_bias) v = _mm512_add_ps(v, bv);
    if (lora) v = _mm512_add_ps(v, *lora);
    if (flags & LOUPE_GEMM_PREADD) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, yold));
    if (flags & LOUPE_GEMM_GELU) v = loupe_gelu_avx512(v);
    if (flags & LOUPE_GEMM_ACCUMULATE) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, yold), v);
    return v;
}

/// Asks for the lines of a tile's output rows (mr rows of `bytes` from y, stride ldy floats) with
/// intent to write, at the start of a micro-kernel: the output of a large product is far beyond the
/// caches (a whole batch's [tokens, 3072] is 50 MB), and the epilogue's stores (and its loads of
/// y_old for the residual add) waited on DRAM after every k loop; the k loop now hides that wait.
static __attribute__((always_inline)) inline void loupe_prefetch_rows(const float *y, size_t ldy, int mr,
                                                                      size_t bytes) {
    for (int i = 0; i < mr; i++)
        for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch((const char *)(y + (size_t)i * ldy) + o, 1, 3);
}

/// Stores one micro-kernel tile through the epilogue: mr rows × nv ≤ 16·NV columns, accumulators
/// c[i·NV + j] = row i, columns 16j ..< 16j+16. Shared by the exact (NV = 4, or 2 for 32-column
/// panels) and the lossy (NV = 4) kernels. `row` is the tile's first row in the whole product (for the LoRA rows),
/// `col` its first column (a multiple of 32, so the tile lies inside one panel of the up matrix).
static LOUPE_AVX512 __attribute__((always_inline)) inline void
loupe_store_tile_avx512(const __m512 *c, int NV, int mr, int nv, const float *bias, int flags, float *y,
                        size_t ldy, const loupe_lora *lora, size_t row, size_t col) {
    __mmask16 mk[4];
    __m512 b[4];
    for (int j = 0; j < NV; j++) {
        int lanes = nv - 16 * j;
        mk[j] = lanes >= 16 ? 0xffff : lanes <= 0 ? 0 : (__mmask16)((1u << lanes) - 1);
        b[j] = bias && mk[j] ? _mm512_maskz_loadu_ps(mk[j], bias + 16 * j) : _mm512_setzero_ps();
    }
    for (int i = 0; i < mr; i++) {
        float *yi = y + (size_t)i * ldy;
        const float *tv = NULL, *up = NULL;
        size_t unr = 0;
        if (lora) {
            int32_t a = lora->adapter[row + (size_t)i];
            if (a >= 0 && (size_t)a < lora->count) {
                tv = lora->t + (row + (size_t)i) * lora->ldt + (size_t)a * lora->rank;
                unr = lora->up[a]->nr;
                up = (const float *)lora->up[a]->data + col / unr * lora->rank * unr + col % unr;
            }
        }
        for (int j = 0; j < NV; j++) {
            if (!mk[j]) continue;
            __m512 l = _mm512_setzero_ps();
            if (tv)
                for (size_t q = 0; q < lora->rank; q++)
                    l = _mm512_fmadd_ps(_mm512_set1_ps(tv[q]), _mm512_load_ps(up + q * unr + 16 * j), l);
            _mm512_mask_storeu_ps(yi + 16 * j, mk[j],
                                  loupe_epilogue_avx512(c[i * NV + j], b[j], bias != 0, tv ? &l : NULL, flags,
                                                        yi + 16 * j, mk[j]));
        }
    }
}
#endif

/// Index into data of element (row, col) for the BF16_DOT layout: panel, k pair, then 2·nr halves
/// = nr/16 groups of 16 columns × 16 lanes × (even k, odd k) — one vdpbf16ps operand per group.
static inline size_t loupe_dot_index(const loupe_weights *w, size_t row, size_t col) {
    size_t nr = w->nr, p = row / nr, c = row % nr, pairs = (w->k + 1) / 2;
    return (p * pairs + col / 2) * 2 * nr + (c / 16) * 32 + (c % 16) * 2 + (col & 1);
}

/// Round f32 to bf16 bits, nearest-even (finite inputs; the lossy path only).
static inline uint16_t loupe_f32_to_bf16_rne(float f) {
    uint32_t u;
    __builtin_memcpy(&u, &f, 4);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/// The weight quantization rule (loupe_weights_pack_int8): scale = amax / 127,
/// q = clamp(rint(v · (127 / amax)), -127, 127) in fp32, round to nearest even; amax = 0 → q = 0.
static inline float loupe_int8_inv(float amax) { return amax > 0 ? 127.0f / amax : 0.0f; }
static inline int loupe_int8_round(float v, float inv) {
    float t = v * inv;
    t = t > -127.0f ? t : -127.0f;
    t = t < 127.0f ? t : 127.0f;
    return (int)__builtin_rintf(t);
}

/// The activation rule's per-row constants (loupe_quantize_rows) from the row's range [lo, hi]
/// (lo ≤ 0 ≤ hi): inv = 255 / (hi - lo), zero point zp = clamp(rint(-lo · inv), 0, 255), scale =
/// (hi - lo) / 255; a zero range gives inv = scale = zp = 0. Shared by both paths.
static inline float loupe_u8_inv(float lo, float hi, int32_t *zp, float *scale) {
    float range = hi - lo;
    if (!(range > 0)) { *zp = 0; *scale = 0; return 0; }
    float inv = 255.0f / range, z = -lo * inv;
    z = z > 0 ? z : 0;
    z = z < 255.0f ? z : 255.0f;
    *zp = (int32_t)__builtin_rintf(z);
    *scale = range / 255.0f;
    return inv;
}

/// u = clamp(rint(clamp(v · inv, -255, 255)) + zp, 0, 255); a NaN product counts as -255, as
/// vmaxps(t, -255) gives.
static inline uint8_t loupe_u8_round(float v, float inv, int32_t zp) {
    float t = v * inv;
    t = t > -255.0f ? t : -255.0f;
    t = t < 255.0f ? t : 255.0f;
    int u = (int)__builtin_rintf(t) + zp;
    return (uint8_t)(u < 0 ? 0 : u > 255 ? 255 : u);
}

/// Scalar GELU, bit-identical to loupe_gelu_avx512 lane by lane.
float loupe_gelu_scalar(float v);

/// The scalar epilogue, the same sequence as loupe_epilogue_avx512 per lane.
static inline float loupe_epilogue_scalar(float v, const float *bias, int lora_active, float l, int flags,
                                          float yold) {
    if (bias) v = v + *bias;
    if (lora_active) v = v + l;
    if (flags & LOUPE_GEMM_PREADD) v = v + yold;
    if (flags & LOUPE_GEMM_GELU) v = loupe_gelu_scalar(v);
    if (flags & LOUPE_GEMM_ACCUMULATE) v = yold + v;
    return v;
}

/// Position inside a packed panel row of output column c (0 ..< nr) for this dtype. bf16 stores
/// each group of 32 columns in one 64-byte line, column c < 16 at 2c and c ≥ 16 at 2(c-16)+1, so
/// one zmm load widens with a shift (even halves → columns 0..15) and a mask (odd halves → 16..31).
static inline size_t loupe_panel_slot(loupe_dtype dt, size_t c) {
    if (dt != LOUPE_DTYPE_BF16) return c;
    size_t g = c & ~(size_t)31, cc = c & 31;
    return g + (cc < 16 ? 2 * cc : 2 * (cc - 16) + 1);
}

/// The LoRA term of output (row, col) in the AVX-512 epilogue's order: l = 0, then
/// l = fma(t[q], B[col][q], l) for q ascending. Returns 0 with *active = 0 for rows without one.
float loupe_lora_term(const loupe_lora *lora, size_t row, size_t col, int *active);

/// 1 on an AuthenticAMD CPU (convert.c).
int loupe_cpu_is_amd(void);

/// Run fn(ctx, index, count) for index 0..<count on the pool (index 0 on the caller), all parts at
/// once. When the pool is busy with another call, runs fn(ctx, 0, 1) on the caller instead: a
/// single part that does all the work, so parts may wait for each other (loupe_pool_barrier).
void loupe_pool_run(int count, void (*fn)(void *ctx, int index, int count), void *ctx);

/// Inside a pool job: part `index` of `count` arrives at the barrier counted by *arrived (0 before
/// the job) and waits until all parts have.
#include <stdatomic.h>
void loupe_pool_barrier(atomic_int *arrived, int count, int index);

/// Per-thread scratch buffer of at least `floats` floats, 64-byte aligned (NULL on failure).
float *loupe_scratch(size_t floats);
/// A second per-thread buffer of at least `bytes` bytes, 64-byte aligned, for data a product keeps
/// while its bodies use loupe_scratch (the quantized activations of an INT8 product).
void *loupe_scratch_bytes(size_t bytes);

/// One GEMM call's arguments as the bodies see them. `row` is the first row of x/y in the
/// whole product (the LoRA rows are indexed from the product's start); p0 ..< p1 are the panels.
typedef struct {
    const float *x; size_t m, ldx;
    const loupe_weights *w;
    const float *bias; float *y; size_t ldy;
    int flags;
    const loupe_lora *lora; size_t row;
    size_t p0, p1;
    // INT8: x quantized (loupe_quantize_rows: u8 rows, scales, zero points), the same rows as x
    const uint8_t *xq; size_t ldq; const float *xs; const int32_t *xz;
} loupe_gemm_args;

/// The GEMM bodies (gemm_avx512.c / gemm_bf16dot.c / gemm_int8.c / gemm.c).
void loupe_gemm_plain(const loupe_gemm_args *g);
void loupe_gemm_bf16dot_plain(const loupe_gemm_args *g);
void loupe_gemm_int8_plain(const loupe_gemm_args *g);
#if defined(__x86_64__)
void loupe_gemm_int8_vnni(const loupe_gemm_args *g);
void loupe_gemm_bf16dot_avx512(const loupe_gemm_args *g);
void loupe_gemm_avx512(const loupe_gemm_args *g);
#endif
#endif
