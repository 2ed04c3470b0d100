// AVX-512 body of loupe_gemm: register-blocked micro-kernels with 24 zmm accumulators,
//   6 × 64 for the usual 64-column panels (6 rows of X broadcast straight from their rows, four
//          16-column weight vectors per k step), in two shapes (loupe_gemm_shape): weights widened
//          in registers at every k step, or widened once per panel block into scratch and reused
//          by every row tile (machines with full-width 512-bit fmas), and
//  12 × 32 for 32-column panels (n ≤ 32, e.g. the LoRA down-projections).
// X is read in place (row pointers, no packed copy): measured as fast as a packed [k][mr] copy
// in L2, and the copy cost 2–4 % of a forward pass.
// Weights are widened to f32 in registers (bf16: shift / mask; f16: vcvtph2ps; f32: plain
// loads), so memory traffic stays 16-bit. There is no k blocking: every accumulator sees
// k = 0, 1, ... in order, like the plain path. Zen 4 retires one zmm fma per cycle per core;
// 6 × 64 issues 24 fmas per k step against 6 broadcasts and 2 weight lines (measured ~4 % ahead
// of 12 × 32, which needs 12 broadcasts per step).
#include "internal.h"
#if defined(__x86_64__)

#define AI __attribute__((always_inline)) inline

// Widens the 32 columns of one 64-byte (16-bit) or 128-byte (f32) group at p.
static LOUPE_AVX512 AI void widen32(loupe_dtype dt, const void *p, __m512 *w0, __m512 *w1) {
    if (dt == LOUPE_DTYPE_BF16) {
        __m512i v = _mm512_load_si512(p);
        *w0 = _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
        *w1 = _mm512_castsi512_ps(_mm512_and_si512(v, _mm512_set1_epi32((int)0xffff0000)));
    } else if (dt == LOUPE_DTYPE_F16) {
        const uint16_t *h = p;
        *w0 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)h));
        *w1 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(h + 16)));
    } else {
        const float *f = p;
        *w0 = _mm512_load_ps(f);
        *w1 = _mm512_load_ps(f + 16);
    }
}

// ---- 6 × 64: x rows read in place (row stride ldx), b = one panel [k][64] ----

// pf: the next weight panel (or NULL), prefetched into L2 while this one computes, so the next
// panel's first rows read L2 instead of waiting on DRAM (small m).
static LOUPE_AVX512 AI void ukr64(loupe_dtype dt, int mr, size_t K, const float *x, size_t ldx,
                                  const char *b, const char *pf, float *y, const loupe_gemm_args *g,
                                  size_t row, size_t panel, int nv) {
    __m512 c[6 * 4];
    for (int i = 0; i < 6 * 4; i++) c[i] = _mm512_setzero_ps();
    size_t es = dt == LOUPE_DTYPE_F32 ? 4 : 2, line = 64 * es, half = 32 * es;
    loupe_prefetch_rows(y, g->ldy, mr, (size_t)nv * 4);
    const float *xr[6];
    for (int i = 0; i < mr; i++) xr[i] = x + (size_t)i * ldx;
    for (size_t k = 0; k < K; k++) {
        __m512 w[4];
        if (pf)
            for (size_t o = 0; o < line; o += 64) _mm_prefetch(pf + k * line + o, _MM_HINT_T1);
        widen32(dt, b + k * line, &w[0], &w[1]);
        widen32(dt, b + k * line + half, &w[2], &w[3]);
        for (int i = 0; i < mr; i++) {
            __m512 xv = _mm512_set1_ps(xr[i][k]);
            for (int j = 0; j < 4; j++) c[i * 4 + j] = _mm512_fmadd_ps(xv, w[j], c[i * 4 + j]);
        }
    }
    loupe_store_tile_avx512(c, 4, mr, nv, g->bias ? g->bias + panel * 64 : NULL, g->flags, y, g->ldy, g->lora,
                            row, panel * 64);
}

