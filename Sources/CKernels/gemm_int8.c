// INT8 GEMM for LOUPE_DTYPE_INT8 weights (q_w with per-row scales s_w, loupe_weights_pack_int8) and
// activations quantized per row at run time (loupe_quantize_rows: u8 values u with zero point z and
// scale s_x, x ≈ (u - z) · s_x):
//   acc[i, j] = Σ_c (u[i, c] - z[i]) · q_w[j, c]       exact in int32 (|acc| ≤ 255 · 127 · k < 2^31 for k < 66,000)
//   y[i, j]   = epilogue((float)acc · (s_x[i] · s_w[j]))   (bias, LoRA, pre-add, GELU, accumulate)
// AVX512_VNNI: vpdpbusd multiplies the unsigned x bytes by the signed weight bytes and adds groups of
// 4 products into int32 lanes, i.e. Σ u · q_w; z[i] · Σ_c q_w[j, c] (the weights' row sums, from
// pack time) is subtracted once per output. The 6 × 64 tile is the exact kernel's: per k quad,
// 4 weight vectors (16 rows × 4 k bytes each), 6 broadcast x quads, 24 vpdpbusd — 4 × the
// multiply-adds of an fp32 fma per instruction. Integer sums do not depend on order, and the fp32
// epilogue is the same sequence in both paths, so the plain path (which sums (u - z) · q_w
// directly) and every thread count agree bit for bit.
#include "internal.h"
#include <string.h>

// ---- activation quantization ----

static void quantize_rows_plain(const float *x, size_t rows, size_t ldx, size_t k, uint8_t *q, size_t ldq,
                                float *scale, int32_t *zp) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float lo = 0, hi = 0;
        for (size_t c = 0; c < k; c++) {
            lo = xr[c] < lo ? xr[c] : lo;
            hi = xr[c] > hi ? xr[c] : hi;
        }
        float inv = loupe_u8_inv(lo, hi, &zp[r], &scale[r]);
        uint8_t *qr = q + r * ldq;
        for (size_t c = 0; c < k; c++) qr[c] = loupe_u8_round(xr[c], inv, zp[r]);
        memset(qr + k, (int)zp[r], ldq - k);
    }
}

#if defined(__x86_64__)
#define AI __attribute__((always_inline)) inline
#define LOUPE_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma")))

// The same operations as quantize_rows_plain on 16 lanes: minima / maxima are exact in any order
// (a NaN lane keeps the running value, like the scalar comparisons), and vmaxps(t, -255) / vminps /
// vcvtps2dq (nearest even) / integer clamp are the scalar rule's steps.
static LOUPE_AVX512 void quantize_rows_avx512(const float *x, size_t rows, size_t ldx, size_t k, uint8_t *q,
                                              size_t ldq, float *scale, int32_t *zp) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        for (size_t c = 0; c < k; c += 16) {
            size_t left = k - c;
            __m512 v = _mm512_maskz_loadu_ps(left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1), xr + c);
            lo = _mm512_min_ps(v, lo);
            hi = _mm512_max_ps(v, hi);
        }
        float inv = loupe_u8_inv(_mm512_reduce_min_ps(lo), _mm512_reduce_max_ps(hi), &zp[r], &scale[r]);
        const __m512 vinv = _mm512_set1_ps(inv), tlo = _mm512_set1_ps(-255.0f), thi = _mm512_set1_ps(255.0f);
        const __m512i z = _mm512_set1_epi32(zp[r]), u0 = _mm512_setzero_si512(), u255 = _mm512_set1_epi32(255);
        uint8_t *qr = q + r * ldq;
        for (size_t c = 0; c < k; c += 16) {
            size_t left = k - c;
            __mmask16 t = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
            __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(t, xr + c), vinv);
            v = _mm512_min_ps(_mm512_max_ps(v, tlo), thi);
            __m512i u = _mm512_add_epi32(_mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), z);
            u = _mm512_min_epi32(_mm512_max_epi32(u, u0), u255);
            _mm_mask_storeu_epi8(qr + c, t, _mm512_cvtepi32_epi8(u));
        }
        memset(qr + k, (int)zp[r], ldq - k);
    }
}
#endif

void loupe_quantize_rows(const float *x, size_t rows, size_t ldx, size_t k, uint8_t *q, size_t ldq, float *scale,
                         int32_t *zp, int flags) {
    if (!x || !q || !scale || !zp || k == 0 || ldx < k || ldq < loupe_int8_quads(k) * 4) return;
#if defined(__x86_64__)
    if (!(flags & LOUPE_GEMM_PLAIN) && loupe_has_avx512()) {
        quantize_rows_avx512(x, rows, ldx, k, q, ldq, scale, zp);
        return;
    }
#endif
    quantize_rows_plain(x, rows, ldx, k, q, ldq, scale, zp);
}

// ---- plain body: one output at a time, Σ (u - z) · q_w in int32 ----

