// The machine's fp32 fma peak, measured: independent zmm fma chains and nothing else, on the
// kernels' own thread pool. `loupe bench` prints it next to the encoder's GFLOP/s, so the gap
// between a case and the hardware's ceiling for exact fp32 arithmetic is visible on any machine.
#include "internal.h"
#include <time.h>

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define PEAK_ITERS 20000000L   // × 12 fmas × 16 lanes × 2 flop ≈ 7.7 GFLOP per thread

// Twelve independent accumulators: more than latency (4) × fma pipes (2 per core) needs, so the
// loop runs at the fma issue rate. Inline asm: a compiler would fold or shorten the chains.
static void peak_part(void *ctx, int index, int count) {
    (void)ctx; (void)index; (void)count;
#if defined(__x86_64__)
    long n = PEAK_ITERS;
    __asm__ volatile(
        "vxorps %%xmm0, %%xmm0, %%xmm0\n\t" "vxorps %%xmm1, %%xmm1, %%xmm1\n\t"
        "vxorps %%xmm2, %%xmm2, %%xmm2\n\t" "vxorps %%xmm3, %%xmm3, %%xmm3\n\t"
        "vxorps %%xmm4, %%xmm4, %%xmm4\n\t" "vxorps %%xmm5, %%xmm5, %%xmm5\n\t"
        "vxorps %%xmm6, %%xmm6, %%xmm6\n\t" "vxorps %%xmm7, %%xmm7, %%xmm7\n\t"
        "vxorps %%xmm8, %%xmm8, %%xmm8\n\t" "vxorps %%xmm9, %%xmm9, %%xmm9\n\t"
        "vxorps %%xmm10, %%xmm10, %%xmm10\n\t" "vxorps %%xmm11, %%xmm11, %%xmm11\n\t"
        "vxorps %%xmm12, %%xmm12, %%xmm12\n\t" "vxorps %%xmm13, %%xmm13, %%xmm13\n\t"
        "1:\n\t"
        "vfmadd231ps %%zmm12, %%zmm13, %%zmm0\n\t" "vfmadd231ps %%zmm12, %%zmm13, %%zmm1\n\t"
        "vfmadd231ps %%zmm12, %%zmm13, %%zmm2\n\t" "vfmadd231ps %%zmm12, %%zmm13, %%zmm3\n\t"
        "vfmadd231ps %%zmm12, %%zmm13, %%zmm4\n\t" "vfmadd231ps %%zmm12, %%zmm13, %%zmm5\n\t"
        "vfmadd231ps %%zmm12, %%zmm13, %%zmm6\n\t" "vfmadd231ps %%zmm12, %%zmm13, %%zmm7\n\t"
        "vfmadd231ps %%zmm12, %%zmm13, %%zmm8\n\t" "vfmadd231ps %%zmm12, %%zmm13, %%zmm9\n\t"
        "vfmadd231ps %%zmm12, %%zmm13, %%zmm10\n\t" "vfmadd231ps %%zmm12, %%zmm13, %%zmm11\n\t"
        "dec %0\n\t"
        "jnz 1b\n\t"
        "vzeroupper\n\t"
        : "+r"(n)
        :
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "cc");
#endif
}

double loupe_fma_peak_gflops(int threads) {
    if (!loupe_has_avx512()) return 0;
    if (threads < 1) threads = 1;
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {  // best of 3: the first run also wakes the pool's threads
        double t0 = seconds_now();
        if (threads == 1) peak_part(NULL, 0, 1);
        else loupe_pool_run(threads, peak_part, NULL);
        double t = seconds_now() - t0;
        double g = (double)threads * PEAK_ITERS * 12 * 16 * 2 / t / 1e9;
        if (g > best) best = g;
    }
    return best;
}
