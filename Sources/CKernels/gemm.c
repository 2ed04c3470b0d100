// loupe_gemm: argument checks, the plain reference path and the split over threads.
// The AVX-512 body lives in gemm_avx512.c; both compute every output as the same sequence of
// fp32 fmas (k ascending from 0), so they agree bit for bit.
#include "internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

// Plain C over panels [p0, p1): widen one weight row at a time, then one fma chain per output.
void loupe_gemm_plain(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                      const float *bias, float *y, size_t ldy, int flags, size_t p0, size_t p1) {
    size_t k = w->k;
    float *row = loupe_scratch(k);
    if (!row) return;
    size_t n0 = p0 * LOUPE_NR, n1 = p1 * LOUPE_NR < w->n ? p1 * LOUPE_NR : w->n;
    for (size_t j = n0; j < n1; j++) {
        for (size_t c = 0; c < k; c++) row[c] = loupe_weights_get(w, j, c);
        for (size_t i = 0; i < m; i++) {
            const float *xi = x + i * ldx;
            float acc = 0;
            for (size_t c = 0; c < k; c++) acc = fmaf(xi[c], row[c], acc);
            if (bias) acc = acc + bias[j];
            if (flags & LOUPE_GEMM_PREADD) acc = acc + y[i * ldy + j];
            if (flags & LOUPE_GEMM_GELU) acc = loupe_gelu_scalar(acc);
            if (flags & LOUPE_GEMM_ACCUMULATE) acc = y[i * ldy + j] + acc;
            y[i * ldy + j] = acc;
        }
    }
}

typedef struct {
    const float *x; size_t m, ldx;
    const loupe_weights *w;
    const float *bias; float *y; size_t ldy;
    int flags, avx;
    int split_rows;   // threads take row ranges (all panels) instead of panel ranges (all rows)
} gemm_job;

// Thread `index` of `count` takes a contiguous run of panels (output columns); every thread
// reads all of X, so no thread waits for another and the sums never depend on the split.
// With many rows, threads take row ranges instead (in whole 12-row micro-panels): each thread
// then packs only its own rows of X, and the weights are streamed the same number of times.
static void gemm_part(void *ctx, int index, int count) {
    gemm_job jl = *(const gemm_job *)ctx;
    const gemm_job *j = &jl;
    size_t panels = j->w->panels, p0, p1;
    if (j->split_rows) {
        size_t units = (j->m + 11) / 12;
        size_t r0 = units * (size_t)index / (size_t)count * 12;
        size_t r1 = units * (size_t)(index + 1) / (size_t)count * 12;
        if (r1 > j->m) r1 = j->m;
        if (r0 >= r1) return;
        jl.x += r0 * j->ldx; jl.y += r0 * j->ldy; jl.m = r1 - r0;
        p0 = 0; p1 = panels;
    } else {
        p0 = panels * (size_t)index / (size_t)count;
        p1 = panels * (size_t)(index + 1) / (size_t)count;
    }
    if (p0 >= p1) return;
    if (j->w->dtype == LOUPE_DTYPE_BF16_DOT) {
#if defined(__x86_64__)
        if (j->avx == 2) {
            loupe_gemm_bf16dot_avx512(j->x, j->m, j->ldx, j->w, j->bias, j->y, j->ldy, j->flags, p0, p1);
            return;
        }
#endif
        loupe_gemm_bf16dot_plain(j->x, j->m, j->ldx, j->w, j->bias, j->y, j->ldy, j->flags, p0, p1);
        return;
    }
#if defined(__x86_64__)
    if (j->avx) {
        loupe_gemm_avx512(j->x, j->m, j->ldx, j->w, j->bias, j->y, j->ldy, j->flags, p0, p1);
        return;
    }
#endif
    loupe_gemm_plain(j->x, j->m, j->ldx, j->w, j->bias, j->y, j->ldy, j->flags, p0, p1);
}

void loupe_gemm(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                const float *bias, float *y, size_t ldy, int flags) {
    if (!x || !w || !y || m == 0 || ldx < w->k || ldy < w->n) return;
    gemm_job job = {x, m, ldx, w, bias, y, ldy, flags, 0, 0};
#if defined(__x86_64__)
    job.avx = !(flags & LOUPE_GEMM_PLAIN) && loupe_has_avx512();
    if (job.avx && w->dtype == LOUPE_DTYPE_BF16_DOT) job.avx = loupe_has_avx512_bf16() ? 2 : 0;
#endif
    // Below ~1 MFLOP the wake-up of a second thread costs more than it saves.
    double flops = 2.0 * (double)m * (double)w->n * (double)w->k;
    int threads = loupe_get_threads();
    if ((size_t)threads > w->panels) threads = (int)w->panels;
    if (flops < 1e6 || threads < 1) threads = 1;
    job.split_rows = threads > 1 && m >= 192;
    if (threads == 1) gemm_part(&job, 0, 1);
    else loupe_pool_run(threads, gemm_part, &job);
}

// Lossy reference: x rounded to bf16, weights exact, fp32 fma chain over k ascending.
void loupe_gemm_bf16dot_plain(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                              const float *bias, float *y, size_t ldy, int flags, size_t p0, size_t p1) {
    size_t k = w->k;
    float *row = loupe_scratch(2 * k);
    if (!row) return;
    float *xr = row + k;
    size_t n0 = p0 * LOUPE_NR, n1 = p1 * LOUPE_NR < w->n ? p1 * LOUPE_NR : w->n;
    for (size_t i = 0; i < m; i++) {
        for (size_t c = 0; c < k; c++) {
            uint32_t bits = (uint32_t)loupe_f32_to_bf16_rne(x[i * ldx + c]) << 16;
            memcpy(&xr[c], &bits, 4);
        }
        for (size_t j = n0; j < n1; j++) {
            float acc = 0;
            for (size_t c = 0; c < k; c++) acc = fmaf(xr[c], loupe_weights_get(w, j, c), acc);
            if (bias) acc = acc + bias[j];
            if (flags & LOUPE_GEMM_PREADD) acc = acc + y[i * ldy + j];
            if (flags & LOUPE_GEMM_GELU) acc = loupe_gelu_scalar(acc);
            if (flags & LOUPE_GEMM_ACCUMULATE) acc = y[i * ldy + j] + acc;
            y[i * ldy + j] = acc;
        }
    }
}

void loupe_gemm_epilogue(const float *acc, size_t lda, size_t m, size_t n, const float *bias,
                         float *y, size_t ldy, int flags) {
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            float v = acc[i * lda + j];
            if (bias) v = v + bias[j];
            if (flags & LOUPE_GEMM_PREADD) v = v + y[i * ldy + j];
            if (flags & LOUPE_GEMM_GELU) v = loupe_gelu_scalar(v);
            if (flags & LOUPE_GEMM_ACCUMULATE) v = y[i * ldy + j] + v;
            y[i * ldy + j] = v;
        }
    }
}