// One switch case per row count, so each instance sees a constant mr (accumulators in registers).
#define UKR_CASE(FN, DT, R) case R: FN(DT, R, K, x, ldx, b, pf, y, g, row, panel, nv); break;
#define UKR64_CASES(DT) \
    switch (mr) { \
    UKR_CASE(ukr64, DT, 1) UKR_CASE(ukr64, DT, 2) UKR_CASE(ukr64, DT, 3) UKR_CASE(ukr64, DT, 4) \
    UKR_CASE(ukr64, DT, 5) default: ukr64(DT, 6, K, x, ldx, b, pf, y, g, row, panel, nv); break; \
    }

// Every micro-kernel instance: rows [0, mr) of X from x (stride ldx), one panel b, the next panel pf.
typedef void (*ukr_fn)(int mr, size_t K, const float *x, size_t ldx, const char *b, const char *pf, float *y,
                       const loupe_gemm_args *g, size_t row, size_t panel, int nv);

// One out-of-line instance per (kernel family, dtype): constant dtype and mr inside.
#define DEFINE_UKR(NAME, CASES, DT) \
    static LOUPE_AVX512 void NAME(int mr, size_t K, const float *x, size_t ldx, const char *b, const char *pf, \
                                  float *y, const loupe_gemm_args *g, size_t row, size_t panel, int nv) { \
        CASES(DT) \
    }
DEFINE_UKR(ukr64_bf16, UKR64_CASES, LOUPE_DTYPE_BF16)
DEFINE_UKR(ukr64_f16, UKR64_CASES, LOUPE_DTYPE_F16)
DEFINE_UKR(ukr64_f32, UKR64_CASES, LOUPE_DTYPE_F32)

// ---- 12 × 32: x rows read in place, b = one panel [k][32] (n ≤ 32: LoRA down-projections) ----

#define MR 12

static LOUPE_AVX512 AI void ukr32(loupe_dtype dt, int mr, size_t K, const float *x, size_t ldx, const char *b,
                                  const char *pf, float *y, const loupe_gemm_args *g, size_t row, size_t panel,
                                  int nv) {
    (void)pf;  // n ≤ 32: a single panel, nothing to prefetch
    __m512 c[MR * 2];
    for (int i = 0; i < MR * 2; i++) c[i] = _mm512_setzero_ps();
    size_t line = dt == LOUPE_DTYPE_F32 ? 128 : 64;
    loupe_prefetch_rows(y, g->ldy, mr, (size_t)nv * 4);
    const float *xr[MR];
    for (int i = 0; i < mr; i++) xr[i] = x + (size_t)i * ldx;
    for (size_t k = 0; k < K; k++) {
        __m512 w0, w1;
        widen32(dt, b + k * line, &w0, &w1);
        for (int i = 0; i < mr; i++) {
            __m512 xv = _mm512_set1_ps(xr[i][k]);
            c[2 * i] = _mm512_fmadd_ps(xv, w0, c[2 * i]);
            c[2 * i + 1] = _mm512_fmadd_ps(xv, w1, c[2 * i + 1]);
        }
    }
    loupe_store_tile_avx512(c, 2, mr, nv, g->bias ? g->bias + panel * 32 : NULL, g->flags, y, g->ldy, g->lora,
                            row, panel * 32);
}

#define UKR32_CASES(DT) \
    switch (mr) { \
    UKR_CASE(ukr32, DT, 1) UKR_CASE(ukr32, DT, 2) UKR_CASE(ukr32, DT, 3) UKR_CASE(ukr32, DT, 4) \
    UKR_CASE(ukr32, DT, 5) UKR_CASE(ukr32, DT, 6) UKR_CASE(ukr32, DT, 7) UKR_CASE(ukr32, DT, 8) \
    UKR_CASE(ukr32, DT, 9) UKR_CASE(ukr32, DT, 10) UKR_CASE(ukr32, DT, 11) \
    default: ukr32(DT, 12, K, x, ldx, b, pf, y, g, row, panel, nv); break; \
    }

DEFINE_UKR(ukr32_bf16, UKR32_CASES, LOUPE_DTYPE_BF16)
DEFINE_UKR(ukr32_f16, UKR32_CASES, LOUPE_DTYPE_F16)
DEFINE_UKR(ukr32_f32, UKR32_CASES, LOUPE_DTYPE_F32)

