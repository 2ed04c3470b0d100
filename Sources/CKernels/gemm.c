// loupe_gemm: argument checks, the plain reference path and the split over threads.
// The AVX-512 body lives in gemm_avx512.c; both compute every output as the same sequence of
// fp32 fmas (k ascending from 0), so they agree bit for bit.
#include "internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

float loupe_lora_term(const loupe_lora *lora, size_t row, size_t col, int *active) {
    *active = 0;
    if (!lora) return 0;
    int32_t a = lora->adapter[row];
    if (a < 0 || (size_t)a >= lora->count) return 0;
    *active = 1;
    const float *t = lora->t + row * lora->ldt + (size_t)a * lora->rank;
    float l = 0;
    for (size_t q = 0; q < lora->rank; q++) l = fmaf(t[q], loupe_weights_get(lora->up[a], col, q), l);
    return l;
}

// Plain C over panels [p0, p1): widen one weight row at a time, then one fma chain per output.
void loupe_gemm_plain(const loupe_gemm_args *g) {
    const loupe_weights *w = g->w;
    size_t k = w->k;
    float *row = loupe_scratch(k);
    if (!row) return;
    size_t n0 = g->p0 * w->nr, n1 = g->p1 * w->nr < w->n ? g->p1 * w->nr : w->n;
    for (size_t j = n0; j < n1; j++) {
        for (size_t c = 0; c < k; c++) row[c] = loupe_weights_get(w, j, c);
        for (size_t i = 0; i < g->m; i++) {
            const float *xi = g->x + i * g->ldx;
            float acc = 0;
            for (size_t c = 0; c < k; c++) acc = fmaf(xi[c], row[c], acc);
            int active;
            float l = loupe_lora_term(g->lora, g->row + i, j, &active);
            float *yij = g->y + i * g->ldy + j;
            *yij = loupe_epilogue_scalar(acc, g->bias ? g->bias + j : NULL, active, l, g->flags, *yij);
        }
    }
}

typedef void (*gemm_body)(const loupe_gemm_args *g);

typedef struct {
    loupe_gemm_args args;
    gemm_body body;   // the kernel for this dtype and CPU (or the plain reference)
    int split_rows;   // threads take row ranges (all panels) instead of panel ranges (all rows)
    atomic_int quantized;  // INT8: parts done quantizing their share of the rows
    atomic_size_t next_row;  // split_rows: the first row no part has taken yet
} gemm_job;

// Runs the body on rows [r0, r1) and every panel (quantizing those rows first for INT8).
static void gemm_rows(const gemm_job *j, size_t r0, size_t r1) {
    loupe_gemm_args g = j->args;
    g.x += r0 * g.ldx; g.y += r0 * g.ldy; g.m = r1 - r0; g.row += r0;
    g.p0 = 0; g.p1 = g.w->panels;
    if (g.xq) {
        g.xq += r0 * g.ldq; g.xs += r0; g.xz += r0;
        loupe_quantize_rows(g.x, g.m, g.ldx, g.w->k, (uint8_t *)g.xq, g.ldq, (float *)g.xs, (int32_t *)g.xz,
                            g.flags & LOUPE_GEMM_PLAIN);
    }
    j->body(&g);
}

