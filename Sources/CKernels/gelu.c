// Exact-erf GELU: gelu(v) = 0.5·v·(1 + erf(v/√2)), the form jina-v3 and BERT use (not the tanh one).
//
// erf is evaluated piecewise: |t| is cut into 8 intervals of width 0.5 on [0, 4) (erf(t) rounds to
// 1 in f32 beyond 3.92), each with a degree-10 polynomial in (t - centre) fitted in double
// (Chebyshev nodes, least squares) and evaluated with fma Horner. Max abs error 8.8e-8 (≤ 1.5 ulp
// near 1). The vector path picks each lane's coefficients with one vpermps per Horner step, so
// both paths perform the same fma sequence and agree bit for bit.
#include "CKernels.h"
#include "internal.h"
#include <math.h>
#include <string.h>

#define ERF_DEGREE 10
// ERF_COEF[j][interval]: coefficient of u^j; interval 8 is the constant 1 (|t| ≥ 4).
// Interval 0 is centred at 0 with a zero constant term, so erf keeps its relative accuracy near 0.
static const float ERF_COEF[ERF_DEGREE + 1][16] = {
    {0.000000000e+00f, 7.111556530e-01f, 9.229001403e-01f, 9.866716862e-01f, 9.985373020e-01f, 9.998993874e-01f, 9.999957085e-01f, 9.999998808e-01f, 1.0f},
    {1.128379226e+00f, 6.429310441e-01f, 2.365211248e-01f, 5.277499557e-02f, 7.142318878e-03f, 5.862772232e-04f, 2.918902464e-05f, 8.814321859e-07f, 0.0f},
    {-2.916582531e-09f, -4.821982980e-01f, -2.956514060e-01f, -9.235624224e-02f, -1.607021689e-02f, -1.612262451e-03f, -9.486433555e-05f, -3.305370683e-06f, 0.0f},
    {-3.761262894e-01f, 2.678879164e-02f, 1.675357968e-01f, 9.015728533e-02f, 2.172455378e-02f, 2.760388656e-03f, 1.958097273e-04f, 7.969613762e-06f, 0.0f},
    {-1.705090995e-06f, 1.506869644e-01f, -6.159403827e-03f, -4.810221121e-02f, -1.908338442e-02f, -3.258113749e-03f, -2.865693532e-04f, -1.384123971e-05f, 0.0f},
    {1.128547713e-01f, -5.324254930e-02f, -4.718112946e-02f, 6.624359172e-03f, 1.065769792e-02f, 2.755803987e-03f, 3.137963649e-04f, 1.837120362e-05f, 0.0f},
    {-1.040602729e-04f, -2.687255293e-02f, 2.130125090e-02f, 8.963074535e-03f, -2.904366236e-03f, -1.657327637e-03f, -2.635275014e-04f, -1.927271660e-05f, 0.0f},
    {-2.645019814e-02f, 1.842865162e-02f, 3.629374783e-03f, -6.058665924e-03f, -6.711537717e-04f, 6.462062011e-04f, 1.700225548e-04f, 1.626696030e-05f, 0.0f},
    {-1.085556229e-03f, 2.303140704e-03f, -5.696979817e-03f, 7.291507791e-04f, 9.997820016e-04f, -8.900232206e-05f, -8.167675696e-05f, -1.112802875e-05f, 0.0f},
    {7.033643313e-03f, -3.862441983e-03f, 8.230108069e-04f, 8.929182659e-04f, -3.582090721e-04f, -7.388950326e-05f, 2.541504728e-05f, 6.241882147e-06f, 0.0f},
    {-1.795086544e-03f, 1.666220196e-04f, 7.835800643e-04f, -4.299435241e-04f, -1.561853969e-05f, 5.482394045e-05f, -1.942897825e-06f, -2.612528078e-06f, 0.0f},
};
static const float ERF_CENTRE[16] = {0.0f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3.25f, 3.75f, 0.0f};

float loupe_erf(float x) {
    if (x != x) return x;
    float t = fabsf(x) < 4.0f ? fabsf(x) : 4.0f;  // clamp so ±inf gives u = 4 - 0, not inf
    int idx = (int)(t * 2.0f);                     // 8 at the clamp: the constant-1 interval
    float u = t - ERF_CENTRE[idx];
    float r = ERF_COEF[ERF_DEGREE][idx];
    for (int j = ERF_DEGREE - 1; j >= 0; j--) r = fmaf(r, u, ERF_COEF[j][idx]);
    return copysignf(r, x);
}

float loupe_gelu_scalar(float v) {
    float h = 0.5f * v;
    return h * (1.0f + loupe_erf(v * 0.70710678118654752f));
}

#if defined(__x86_64__)
LOUPE_AVX512 __m512 loupe_gelu_avx512(__m512 v) {
    const __m512 sign = _mm512_castsi512_ps(_mm512_set1_epi32((int)0x80000000));
    __m512 z = _mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752f));
    // min_ps returns its second operand for NaN, so NaN lanes compute erf(4) and are patched below.
    __m512 t = _mm512_min_ps(_mm512_andnot_ps(sign, z), _mm512_set1_ps(4.0f));
    __m512i idx = _mm512_cvttps_epi32(_mm512_mul_ps(t, _mm512_set1_ps(2.0f)));
    __m512 u = _mm512_sub_ps(t, _mm512_permutexvar_ps(idx, _mm512_loadu_ps(ERF_CENTRE)));
    __m512 r = _mm512_permutexvar_ps(idx, _mm512_loadu_ps(ERF_COEF[ERF_DEGREE]));
    for (int j = ERF_DEGREE - 1; j >= 0; j--)
        r = _mm512_fmadd_ps(r, u, _mm512_permutexvar_ps(idx, _mm512_loadu_ps(ERF_COEF[j])));
    __m512 e = _mm512_or_ps(r, _mm512_and_ps(sign, z));  // copysign(r, z); r ≥ 0
    e = _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(z, z, _CMP_UNORD_Q), z);
    __m512 h = _mm512_mul_ps(_mm512_set1_ps(0.5f), v);
    return _mm512_mul_ps(h, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

static LOUPE_AVX512 void gelu_avx512(float *v, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(v + i, loupe_gelu_avx512(_mm512_loadu_ps(v + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(v + i, m, loupe_gelu_avx512(_mm512_maskz_loadu_ps(m, v + i)));
    }
}
#endif

void loupe_gelu(float *v, size_t n) {
#if defined(__x86_64__)
    if (loupe_has_avx512()) { gelu_avx512(v, n); return; }
#endif
    for (size_t i = 0; i < n; i++) v[i] = loupe_gelu_scalar(v[i]);
}
