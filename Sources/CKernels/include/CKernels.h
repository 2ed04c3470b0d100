#ifndef LOUPE_CKERNELS_H
#define LOUPE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Kernels that OpenBLAS does not provide fast enough on this machine (AVX-512 paths chosen
/// at run time, plain C fallback always present and exact). See Sources/CKernels/README.md.

/// 1 when the CPU supports AVX-512F (+BW, VL), 0 otherwise.
int loupe_has_avx512(void);

/// Widen n bf16 values (stored as uint16 bit patterns) to f32. Exact.
void loupe_bf16_to_f32(const uint16_t *src, float *dst, size_t n);
/// Widen n IEEE half values to f32. Exact.
void loupe_f16_to_f32(const uint16_t *src, float *dst, size_t n);

#endif