// Thread `index` of `count` takes a contiguous run of panels (output columns); every thread
// reads all of X, so no thread waits for another and the sums never depend on the split.
// With many rows (or fewer panels than threads), threads take row ranges instead, in whole
// 12-row units: each thread then reads only its own rows of X, and the weights are streamed
// the same number of times. Row ranges are taken from a shared counter, large first and
// shrinking to 12 rows (guided self-scheduling): on a shared machine one core often runs slower
// for a while, and equal shares fixed in advance left the other waiting at every job's end
// (~2 % of a forward pass, issue 16).
static void gemm_part(void *ctx, int index, int count) {
    gemm_job *j = ctx;
    loupe_gemm_args g = j->args;
    size_t panels = g.w->panels;
    if (j->split_rows) {
        size_t m = g.m;
        for (;;) {
            size_t r0 = atomic_load_explicit(&j->next_row, memory_order_relaxed), units, r1;
            do {
                if (r0 >= m) return;
                units = (m - r0 + 11) / 12;
                units = (units + 2 * (size_t)count - 1) / (2 * (size_t)count);  // half an even share of what is left
                r1 = r0 + units * 12 < m ? r0 + units * 12 : m;
            } while (!atomic_compare_exchange_weak_explicit(&j->next_row, &r0, r1, memory_order_relaxed,
                                                            memory_order_relaxed));
            gemm_rows(j, r0, r1);
        }
    }
    if (g.xq) {
        // INT8: every part quantizes a slice of the rows of x, after which all parts wait for each
        // other: each needs every row.
        size_t r0 = g.m * (size_t)index / (size_t)count, r1 = g.m * (size_t)(index + 1) / (size_t)count;
        if (r0 < r1)
            loupe_quantize_rows(g.x + r0 * g.ldx, r1 - r0, g.ldx, g.w->k, (uint8_t *)g.xq + r0 * g.ldq, g.ldq,
                                (float *)g.xs + r0, (int32_t *)g.xz + r0, g.flags & LOUPE_GEMM_PLAIN);
        loupe_pool_barrier(&j->quantized, count, index);
    }
    g.p0 = panels * (size_t)index / (size_t)count;
    g.p1 = panels * (size_t)(index + 1) / (size_t)count;
    if (g.p0 < g.p1) j->body(&g);
}

// The AVX-512 kernel for w's dtype when the CPU has what it needs, else the plain path (the same
// bits for the exact and int8 dtypes; the same products in another order for BF16_DOT).
static gemm_body pick_body(const loupe_weights *w, int flags) {
#if defined(__x86_64__)
    if (!(flags & LOUPE_GEMM_PLAIN) && loupe_has_avx512()) {
        if (w->dtype == LOUPE_DTYPE_INT8) { if (loupe_has_avx512_vnni()) return loupe_gemm_int8_vnni; }
        else if (w->dtype == LOUPE_DTYPE_BF16_DOT) { if (loupe_has_avx512_bf16()) return loupe_gemm_bf16dot_avx512; }
        else return loupe_gemm_avx512;
    }
#endif
    return w->dtype == LOUPE_DTYPE_INT8 ? loupe_gemm_int8_plain
         : w->dtype == LOUPE_DTYPE_BF16_DOT ? loupe_gemm_bf16dot_plain : loupe_gemm_plain;
}

static int lora_fits(const loupe_lora *lora, const loupe_weights *w) {
    if (!lora) return 1;
    if (!lora->t || !lora->adapter || (!lora->up && lora->count) || lora->rank == 0) return 0;
    if (lora->ldt < lora->count * lora->rank) return 0;
    for (size_t a = 0; a < lora->count; a++) {
        const loupe_weights *u = lora->up[a];
        if (!u || u->dtype != LOUPE_DTYPE_F32 || u->n != w->n || u->k != lora->rank || u->nr % w->nr) return 0;
    }
    return 1;
}

int loupe_gemm_lora(const float *x, size_t m, size_t ldx, const loupe_weights *w, const float *bias,
                    const loupe_lora *lora, float *y, size_t ldy, int flags) {
    if (!x || !w || !y || m == 0 || ldx < w->k || ldy < w->n) return -1;
    if (!lora_fits(lora, w)) return -1;
    gemm_job job = {{x, m, ldx, w, bias, y, ldy, flags, lora, 0, 0, 0, NULL, 0, NULL, NULL}, pick_body(w, flags), 0, 0, 0};
    // Below ~1 MFLOP the wake-up of a second thread costs more than it saves.
    double flops = 2.0 * (double)m * (double)w->n * (double)w->k;
    int threads = loupe_get_threads();
    if (flops < 1e6 || threads < 1) threads = 1;
    // Rows when there are many (each thread reads only its own), or too few panels to share.
    job.split_rows = threads > 1 && (m >= 192 || (w->panels < (size_t)threads && m >= 24));
    if (!job.split_rows && (size_t)threads > w->panels) threads = (int)w->panels;
    if (w->dtype == LOUPE_DTYPE_INT8) {
        // The quantized activations (u8 rows, then one scale and one zero point per row) live in the
        // caller's scratch; the parts fill it (gemm_part).
        size_t ldq = (loupe_int8_quads(w->k) * 4 + 63) & ~(size_t)63;
        uint8_t *q = loupe_scratch_bytes(m * ldq + m * (sizeof(float) + sizeof(int32_t)));
        if (!q) return -1;
        float *xs = (float *)(q + m * ldq);
        job.args.xq = q; job.args.ldq = ldq; job.args.xs = xs; job.args.xz = (int32_t *)(xs + m);
    }
    if (threads == 1) gemm_part(&job, 0, 1);
    else loupe_pool_run(threads, gemm_part, &job);
    return 0;
}

