#include "CKernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

int loupe_has_avx512(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

// An AVX-512 extension on top of F/BW/VL (the feature name must be a literal for the builtin).
#if defined(__x86_64__)
#define HAS_AVX512_AND(feature) (__builtin_cpu_init(), loupe_has_avx512() && __builtin_cpu_supports(feature))
#else
#define HAS_AVX512_AND(feature) 0
#endif

int loupe_has_avx512_bf16(void) { return HAS_AVX512_AND("avx512bf16"); }
int loupe_has_avx512_vnni(void) { return HAS_AVX512_AND("avx512vnni"); }

int loupe_cpu_family(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    unsigned base = (a >> 8) & 0xf;
    return (int)(base == 0xf ? base + ((a >> 20) & 0xff) : base);
#else
    return 0;
#endif
}

int loupe_cpu_is_amd(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    return b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;  // "AuthenticAMD"
#else
    return 0;
#endif
}

void loupe_bf16_to_f32(const uint16_t *src, float *dst, size_t n) {
    uint32_t *out = (uint32_t *)dst;
    for (size_t i = 0; i < n; i++) out[i] = ((uint32_t)src[i]) << 16;
}

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400) == 0) { mant <<= 1; exp--; }
            mant &= 0x3ff;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000 | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

void loupe_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = half_to_float(src[i]);
}