// ---- widened panels: 6 × 64 on f32 weights widened once per (panel, k block) and thread ----
// Where 512-bit fmas run at full width (Zen 5: two per cycle), the widening (2 shifts/masks per 32
// weights) and the broadcasts share the vector pipes with the fmas and cap the register-widening
// kernel at 0.6–0.8 of the fma peak. Here a k block of each panel is widened into per-thread scratch
// once and every row tile of the X block reuses it: the inner loop is 4 aligned loads, 6 broadcasts
// and 24 fmas. Partial sums cross k blocks through an accumulator buffer (a store and reload does
// not change a float), so every output is still the fp32 fma chain over k ascending.

#define KC 512   // k rows per widened block when K is larger than 1024 (a 128 KB block in L2)

// Widens k rows [k0, k0 + kn) of panel b (dtype dt, packed layout) into wf [kn][64] f32.
static LOUPE_AVX512 void widen_panel(loupe_dtype dt, const char *b, size_t k0, size_t kn, float *wf) {
    size_t line = 64 * (dt == LOUPE_DTYPE_F32 ? 4 : 2), half = line / 2;
    for (size_t k = 0; k < kn; k++) {
        __m512 w[4];
        widen32(dt, b + (k0 + k) * line, &w[0], &w[1]);
        widen32(dt, b + (k0 + k) * line + half, &w[2], &w[3]);
        for (int j = 0; j < 4; j++) _mm512_store_ps(wf + k * 64 + 16 * j, w[j]);
    }
}

// acc: this tile's partial sums [mr][64] (read unless first, written unless last).
static LOUPE_AVX512 AI void ukr64w(int mr, size_t kn, const float *x, size_t ldx, const float *wf, float *acc,
                                   int first, int last, float *y, const loupe_gemm_args *g, size_t row, size_t panel,
                                   int nv) {
    __m512 c[6 * 4];
    for (int i = 0; i < 6 * 4; i++) c[i] = _mm512_setzero_ps();
    if (last) loupe_prefetch_rows(y, g->ldy, mr, (size_t)nv * 4);
    if (!first)
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < 4; j++) c[i * 4 + j] = _mm512_load_ps(acc + i * 64 + 16 * j);
    const float *xr[6];
    for (int i = 0; i < mr; i++) xr[i] = x + (size_t)i * ldx;
    for (size_t k = 0; k < kn; k++) {
        __m512 w[4];
        for (int j = 0; j < 4; j++) w[j] = _mm512_load_ps(wf + k * 64 + 16 * j);
        for (int i = 0; i < mr; i++) {
            __m512 xv = _mm512_set1_ps(xr[i][k]);
            for (int j = 0; j < 4; j++) c[i * 4 + j] = _mm512_fmadd_ps(xv, w[j], c[i * 4 + j]);
        }
    }
    if (last) {
        loupe_store_tile_avx512(c, 4, mr, nv, g->bias ? g->bias + panel * 64 : NULL, g->flags, y, g->ldy, g->lora,
                                row, panel * 64);
    } else {
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < 4; j++) _mm512_store_ps(acc + i * 64 + 16 * j, c[i * 4 + j]);
    }
}

#define UKRW_CASE(R) case R: ukr64w(R, kn, x, ldx, wf, acc, first, last, y, g, row, panel, nv); break;
static LOUPE_AVX512 void ukr64w_any(int mr, size_t kn, const float *x, size_t ldx, const float *wf, float *acc,
                                    int first, int last, float *y, const loupe_gemm_args *g, size_t row, size_t panel,
                                    int nv) {
    switch (mr) {
    UKRW_CASE(1) UKRW_CASE(2) UKRW_CASE(3) UKRW_CASE(4) UKRW_CASE(5)
    default: ukr64w(6, kn, x, ldx, wf, acc, first, last, y, g, row, panel, nv); break;
    }
}

