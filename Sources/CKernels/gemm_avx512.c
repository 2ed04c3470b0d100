// AVX-512 body of loupe_gemm: an MR × 32 register-blocked micro-kernel (MR ≤ 12 rows of X, one
// packed 32-column weight panel; 24 zmm accumulators). Weights are widened to f32 in registers
// (bf16: shift / mask; f16: vcvtph2ps; f32: plain loads), so memory traffic stays 16-bit.
// There is no k blocking: every accumulator sees k = 0, 1, ... in order, like the plain path.
// Zen 4 retires one zmm fma per cycle per core; per k step the kernel issues 2·MR fmas against
// one 64-byte weight load and MR broadcasts, so it stays fma-bound even from L2/L3.
#include "internal.h"
#if defined(__x86_64__)
#include <string.h>

#define MR 12
#define AI __attribute__((always_inline)) inline

static LOUPE_AVX512 AI void load_w(loupe_dtype dt, const void *b, size_t k, __m512 *w0, __m512 *w1) {
    if (dt == LOUPE_DTYPE_BF16) {
        __m512i v = _mm512_load_si512((const uint16_t *)b + k * LOUPE_NR);
        *w0 = _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
        *w1 = _mm512_castsi512_ps(_mm512_and_si512(v, _mm512_set1_epi32((int)0xffff0000)));
    } else if (dt == LOUPE_DTYPE_F16) {
        const uint16_t *p = (const uint16_t *)b + k * LOUPE_NR;
        *w0 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)p));
        *w1 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(p + 16)));
    } else {
        const float *p = (const float *)b + k * LOUPE_NR;
        *w0 = _mm512_load_ps(p);
        *w1 = _mm512_load_ps(p + 16);
    }
}

// a: packed X rows, [k][mr]; b: one weight panel [k][32]; y: top-left output of the tile.
// pf: the next weight panel (or NULL), prefetched into L2 one line per k step while this block
// computes, so the next panel's first row block reads L2 instead of waiting on DRAM (small m).
static LOUPE_AVX512 AI void ukr_a(loupe_dtype dt, int mr, size_t K, const float *a,
                                  const void *b, float *y, size_t ldy, int nv, const float *bias, int flags,
                                  const char *pf) {
    __m512 c0[MR], c1[MR];
    for (int i = 0; i < mr; i++) { c0[i] = _mm512_setzero_ps(); c1[i] = _mm512_setzero_ps(); }
    size_t line = dt == LOUPE_DTYPE_F32 ? 128 : 64;   // bytes of one k step of a panel
    for (size_t k = 0; k < K; k++) {
        __m512 w0, w1;
        if (pf) {
            _mm_prefetch(pf + k * line, _MM_HINT_T1);
            if (line == 128) _mm_prefetch(pf + k * line + 64, _MM_HINT_T1);
        }
        load_w(dt, b, k, &w0, &w1);
        const float *ak = a + k * (size_t)mr;
        for (int i = 0; i < mr; i++) {
            __m512 xv = _mm512_set1_ps(ak[i]);
            c0[i] = _mm512_fmadd_ps(xv, w0, c0[i]);
            c1[i] = _mm512_fmadd_ps(xv, w1, c1[i]);
        }
    }
    loupe_store_tile_avx512(c0, c1, mr, nv, bias, flags, y, ldy);
}

static LOUPE_AVX512 AI void ukr(loupe_dtype dt, int mr, size_t K, const float *a, const void *b,
                                float *y, size_t ldy, int nv, const float *bias, int flags, const char *pf) {
    ukr_a(dt, mr, K, a, b, y, ldy, nv, bias, flags, pf);
}

