// LOSSY GEMM for LOUPE_DTYPE_BF16_DOT weights: x is rounded to bf16 and vdpbf16ps multiplies two
// k values per fp32 lane (products exact, fp32 accumulation), twice the exact path's throughput
// on Zen 4 (measured 232 vs 115 GFLOP per core-second). Not used unless weights are packed as
// BF16_DOT; the exact kernels are in gemm_avx512.c.
// 6 × 64 tiles like the exact kernel: per k pair, 4 weight vectors (16 columns × 2 k each) and 6
// broadcast x pairs feed 24 vdpbf16ps. X is rounded block by block into bf16 rows (pairs of k
// side by side, as vdpbf16ps wants them), read in place by the micro-kernel.
#include "internal.h"
#if defined(__x86_64__)

#define AI __attribute__((always_inline)) inline
#define LOUPE_AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma")))

// xr: per row, bf16 pairs (uint32 each; row stride ldp pairs); b: one panel [pairs][128 halves].
static LOUPE_AVX512BF16 AI void ukr(int mr, size_t pairs, const uint32_t *xr, size_t ldp, const uint16_t *b,
                                    float *y, const loupe_gemm_args *g, size_t row, size_t panel, int nv) {
    __m512 c[6 * 4];
    for (int i = 0; i < 6 * 4; i++) c[i] = _mm512_setzero_ps();
    loupe_prefetch_rows(y, g->ldy, mr, (size_t)nv * 4);
    const uint32_t *xi[6];
    for (int i = 0; i < mr; i++) xi[i] = xr + (size_t)i * ldp;
    for (size_t kk = 0; kk < pairs; kk++) {
        __m512bh w[4];
        for (int j = 0; j < 4; j++) w[j] = (__m512bh)_mm512_load_si512(b + kk * 128 + 32 * j);
        for (int i = 0; i < mr; i++) {
            __m512bh xv = (__m512bh)_mm512_set1_epi32((int)xi[i][kk]);
            for (int j = 0; j < 4; j++) c[i * 4 + j] = _mm512_dpbf16_ps(c[i * 4 + j], w[j], xv);
        }
    }
    loupe_store_tile_avx512(c, 4, mr, nv, g->bias ? g->bias + panel * 64 : NULL, g->flags, y, g->ldy, g->lora,
                            row, panel * 64);
}

static LOUPE_AVX512BF16 void ukr_any(int mr, size_t pairs, const uint32_t *xr, size_t ldp, const uint16_t *b,
                                     float *y, const loupe_gemm_args *g, size_t row, size_t panel, int nv) {
    switch (mr) {
    case 1: ukr(1, pairs, xr, ldp, b, y, g, row, panel, nv); break;
    case 2: ukr(2, pairs, xr, ldp, b, y, g, row, panel, nv); break;
    case 3: ukr(3, pairs, xr, ldp, b, y, g, row, panel, nv); break;
    case 4: ukr(4, pairs, xr, ldp, b, y, g, row, panel, nv); break;
    case 5: ukr(5, pairs, xr, ldp, b, y, g, row, panel, nv); break;
    default: ukr(6, pairs, xr, ldp, b, y, g, row, panel, nv); break;
    }
}

// Rows [0, rows) of x → bf16 rows dst[r·ldp + kk] = x[2kk] (low half) | x[2kk+1] (high half), 0
// past k; rounding to nearest even by integer ops (the scalar loupe_f32_to_bf16_rne, 16 lanes).
static LOUPE_AVX512 void round_rows(const float *x, size_t rows, size_t ldx, size_t K, uint32_t *dst, size_t ldp) {
    const __m512i bias = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1);
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        uint16_t *d = (uint16_t *)(dst + r * ldp);
        size_t c = 0;
        for (; c + 16 <= K; c += 16) {
            __m512i u = _mm512_castps_si512(_mm512_loadu_ps(xr + c));
            __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), one);
            __m512i h = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, bias), lsb), 16);
            _mm256_storeu_si256((__m256i *)(d + c), _mm512_cvtepi32_epi16(h));
        }
        for (; c < K; c++) d[c] = loupe_f32_to_bf16_rne(xr[c]);
        if (K & 1) d[K] = 0;
    }
}

void loupe_gemm_bf16dot_avx512(const loupe_gemm_args *g) {
    const loupe_weights *w = g->w;
    size_t K = w->k, pairs = (K + 1) / 2, m = g->m;
    size_t mc = (384 * 1024 / 4) / pairs / 6 * 6;
    if (mc < 6) mc = 6;
    if (mc > 40 * 6) mc = 40 * 6;
    if (mc > m) mc = m;
    size_t ldp = (pairs + 15) / 16 * 16;  // whole 64-byte lines per row
    uint32_t *xb = (uint32_t *)loupe_scratch(mc * ldp);
    if (!xb) { loupe_gemm_bf16dot_plain(g); return; }
    const uint16_t *wdata = w->data;
    size_t panel_halves = pairs * 128;
    for (size_t i0 = 0; i0 < m; i0 += mc) {
        size_t rows = m - i0 < mc ? m - i0 : mc;
        round_rows(g->x + i0 * g->ldx, rows, g->ldx, K, xb, ldp);
        for (size_t p = g->p0; p < g->p1; p++) {
            int nv = (int)(w->n - p * 64 < 64 ? w->n - p * 64 : 64);
            for (size_t r0 = 0; r0 < rows; r0 += 6) {
                int mr = (int)(rows - r0 < 6 ? rows - r0 : 6);
                size_t r = i0 + r0;
                ukr_any(mr, pairs, xb + r0 * ldp, ldp, wdata + p * panel_halves, g->y + r * g->ldy + p * 64, g,
                        g->row + r, p, nv);
            }
        }
    }
}
#endif