static void gemm_widened_panels(const loupe_gemm_args *g) {
    const loupe_weights *w = g->w;
    size_t K = w->k, m = g->m;
    size_t mc = (384 * 1024 / 4) / K / 6 * 6;
    if (mc < 6) mc = 6;
    if (mc > 40 * 6) mc = 40 * 6;
    if (mc > (m + 5) / 6 * 6) mc = (m + 5) / 6 * 6;
    size_t kc = K <= 1024 ? K : KC;
    float *wf = loupe_scratch(kc * 64 + mc * 64);
    if (!wf) { loupe_gemm_plain(g); return; }
    float *accbuf = wf + kc * 64;
    const char *wdata = w->data;
    size_t panel_bytes = K * 64 * w->elem_size;
    for (size_t i0 = 0; i0 < m; i0 += mc) {
        size_t rows = m - i0 < mc ? m - i0 : mc;
        for (size_t p = g->p0; p < g->p1; p++) {
            int nv = (int)(w->n - p * 64 < 64 ? w->n - p * 64 : 64);
            for (size_t k0 = 0; k0 < K; k0 += kc) {
                size_t kn = K - k0 < kc ? K - k0 : kc;
                widen_panel(w->dtype, wdata + p * panel_bytes, k0, kn, wf);
                for (size_t r0 = 0; r0 < rows; r0 += 6) {
                    int mr = (int)(rows - r0 < 6 ? rows - r0 : 6);
                    size_t r = i0 + r0;
                    ukr64w_any(mr, kn, g->x + r * g->ldx + k0, g->ldx, wf, accbuf + r0 * 64, k0 == 0, k0 + kn == K,
                               g->y + r * g->ldy + p * 64, g, g->row + r, p, nv);
                }
            }
        }
    }
}

// Rows of X in blocks of mc: a block (mc × K floats) stays in L2 (1 MB on Zen 4) while every panel
// of this thread streams past it; inside a block, tiles of mr_max rows per panel.
static void gemm_blocks(const loupe_gemm_args *g, int mr_max, size_t nr, int max_tiles, ukr_fn kern) {
    const loupe_weights *w = g->w;
    size_t K = w->k, m = g->m;
    size_t mc = (384 * 1024 / 4) / K / (size_t)mr_max * (size_t)mr_max;
    if (mc < (size_t)mr_max) mc = (size_t)mr_max;
    if (mc > (size_t)(max_tiles * mr_max)) mc = (size_t)(max_tiles * mr_max);
    const char *wdata = w->data;
    size_t panel_bytes = K * nr * w->elem_size;
    for (size_t i0 = 0; i0 < m; i0 += mc) {
        size_t rows = m - i0 < mc ? m - i0 : mc;
        for (size_t p = g->p0; p < g->p1; p++) {
            size_t n0 = p * nr;
            int nv = (int)(w->n - n0 < nr ? w->n - n0 : nr);
            const char *pf = p + 1 < g->p1 ? wdata + (p + 1) * panel_bytes : NULL;
            for (size_t r0 = 0; r0 < rows; r0 += (size_t)mr_max) {
                int mr = (int)(rows - r0 < (size_t)mr_max ? rows - r0 : (size_t)mr_max);
                size_t r = i0 + r0;
                kern(mr, K, g->x + r * g->ldx, g->ldx, wdata + p * panel_bytes, pf, g->y + r * g->ldy + n0, g,
                     g->row + r, p, nv);
            }
        }
    }
}

void loupe_gemm_avx512(const loupe_gemm_args *g) {
    loupe_dtype dt = g->w->dtype;
    if (g->w->nr == 64 && dt != LOUPE_DTYPE_F32 && loupe_gemm_shape_for_rows(g->m) == LOUPE_SHAPE_WIDENED_PANELS)
        gemm_widened_panels(g);
    else if (g->w->nr == 64)
        gemm_blocks(g, 6, 64, 40, dt == LOUPE_DTYPE_BF16 ? ukr64_bf16 : dt == LOUPE_DTYPE_F16 ? ukr64_f16 : ukr64_f32);
    else
        gemm_blocks(g, MR, 32, 20, dt == LOUPE_DTYPE_BF16 ? ukr32_bf16 : dt == LOUPE_DTYPE_F16 ? ukr32_f16 : ukr32_f32);
}
#endif