void loupe_gemm(const float *x, size_t m, size_t ldx, const loupe_weights *w,
                const float *bias, float *y, size_t ldy, int flags) {
    loupe_gemm_lora(x, m, ldx, w, bias, NULL, y, ldy, flags);
}

// Lossy reference: x rounded to bf16, weights exact, fp32 fma chain over k ascending.
void loupe_gemm_bf16dot_plain(const loupe_gemm_args *g) {
    const loupe_weights *w = g->w;
    size_t k = w->k;
    float *row = loupe_scratch(2 * k);
    if (!row) return;
    float *xr = row + k;
    size_t n0 = g->p0 * w->nr, n1 = g->p1 * w->nr < w->n ? g->p1 * w->nr : w->n;
    for (size_t i = 0; i < g->m; i++) {
        for (size_t c = 0; c < k; c++) {
            uint32_t bits = (uint32_t)loupe_f32_to_bf16_rne(g->x[i * g->ldx + c]) << 16;
            memcpy(&xr[c], &bits, 4);
        }
        for (size_t j = n0; j < n1; j++) {
            float acc = 0;
            for (size_t c = 0; c < k; c++) acc = fmaf(xr[c], loupe_weights_get(w, j, c), acc);
            int active;
            float l = loupe_lora_term(g->lora, g->row + i, j, &active);
            float *yij = g->y + i * g->ldy + j;
            *yij = loupe_epilogue_scalar(acc, g->bias ? g->bias + j : NULL, active, l, g->flags, *yij);
        }
    }
}

void loupe_gemm_epilogue(const float *acc, size_t lda, size_t m, size_t n, const float *bias,
                         const loupe_lora *lora, size_t col0, float *y, size_t ldy, int flags) {
    // The up matrices widened once for these columns, bt[a][j][q] (the packed getter per element
    // would dominate the fallback's time); without memory for them, the getter is used.
    float *bt = NULL;
    if (lora && lora->count) {
        bt = malloc(lora->count * n * lora->rank * sizeof(float));
        if (bt)
            for (size_t a = 0; a < lora->count; a++)
                for (size_t j = 0; j < n; j++)
                    for (size_t q = 0; q < lora->rank; q++)
                        bt[(a * n + j) * lora->rank + q] = loupe_weights_get(lora->up[a], col0 + j, q);
    }
    for (size_t i = 0; i < m; i++) {
        int32_t a = lora ? lora->adapter[i] : -1;
        int active = a >= 0 && (size_t)a < lora->count;
        const float *t = active ? lora->t + i * lora->ldt + (size_t)a * lora->rank : NULL;
        for (size_t j = 0; j < n; j++) {
            float l = 0;
            for (size_t q = 0; active && q < lora->rank; q++)
                l = fmaf(t[q], bt ? bt[((size_t)a * n + j) * lora->rank + q] : loupe_weights_get(lora->up[a], col0 + j, q), l);
            y[i * ldy + j] = loupe_epilogue_scalar(acc[i * lda + j], bias ? bias + j : NULL, active, l, flags,
                                                   y[i * ldy + j]);
        }
    }
    free(bt);
}