void loupe_gemm_int8_plain(const loupe_gemm_args *g) {
    const loupe_weights *w = g->w;
    size_t k = w->k;
    int8_t *wrow = (int8_t *)loupe_scratch((k + 3) / 4);
    if (!wrow) return;
    const int8_t *wq = w->data;
    size_t n0 = g->p0 * 64, n1 = g->p1 * 64 < w->n ? g->p1 * 64 : w->n;
    for (size_t j = n0; j < n1; j++) {
        for (size_t c = 0; c < k; c++) wrow[c] = wq[loupe_int8_index(w, j, c)];
        for (size_t i = 0; i < g->m; i++) {
            const uint8_t *xi = g->xq + i * g->ldq;
            int32_t acc = 0, z = g->xz[i];
            for (size_t c = 0; c < k; c++) acc += ((int32_t)xi[c] - z) * (int32_t)wrow[c];
            float v = (float)acc * (g->xs[i] * w->scale[j]);
            int active;
            float l = loupe_lora_term(g->lora, g->row + i, j, &active);
            float *yij = g->y + i * g->ldy + j;
            *yij = loupe_epilogue_scalar(v, g->bias ? g->bias + j : NULL, active, l, g->flags, *yij);
        }
    }
}

#if defined(__x86_64__)
// ---- VNNI body: 6 × 64 tiles, x quads broadcast from their rows, 4 weight vectors per quad ----

static LOUPE_VNNI AI void ukr(int mr, size_t kq, const uint8_t *x, size_t ldq, const float *xs, const int32_t *xz,
                              const int8_t *b,
                              const int8_t *pf, float *y, const loupe_gemm_args *g, size_t row, size_t panel, int nv) {
    __m512i c[6 * 4];
    for (int i = 0; i < 6 * 4; i++) c[i] = _mm512_setzero_si512();
    loupe_prefetch_rows(y, g->ldy, mr, (size_t)nv * 4);
    const int32_t *xr[6];
    for (int i = 0; i < mr; i++) xr[i] = (const int32_t *)(x + (size_t)i * ldq);
    for (size_t kk = 0; kk < kq; kk++) {
        if (pf)
            for (int o = 0; o < 256; o += 64) _mm_prefetch((const char *)pf + kk * 256 + o, _MM_HINT_T1);
        __m512i w[4];
        for (int j = 0; j < 4; j++) w[j] = _mm512_load_si512(b + kk * 256 + 64 * j);
        for (int i = 0; i < mr; i++) {
            __m512i xv = _mm512_set1_epi32(xr[i][kk]);
            for (int j = 0; j < 4; j++) c[i * 4 + j] = _mm512_dpbusd_epi32(c[i * 4 + j], xv, w[j]);
        }
    }
    // (float)(Σ u·q_w − z·Σ q_w) · (s_x · s_w): the plain path's value, lane by lane.
    const loupe_weights *wt = g->w;
    __m512 f[6 * 4];
    for (int j = 0; j < 4; j++) {
        __m512i wsum = _mm512_load_si512(wt->wsum + panel * 64 + 16 * j);
        __m512 sw = _mm512_load_ps(wt->scale + panel * 64 + 16 * j);
        for (int i = 0; i < mr; i++) {
            __m512i acc = _mm512_sub_epi32(c[i * 4 + j], _mm512_mullo_epi32(_mm512_set1_epi32(xz[i]), wsum));
            f[i * 4 + j] = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(_mm512_set1_ps(xs[i]), sw));
        }
    }
    loupe_store_tile_avx512(f, 4, mr, nv, g->bias ? g->bias + panel * 64 : NULL, g->flags, y, g->ldy, g->lora,
                            row, panel * 64);
}

#define UKR8_CASE(R) case R: ukr(R, kq, x, ldq, xs, xz, b, pf, y, g, row, panel, nv); break;
static LOUPE_VNNI void ukr_any(int mr, size_t kq, const uint8_t *x, size_t ldq, const float *xs, const int32_t *xz,
                               const int8_t *b, const int8_t *pf, float *y, const loupe_gemm_args *g, size_t row,
                               size_t panel, int nv) {
    switch (mr) {
    UKR8_CASE(1) UKR8_CASE(2) UKR8_CASE(3) UKR8_CASE(4) UKR8_CASE(5)
    default: ukr(6, kq, x, ldq, xs, xz, b, pf, y, g, row, panel, nv); break;
    }
}

// Rows in blocks of mc (mc × k bytes of quantized x stay in L2 while this thread's panels stream
// past), 6-row tiles per panel, the next panel prefetched into L2.
void loupe_gemm_int8_vnni(const loupe_gemm_args *g) {
    const loupe_weights *w = g->w;
    size_t kq = loupe_int8_quads(w->k), m = g->m;
    size_t mc = (256 * 1024) / (kq * 4) / 6 * 6;
    if (mc < 6) mc = 6;
    if (mc > 40 * 6) mc = 40 * 6;
    const int8_t *wdata = w->data;
    size_t panel_bytes = kq * 256;
    for (size_t i0 = 0; i0 < m; i0 += mc) {
        size_t rows = m - i0 < mc ? m - i0 : mc;
        for (size_t p = g->p0; p < g->p1; p++) {
            int nv = (int)(w->n - p * 64 < 64 ? w->n - p * 64 : 64);
            const int8_t *pf = p + 1 < g->p1 ? wdata + (p + 1) * panel_bytes : NULL;
            for (size_t r0 = 0; r0 < rows; r0 += 6) {
                int mr = (int)(rows - r0 < 6 ? rows - r0 : 6);
                size_t r = i0 + r0;
                ukr_any(mr, kq, g->xq + r * g->ldq, g->ldq, g->xs + r, g->xz + r, wdata + p * panel_bytes, pf,
                        g->y + r * g->ldy + p * 64, g, g->row + r, p, nv);
            }
        }
    }
}
#endif
