// Shared between the CKernels translation units; not part of the public API.
#ifndef LOUPE_CKERNELS_INTERNAL_H
#define LOUPE_CKERNELS_INTERNAL_H
#include "CKernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#define LOUPE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
/// 16 lanes of the GELU the GEMM epilogue applies (gelu.c).
LOUPE_AVX512 __m512 loupe_gelu_avx512(__m512 v);

/// The GEMM epilogue on 16 lanes: bias, pre-activation add, GELU, accumulate (in that order).
static LOUPE_AVX512 __attribute__((always_inline)) inline __m512
loupe_epilogue_avx512(__m512 v, __m512 bv, int has_bias, int flags, const float *yold, __mmask16 mask) {
    if (has_bias) v = _mm512_add_ps(v, bv);
    if (flags & LOUPE_GEMM_PREADD) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, yold));
    if (flags & LOUPE_GEMM_GELU) v = loupe_gelu_avx512(v);
    if (flags & LOUPE_GEMM_ACCUMULATE) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, yold), v);
    return v;
}

/// Stores one micro-kernel tile (mr rows × nv ≤ 32 columns, accumulators c0 = columns 0–15,
/// c1 = 16–31) through the epilogue; shared by the exact and the lossy (bf16 dot) kernels.
static LOUPE_AVX512 __attribute__((always_inline)) inline void
loupe_store_tile_avx512(const __m512 *c0, const __m512 *c1, int mr, int nv, const float *bias, int flags,
                        float *y, size_t ldy) {
    __mmask16 m0 = nv >= 16 ? 0xffff : (__mmask16)((1u << nv) - 1);
    __mmask16 m1 = nv >= 32 ? 0xffff : nv <= 16 ? 0 : (__mmask16)((1u << (nv - 16)) - 1);
    __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps();
    if (bias) { b0 = _mm512_maskz_loadu_ps(m0, bias); b1 = _mm512_maskz_loadu_ps(m1, bias + 16); }
    for (int i = 0; i < mr; i++) {
        float *yi = y + (size_t)i * ldy;
        _mm512_mask_storeu_ps(yi, m0, loupe_epilogue_avx512(c0[i], b0, bias != 0, flags, yi, m0));
        if (m1) _mm512_mask_storeu_ps(yi + 16, m1, loupe_epilogue_avx512(c1[i], b1, bias != 0, flags, yi + 16, m1));
    }
}
#endif

/// Output columns per packed panel (two zmm registers of f32).
#define LOUPE_NR 32

struct loupe_weights {
    loupe_dtype dtype;
    size_t n, k;        // original [n, k]
    size_t panels;      // ceil(n / 32); the last panel is zero-padded
    size_t elem_size;   // 2 or 4
    void *data;         // panels × k × 32 elements, 64-byte aligned
};

/// Index into data of element (row, col) for the BF16_DOT layout: panel, k pair, then 64 halves
/// = two 16-column halves × 16 lanes × (even k, odd k) — one vdpbf16ps operand per half.
static inline size_t loupe_dot_index(const loupe_weights *w, size_t row, size_t col) {
    size_t p = row / LOUPE_NR, c = row % LOUPE_NR, pairs = (w->k + 1) / 2;
    return (p * pairs + col / 2) * 64 + (c / 16) * 32 + (c % 16) * 2 + (col & 1);
}

/// Round f32 to bf16 bits, nearest-even (finite inputs; the lossy path only).
static inline uint16_t loupe_f32_to_bf16_rne(float f) {
    uint32_t u;
    __builtin_memcpy(&u, &f, 4);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/// Scalar GELU, bit-identical to loupe_gelu_avx512 lane by lane.
float loupe_gelu_scalar(float v);

/// Position inside a 32-wide packed row of output column c (0..31) for this dtype. bf16 stores
/// column c < 16 at 2c and c ≥ 16 at 2(c-16)+1, so one zmm load widens with a shift (even
/// halves → columns 0..15) and a mask (odd halves → columns 16..31).
static inline size_t loupe_panel_slot(loupe_dtype dt, size_t c) {
    if (dt != LOUPE_DTYPE_BF16) return c;
    return c < 16 ? 2 * c : 2 * (c - 16) + 1;
}

/// Run fn(ctx, index, count) for index 0..<count on the pool (index 0 on the caller). Falls
/// back to running everything on the caller if the pool is busy with another call.
void loupe_pool_run(int count, void (*fn)(void *ctx, int index, int count), void *ctx);

/// Per-thread scratch buffer of at least `floats` floats, 64-byte aligned (NULL on failure).
float *loupe_scratch(size_t floats);

/// The GEMM bodies (gemm_avx512.c / gemm.c) over panels [p0, p1).
void loupe_gemm_plain(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                      const float *bias, float *y, size_t ldy, int flags, size_t p0, size_t p1);
void loupe_gemm_bf16dot_plain(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                              const float *bias, float *y, size_t ldy, int flags, size_t p0, size_t p1);
#if defined(__x86_64__)
void loupe_gemm_bf16dot_avx512(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                               const float *bias, float *y, size_t ldy, int flags, size_t p0, size_t p1);
void loupe_gemm_avx512(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                       const float *bias, float *y, size_t ldy, int flags, size_t p0, size_t p1);
#endif
#endif
