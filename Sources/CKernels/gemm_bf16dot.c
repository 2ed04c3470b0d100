// LOSSY GEMM for LOUPE_DTYPE_BF16_DOT weights: x is rounded to bf16 and vdpbf16ps multiplies two
// k values per fp32 lane (products exact, fp32 accumulation), twice the exact path's throughput
// on Zen 4 (measured 232 vs 115 GFLOP per core-second). Not used unless weights are packed as
// BF16_DOT; the exact kernels are in gemm_avx512.c.
#include "internal.h"
#if defined(__x86_64__)
#include <string.h>

#define MR 12
#define AI __attribute__((always_inline)) inline
#define LOUPE_AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma")))

// a: x as bf16 pairs [pairs][mr] (uint32 each); b: one panel [pairs][64 halves].
static LOUPE_AVX512BF16 AI void ukr(int mr, size_t pairs, const uint32_t *a, const uint16_t *b, float *y,
                                    const loupe_gemm_args *g, size_t row, size_t panel, int nv) {
    __m512 c[MR * 2];
    for (int i = 0; i < MR * 2; i++) c[i] = _mm512_setzero_ps();
    for (size_t kk = 0; kk < pairs; kk++) {
        __m512bh w0 = (__m512bh)_mm512_load_si512(b + kk * 64);
        __m512bh w1 = (__m512bh)_mm512_load_si512(b + kk * 64 + 32);
        const uint32_t *ak = a + kk * (size_t)mr;
        for (int i = 0; i < mr; i++) {
            __m512bh xv = (__m512bh)_mm512_set1_epi32((int)ak[i]);
            c[2 * i] = _mm512_dpbf16_ps(c[2 * i], w0, xv);
            c[2 * i + 1] = _mm512_dpbf16_ps(c[2 * i + 1], w1, xv);
        }
    }
    loupe_store_tile_avx512(c, 2, mr, nv, g->bias ? g->bias + panel * LOUPE_NR : NULL, g->flags, y, g->ldy,
                            g->lora, row, panel * LOUPE_NR);
}

static LOUPE_AVX512BF16 void ukr_any(int mr, size_t pairs, const uint32_t *a, const uint16_t *b, float *y,
                                     const loupe_gemm_args *g, size_t row, size_t panel, int nv) {
    switch (mr) {
    case 1: ukr(1, pairs, a, b, y, g, row, panel, nv); break;
    case 2: ukr(2, pairs, a, b, y, g, row, panel, nv); break;
    case 3: ukr(3, pairs, a, b, y, g, row, panel, nv); break;
    case 4: ukr(4, pairs, a, b, y, g, row, panel, nv); break;
    case 5: ukr(5, pairs, a, b, y, g, row, panel, nv); break;
    case 6: ukr(6, pairs, a, b, y, g, row, panel, nv); break;
    case 7: ukr(7, pairs, a, b, y, g, row, panel, nv); break;
    case 8: ukr(8, pairs, a, b, y, g, row, panel, nv); break;
    case 9: ukr(9, pairs, a, b, y, g, row, panel, nv); break;
    case 10: ukr(10, pairs, a, b, y, g, row, panel, nv); break;
    case 11: ukr(11, pairs, a, b, y, g, row, panel, nv); break;
    default: ukr(12, pairs, a, b, y, g, row, panel, nv); break;
    }
}

// Rows [0, rows) of x → bf16 pairs (x[2kk] low half, x[2kk+1] high half; 0 past k) per MR group.
static void pack_x_pairs(const float *x, size_t rows, size_t ldx, size_t K, uint32_t *dst) {
    size_t pairs = (K + 1) / 2;
    for (size_t r0 = 0; r0 < rows; r0 += MR) {
        size_t mr = rows - r0 < MR ? rows - r0 : MR;
        for (size_t i = 0; i < mr; i++) {
            const float *xi = x + (r0 + i) * ldx;
            for (size_t kk = 0; kk < pairs; kk++) {
                uint32_t lo = loupe_f32_to_bf16_rne(xi[2 * kk]);
                uint32_t hi = 2 * kk + 1 < K ? loupe_f32_to_bf16_rne(xi[2 * kk + 1]) : 0;
                dst[kk * mr + i] = lo | (hi << 16);
            }
        }
        dst += mr * pairs;
    }
}

void loupe_gemm_bf16dot_avx512(const loupe_gemm_args *g) {
    const loupe_weights *w = g->w;
    size_t K = w->k, pairs = (K + 1) / 2, m = g->m;
    size_t mc = (384 * 1024 / 4) / pairs / MR * MR;
    if (mc < MR) mc = MR;
    if (mc > 20 * MR) mc = 20 * MR;
    if (mc > m) mc = m;
    uint32_t *ap = (uint32_t *)loupe_scratch(mc * pairs);
    if (!ap) { loupe_gemm_bf16dot_plain(g); return; }
    const uint16_t *wdata = w->data;
    size_t panel_halves = pairs * 64;
    for (size_t i0 = 0; i0 < m; i0 += mc) {
        size_t rows = m - i0 < mc ? m - i0 : mc;
        pack_x_pairs(g->x + i0 * g->ldx, rows, g->ldx, K, ap);
        for (size_t p = g->p0; p < g->p1; p++) {
            size_t n0 = p * LOUPE_NR;
            int nv = (int)(w->n - n0 < LOUPE_NR ? w->n - n0 : LOUPE_NR);
            const uint32_t *a = ap;
            for (size_t r0 = 0; r0 < rows; r0 += MR) {
                int mr = (int)(rows - r0 < MR ? rows - r0 : MR);
                size_t r = i0 + r0;
                ukr_any(mr, pairs, a, wdata + p * panel_halves, g->y + r * g->ldy + n0, g, g->row + r, p, nv);
                a += (size_t)mr * pairs;
            }
        }
    }
}
#endif