// One instance per (dtype, mr): constant mr lets the compiler keep c0/c1 in registers.
#define UKR_CASES(DT) \
    switch (mr) { \
    case 1: ukr(DT, 1, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 2: ukr(DT, 2, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 3: ukr(DT, 3, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 4: ukr(DT, 4, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 5: ukr(DT, 5, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 6: ukr(DT, 6, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 7: ukr(DT, 7, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 8: ukr(DT, 8, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 9: ukr(DT, 9, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 10: ukr(DT, 10, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    case 11: ukr(DT, 11, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    default: ukr(DT, 12, K, a, b, y, ldy, nv, bias, flags, pf); break; \
    }

static LOUPE_AVX512 void ukr_bf16(int mr, size_t K, const float *a, const void *b, float *y,
                                  size_t ldy, int nv, const float *bias, int flags, const char *pf) {
    UKR_CASES(LOUPE_DTYPE_BF16)
}
static LOUPE_AVX512 void ukr_f16(int mr, size_t K, const float *a, const void *b, float *y,
                                 size_t ldy, int nv, const float *bias, int flags, const char *pf) {
    UKR_CASES(LOUPE_DTYPE_F16)
}
static LOUPE_AVX512 void ukr_f32(int mr, size_t K, const float *a, const void *b, float *y,
                                 size_t ldy, int nv, const float *bias, int flags, const char *pf) {
    UKR_CASES(LOUPE_DTYPE_F32)
}


// Pack rows [0, rows) of x (row stride ldx) into MR-row micro-panels: panel q holds rows
// q·MR ..< q·MR+mr as [k][mr], so the micro-kernel's broadcasts read one contiguous stream.
static void pack_x(const float *x, size_t rows, size_t ldx, size_t K, float *dst) {
    for (size_t r0 = 0; r0 < rows; r0 += MR) {
        size_t mr = rows - r0 < MR ? rows - r0 : MR;
        for (size_t k = 0; k < K; k++)
            for (size_t i = 0; i < mr; i++) dst[k * mr + i] = x[(r0 + i) * ldx + k];
        dst += mr * K;
    }
}

void loupe_gemm_avx512(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                       const float *bias, float *y, size_t ldy, int flags, size_t p0, size_t p1) {
    size_t K = w->k;
    // Rows of X per block: the packed block (mc × K floats) should stay in L2 (1 MB on Zen 4)
    // while every panel of this thread streams past it.
    size_t mc = (384 * 1024 / 4) / K / MR * MR;
    if (mc < MR) mc = MR;
    if (mc > 20 * MR) mc = 20 * MR;
    if (mc > m) mc = m;
    float *ap = loupe_scratch(mc * K);
    if (!ap) { loupe_gemm_plain(x, m, ldx, w, bias, y, ldy, flags, p0, p1); return; }
    void (*kern)(int, size_t, const float *, const void *, float *, size_t, int, const float *, int, const char *) =
        w->dtype == LOUPE_DTYPE_BF16 ? ukr_bf16 : w->dtype == LOUPE_DTYPE_F16 ? ukr_f16 : ukr_f32;
    const char *wdata = w->data;
    size_t panel_bytes = K * LOUPE_NR * w->elem_size;
    for (size_t i0 = 0; i0 < m; i0 += mc) {
        size_t rows = m - i0 < mc ? m - i0 : mc;
        pack_x(x + i0 * ldx, rows, ldx, K, ap);
        for (size_t p = p0; p < p1; p++) {
            size_t n0 = p * LOUPE_NR;
            int nv = (int)(w->n - n0 < LOUPE_NR ? w->n - n0 : LOUPE_NR);
            const float *bp = bias ? bias + n0 : NULL;
            const float *a = ap;
            const char *pf = p + 1 < p1 ? wdata + (p + 1) * panel_bytes : NULL;
            for (size_t r0 = 0; r0 < rows; r0 += MR) {
                int mr = (int)(rows - r0 < MR ? rows - r0 : MR);
                kern(mr, K, a, wdata + p * panel_bytes, y + (i0 + r0) * ldy + n0, ldy, nv, bp, flags, pf);
                a += (size_t)mr * K;
            }
        }
    }
}
#endif
