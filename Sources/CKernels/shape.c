// The exact kernels' tile shape for 16-bit weights (gemm_avx512.c): widened in registers or
// widened panels. Both give the same bits; which is faster depends on how the CPU executes 512-bit
// fmas, so it is chosen at run time: LOUPE_GEMM_SHAPE if set, else a short calibration at model
// load (loupe_gemm_shape_calibrate) when it shows a clear winner, else the CPU family's default.
#include "internal.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_int forced_shape;    // loupe_set_gemm_shape; LOUPE_SHAPE_AUTO = not forced
static atomic_int resolved_shape;  // what AUTO means here; LOUPE_SHAPE_AUTO = not decided yet

static loupe_gemm_shape env_shape(void) {
    const char *env = getenv("LOUPE_GEMM_SHAPE");
    if (env && strcmp(env, "registers") == 0) return LOUPE_SHAPE_REGISTERS;
    if (env && strcmp(env, "panels") == 0) return LOUPE_SHAPE_WIDENED_PANELS;
    return LOUPE_SHAPE_AUTO;
}

// Zen 5 (family 26) and later execute 512-bit fmas at full width; Zen 4 splits them in two.
static loupe_gemm_shape family_shape(void) {
    return loupe_cpu_is_amd() && loupe_cpu_family() >= 26 ? LOUPE_SHAPE_WIDENED_PANELS : LOUPE_SHAPE_REGISTERS;
}

loupe_gemm_shape loupe_gemm_shape_default(void) {
    loupe_gemm_shape e = env_shape();
    if (e != LOUPE_SHAPE_AUTO) return e;
    loupe_gemm_shape r = (loupe_gemm_shape)atomic_load(&resolved_shape);
    return r != LOUPE_SHAPE_AUTO ? r : family_shape();
}

void loupe_set_gemm_shape(loupe_gemm_shape shape) { atomic_store(&forced_shape, (int)shape); }

loupe_gemm_shape loupe_gemm_shape_for_rows(size_t m) {
    loupe_gemm_shape s = (loupe_gemm_shape)atomic_load(&forced_shape);
    if (s == LOUPE_SHAPE_AUTO) {
        s = (loupe_gemm_shape)atomic_load(&resolved_shape);
        if (s == LOUPE_SHAPE_AUTO) { s = loupe_gemm_shape_default(); atomic_store(&resolved_shape, (int)s); }
    }
    // One or two row tiles do not repay widening a panel (every weight is used ≤ 12 times).
    return s == LOUPE_SHAPE_WIDENED_PANELS && m < 12 ? LOUPE_SHAPE_REGISTERS : s;
}

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

loupe_gemm_shape loupe_gemm_shape_calibrate(double *registers_gflops, double *panels_gflops) {
    if (registers_gflops) *registers_gflops = 0;
    if (panels_gflops) *panels_gflops = 0;
    if (env_shape() != LOUPE_SHAPE_AUTO || !loupe_has_avx512()) return loupe_gemm_shape_default();
    // A jina-v3 out_proj-sized product on the pool's threads: 48 rows (a few tiles per thread), bf16
    // weights 1024 × 1024; 2·48·1024·1024 ≈ 0.1 GFLOP, ~0.5 ms per run at the Zen 4 fma peak.
    enum { M = 48, N = 1024, K = 1024, ROUNDS = 8 };
    uint16_t *wb = malloc((size_t)N * K * sizeof(uint16_t));
    float *x = malloc((size_t)M * K * sizeof(float)), *y = malloc((size_t)M * N * sizeof(float));
    loupe_weights *w = NULL;
    if (wb && x && y) {
        uint32_t r = 12345;
        for (size_t i = 0; i < (size_t)N * K; i++) { r = r * 1664525u + 1013904223u; wb[i] = (uint16_t)(0x3c00 | (r >> 25)); }
        for (size_t i = 0; i < (size_t)M * K; i++) { r = r * 1664525u + 1013904223u; x[i] = (float)(r >> 8) * 0x1p-24f - 0.5f; }
        w = loupe_weights_pack(LOUPE_DTYPE_BF16, wb, N, K, K);
    }
    loupe_gemm_shape chosen = loupe_gemm_shape_default();
    if (w) {
        int saved = atomic_load(&forced_shape);
        double best[2] = {1e30, 1e30};
        for (int round = 0; round < ROUNDS; round++)  // interleaved, best of each: other load hits both alike
            for (int s = 0; s < 2; s++) {
                atomic_store(&forced_shape, s ? LOUPE_SHAPE_WIDENED_PANELS : LOUPE_SHAPE_REGISTERS);
                double t0 = seconds_now();
                loupe_gemm(x, M, K, w, NULL, y, N, 0);
                double t = seconds_now() - t0;
                if (t < best[s]) best[s] = t;
            }
        atomic_store(&forced_shape, saved);
        double flop = 2.0 * M * N * K;
        if (registers_gflops) *registers_gflops = flop / best[0] / 1e9;
        if (panels_gflops) *panels_gflops = flop / best[1] / 1e9;
        // A clear winner (≥ 5 % faster) decides; otherwise the CPU family's default stands.
        if (best[1] < 0.95 * best[0]) chosen = LOUPE_SHAPE_WIDENED_PANELS;
        else if (best[0] < 0.95 * best[1]) chosen = LOUPE_SHAPE_REGISTERS;
        else chosen = family_shape();
        atomic_store(&resolved_shape, (int)chosen);
    }
    loupe_weights_free(w);
    free(wb); free(x); free(y);
    return chosen;
}
