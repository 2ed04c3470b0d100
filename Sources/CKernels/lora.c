// loupe_lora_down: the task adapters' down-projection t = scaling · x·A_aᵀ, only for each row's own
// adapter. The product with every adapter's A stacked ([count·rank, k], one 32-column panel for
// jina's 5 × 4) computed 20 columns in a 32-wide panel for the 4 each row uses: measured ~2 % of a
// forward pass with an adapter (issue 16), 8 × the work needed. Here each row computes only its
// adapter's rank outputs, one xmm of 4 lanes per row (rank 4), a tile of rows sharing an adapter
// reading one 16-byte line of the transposed A per k step.
//
// Every output is the same fma chain over k ascending as the stacked product's (then one multiply
// by the scaling), so t has the same bits as before, on either path and at any thread count.
#include "internal.h"
#include <math.h>

#define LORA_UNIT 16   // rows per share of a thread

typedef struct {
    const float *x;
    size_t m, ldx, k;
    const float *at;   // [count][k][rank]
    size_t count, rank;
    const int32_t *adapter;
    float scaling;
    float *t;
    size_t ldt;
    int plain;
} lora_down_job;

static int valid_adapter(const lora_down_job *j, size_t i) {
    int32_t a = j->adapter[i];
    return a >= 0 && (size_t)a < j->count;
}

static void lora_down_plain(const lora_down_job *j, size_t r0, size_t r1) {
    for (size_t i = r0; i < r1; i++) {
        if (!valid_adapter(j, i)) continue;
        size_t a = (size_t)j->adapter[i];
        const float *xi = j->x + i * j->ldx, *at = j->at + a * j->k * j->rank;
        for (size_t q = 0; q < j->rank; q++) {
            float acc = 0;
            for (size_t c = 0; c < j->k; c++) acc = fmaf(xi[c], at[c * j->rank + q], acc);
            j->t[i * j->ldt + a * j->rank + q] = acc * j->scaling;
        }
    }
}

#if defined(__x86_64__)
// Rows per tile: each k step reads one float from every row, and rows of a 4 KB (or 16 KB) stride
// fall into one L1 set (8 ways): 8 rows and the A line still fit, 12 would evict each other.
#define LORA_MR 8

// mr rows sharing adapter line at ([k][4]); 8 independent chains keep both fma pipes busy.
static LOUPE_AVX512 __attribute__((always_inline)) inline void
lora_tile4(int mr, size_t K, const float *x, size_t ldx, const float *at, float scaling, float *t, size_t ldt) {
    __m128 c[LORA_MR];
    const float *xr[LORA_MR];
    for (int i = 0; i < mr; i++) { c[i] = _mm_setzero_ps(); xr[i] = x + (size_t)i * ldx; }
    for (size_t k = 0; k < K; k++) {
        __m128 av = _mm_loadu_ps(at + 4 * k);
        for (int i = 0; i < mr; i++) c[i] = _mm_fmadd_ps(_mm_set1_ps(xr[i][k]), av, c[i]);
    }
    __m128 s = _mm_set1_ps(scaling);
    for (int i = 0; i < mr; i++) _mm_storeu_ps(t + (size_t)i * ldt, _mm_mul_ps(c[i], s));
}

#define LORA_CASE(R) case R: lora_tile4(R, K, x, ldx, at, scaling, t, ldt); break;
static LOUPE_AVX512 void lora_tile4_any(int mr, size_t K, const float *x, size_t ldx, const float *at, float scaling,
                                        float *t, size_t ldt) {
    switch (mr) {
    LORA_CASE(1) LORA_CASE(2) LORA_CASE(3) LORA_CASE(4) LORA_CASE(5) LORA_CASE(6) LORA_CASE(7)
    default: lora_tile4(LORA_MR, K, x, ldx, at, scaling, t, ldt); break;
    }
}

// Rows [r0, r1) in runs of up to LORA_MR consecutive rows with the same adapter.
static void lora_down_avx512(const lora_down_job *j, size_t r0, size_t r1) {
    size_t i = r0;
    while (i < r1) {
        if (!valid_adapter(j, i)) { i++; continue; }
        int32_t a = j->adapter[i];
        size_t e = i + 1;
        while (e < r1 && e - i < LORA_MR && j->adapter[e] == a) e++;
        lora_tile4_any((int)(e - i), j->k, j->x + i * j->ldx, j->ldx, j->at + (size_t)a * j->k * 4, j->scaling,
                       j->t + i * j->ldt + (size_t)a * 4, j->ldt);
        i = e;
    }
}
#endif

static void lora_down_part(void *ctx, int index, int count) {
    const lora_down_job *j = ctx;
    size_t units = (j->m + LORA_UNIT - 1) / LORA_UNIT;
    size_t r0 = units * (size_t)index / (size_t)count * LORA_UNIT;
    size_t r1 = units * (size_t)(index + 1) / (size_t)count * LORA_UNIT;
    if (r1 > j->m) r1 = j->m;
    if (r0 >= r1) return;
#if defined(__x86_64__)
    if (!j->plain && j->rank == 4 && loupe_has_avx512()) { lora_down_avx512(j, r0, r1); return; }
#endif
    lora_down_plain(j, r0, r1);
}

int loupe_lora_down(const float *x, size_t m, size_t ldx, size_t k, const float *at, size_t count, size_t rank,
                    const int32_t *adapter, float scaling, float *t, size_t ldt, int flags) {
    if (m == 0) return 0;
    if (!x || !at || !adapter || !t || k == 0 || rank == 0 || ldx < k || ldt < count * rank) return -1;
    lora_down_job job = {x, m, ldx, k, at, count, rank, adapter, scaling, t, ldt, (flags & LOUPE_GEMM_PLAIN) != 0};
    int threads = loupe_get_threads();
    // Below ~1 MFLOP the wake-up of a second thread costs more than it saves.
    if (2.0 * (double)m * (double)k * (double)rank < 1e6 || threads < 1) threads = 1;
    size_t units = (m + LORA_UNIT - 1) / LORA_UNIT;
    if ((size_t)threads > units) threads = (int)units;
    if (threads <= 1) lora_down_part(&job, 0, 1);
    else loupe_pool_run(threads, lora_down_part, &job);
    return 0;
}
