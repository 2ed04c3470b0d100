// Blocked ("flash") attention for head dimension 64 with an online softmax.
// Per head: K is packed into 32-key panels [64][32] and V into two 32-wide column panels [keys][32];
// then for each block of ≤ 48 queries (scaled q packed for the micro-kernel) and each block of
// ≤ 256 keys: scores S = q·kᵀ (GEMM micro-kernel), running max / sum update, P = exp(S - max) in
// place, O = O·corr + P·V (micro-kernel with accumulate). O is divided by the sum at the end.
// The plain path performs the same operations in the same order (including the 16-lane partial
// sums and their fixed reduction tree), so both paths agree bit for bit.
#include "internal.h"
#include <math.h>
#include <string.h>

#define HD 64      // head dimension
#define BQ 48      // queries per block (4 micro-kernel row groups)
#define BK LOUPE_ATTN_BK  // keys per block (256)
#define GR 12      // rows per micro-kernel call

// exp(x) for the softmax (x ≤ 0 in use): Cephes expf polynomial, ≤ 2 ulp; clamps below -87 so
// 2^n stays normal. Scalar and vector versions perform the same operations.
static const float EXP_P[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                               4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
#define EXP_C1 0.693359375f
#define EXP_C2 (-2.12194440e-4f)
#define LOG2E 1.44269504088896341f

static float exp_scalar(float x) {
    x = x > -87.0f ? x : -87.0f;
    float n = floorf(fmaf(x, LOG2E, 0.5f));
    float r = fmaf(-n, EXP_C1, x);
    r = fmaf(-n, EXP_C2, r);
    float z = r * r;
    float y = EXP_P[0];
    for (int i = 1; i < 6; i++) y = fmaf(y, r, EXP_P[i]);
    y = fmaf(y, z, r);
    y = y + 1.0f;
    uint32_t bits = (uint32_t)((int)n + 127) << 23;
    float p2;
    memcpy(&p2, &bits, 4);
    return y * p2;
}

// Fixed reduction of 16 partial sums (both paths).
static float tree16(float *s) {
    for (int w = 8; w >= 1; w /= 2)
        for (int i = 0; i < w; i++) s[i] = s[i] + s[i + w];
    return s[0];
}

/// State of one block of queries: running max, running sum.
typedef struct { float m[BQ], l[BQ]; } softmax_state;

// Plain: softmax update of row r (kb scores in s, overwritten by p); returns corr.
static float softmax_row_plain(float *s, size_t kb, float *m, float *l) {
    float mb = -INFINITY;
    for (size_t j = 0; j < kb; j++) mb = s[j] > mb ? s[j] : mb;
    float mn = *m > mb ? *m : mb;
    float corr = *m == -INFINITY ? 0.0f : exp_scalar(*m - mn);
    float lanes[16] = {0};
    for (size_t j = 0; j < kb; j++) { s[j] = exp_scalar(s[j] - mn); lanes[j % 16] = lanes[j % 16] + s[j]; }
    *l = fmaf(*l, corr, tree16(lanes));
    *m = mn;
    return corr;
}

static void head_plain(const float *q, const float *k, const float *v, size_t ld, size_t seq,
                       size_t nk, float scale, float *out, size_t ldo, float *sbuf) {
    softmax_state st;
    for (size_t q0 = 0; q0 < seq; q0 += BQ) {
        size_t rows = seq - q0 < BQ ? seq - q0 : BQ;
        for (size_t i = 0; i < rows; i++) {
            st.m[i] = -INFINITY; st.l[i] = 0;
            memset(out + (q0 + i) * ldo, 0, HD * sizeof(float));
        }
        for (size_t k0 = 0; k0 < nk; k0 += BK) {
            size_t kb = nk - k0 < BK ? nk - k0 : BK;
            for (size_t i = 0; i < rows; i++) {
                const float *qi = q + (q0 + i) * ld;
                float *s = sbuf + i * BK;
                for (size_t j = 0; j < kb; j++) {
                    const float *kj = k + (k0 + j) * ld;
                    float acc = 0;
                    for (size_t d = 0; d < HD; d++) acc = fmaf(qi[d] * scale, kj[d], acc);
                    s[j] = acc;
                }
                float corr = softmax_row_plain(s, kb, &st.m[i], &st.l[i]);
                float *o = out + (q0 + i) * ldo;
                for (size_t d = 0; d < HD; d++) {
                    float acc = 0;
                    for (size_t j = 0; j < kb; j++) acc = fmaf(s[j], v[(k0 + j) * ld + d], acc);
                    float scaled = o[d] * corr;  // separate statements: never contracted to an fma
                    o[d] = scaled + acc;
                }
            }
        }
        for (size_t i = 0; i < rows; i++)
            for (size_t d = 0; d < HD; d++) out[(q0 + i) * ldo + d] = out[(q0 + i) * ldo + d] / st.l[i];
    }
}

#if defined(__x86_64__)
static LOUPE_AVX512 __m512 exp_avx512(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(LOG2E), _mm512_set1_ps(0.5f)),
                                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 nn = _mm512_sub_ps(_mm512_setzero_ps(), n);
    __m512 r = _mm512_fmadd_ps(nn, _mm512_set1_ps(EXP_C1), x);
    r = _mm512_fmadd_ps(nn, _mm512_set1_ps(EXP_C2), r);
    __m512 z = _mm512_mul_ps(r, r);
    __m512 y = _mm512_set1_ps(EXP_P[0]);
    for (int i = 1; i < 6; i++) y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(EXP_P[i]));
    y = _mm512_fmadd_ps(y, z, r);
    y = _mm512_add_ps(y, _mm512_set1_ps(1.0f));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(y, _mm512_castsi512_ps(e));
}

static LOUPE_AVX512 float softmax_row_avx512(float *s, size_t kb, float *m, float *l) {
    __m512 vmax = _mm512_set1_ps(-INFINITY);
    for (size_t j = 0; j < kb; j += 16) {
        __mmask16 mk = kb - j >= 16 ? 0xffff : (__mmask16)((1u << (kb - j)) - 1);
        vmax = _mm512_mask_max_ps(vmax, mk, vmax, _mm512_maskz_loadu_ps(mk, s + j));
    }
    float mb = _mm512_reduce_max_ps(vmax);  // max is exact in any order
    float mn = *m > mb ? *m : mb;
    float corr = *m == -INFINITY ? 0.0f : exp_scalar(*m - mn);
    __m512 vmn = _mm512_set1_ps(mn), sum = _mm512_setzero_ps();
    for (size_t j = 0; j < kb; j += 16) {
        __mmask16 mk = kb - j >= 16 ? 0xffff : (__mmask16)((1u << (kb - j)) - 1);
        __m512 p = exp_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(mk, s + j), vmn));
        _mm512_mask_storeu_ps(s + j, mk, p);
        sum = _mm512_mask_add_ps(sum, mk, sum, p);
    }
    float lanes[16];
    _mm512_storeu_ps(lanes, sum);
    *l = fmaf(*l, corr, tree16(lanes));
    *m = mn;
    return corr;
}

// kp: packed key panels [ceil(nk/32)][64][32]; vp: value panels [2][nk][32]; qp: packed scaled
// queries (groups of 12 rows, [64][mr] each); sbuf: [BQ][BK] scores / probabilities.
static LOUPE_AVX512 void head_avx512(const float *q, const float *k, const float *v, size_t ld,
                                     size_t seq, size_t nk, float scale, float *out, size_t ldo,
                                     float *kp, float *vp, float *qp, float *sbuf) {
    size_t kpanels = (nk + 31) / 32;
    memset(kp, 0, kpanels * HD * 32 * sizeof(float));
    for (size_t j = 0; j < nk; j++)
        for (size_t d = 0; d < HD; d++) kp[((j / 32) * HD + d) * 32 + j % 32] = k[j * ld + d];
    for (size_t j = 0; j < nk; j++) {
        memcpy(vp + j * 32, v + j * ld, 32 * sizeof(float));
        memcpy(vp + (nk + j) * 32, v + j * ld + 32, 32 * sizeof(float));
    }
    softmax_state st;
    __m512 vscale = _mm512_set1_ps(scale);
    for (size_t q0 = 0; q0 < seq; q0 += BQ) {
        size_t rows = seq - q0 < BQ ? seq - q0 : BQ;
        for (size_t g = 0; g < rows; g += GR) {  // pack q·scale as [64][mr] per row group
            size_t mr = rows - g < GR ? rows - g : GR;
            float *dst = qp + g * HD;
            for (size_t i = 0; i < mr; i++) {
                const float *qi = q + (q0 + g + i) * ld;
                float tmp[HD];
                for (size_t d = 0; d < HD; d += 16)
                    _mm512_storeu_ps(tmp + d, _mm512_mul_ps(_mm512_loadu_ps(qi + d), vscale));
                for (size_t d = 0; d < HD; d++) dst[d * mr + i] = tmp[d];
            }
        }
        for (size_t i = 0; i < rows; i++) {
            st.m[i] = -INFINITY; st.l[i] = 0;
            memset(out + (q0 + i) * ldo, 0, HD * sizeof(float));
        }
        for (size_t k0 = 0; k0 < nk; k0 += BK) {
            size_t kb = nk - k0 < BK ? nk - k0 : BK;
            for (size_t g = 0; g < rows; g += GR) {
                int mr = (int)(rows - g < GR ? rows - g : GR);
                for (size_t c = 0; c < kb; c += 32) {
                    int nv = (int)(kb - c < 32 ? kb - c : 32);
                    loupe_ukr_f32_avx512(mr, HD, qp + g * HD, kp + ((k0 + c) / 32) * HD * 32,
                                         sbuf + g * BK + c, BK, nv, 0);
                }
            }
            for (size_t i = 0; i < rows; i++) {
                float corr = softmax_row_avx512(sbuf + i * BK, kb, &st.m[i], &st.l[i]);
                float *o = out + (q0 + i) * ldo;
                __m512 vc = _mm512_set1_ps(corr);
                for (size_t d = 0; d < HD; d += 16) _mm512_storeu_ps(o + d, _mm512_mul_ps(_mm512_loadu_ps(o + d), vc));
            }
            for (size_t g = 0; g < rows; g += GR) {
                int mr = (int)(rows - g < GR ? rows - g : GR);
                for (int half = 0; half < 2; half++)
                    loupe_ukr_f32_rowa_avx512(mr, kb, sbuf + g * BK, vp + ((size_t)half * nk + k0) * 32,
                                              out + (q0 + g) * ldo + 32 * half, ldo);
            }
        }
        for (size_t i = 0; i < rows; i++) {
            float *o = out + (q0 + i) * ldo;
            __m512 vl = _mm512_set1_ps(st.l[i]);
            for (size_t d = 0; d < HD; d += 16) _mm512_storeu_ps(o + d, _mm512_div_ps(_mm512_loadu_ps(o + d), vl));
        }
    }
}
#endif

typedef struct {
    const float *q, *k, *v; size_t ld, seq, heads, nk; float scale; float *out; size_t ldo; int avx;
} attn_job;

static void attn_part(void *ctx, int index, int count) {
    const attn_job *j = ctx;
    size_t h0 = j->heads * (size_t)index / (size_t)count, h1 = j->heads * (size_t)(index + 1) / (size_t)count;
    if (h0 >= h1) return;
    size_t kpanels = (j->nk + 31) / 32;
    size_t kp_n = kpanels * HD * 32, vp_n = 2 * j->nk * 32, qp_n = BQ * HD, s_n = BQ * BK;
    float *scratch = loupe_scratch(kp_n + vp_n + qp_n + s_n);
    if (!scratch) return;
    for (size_t h = h0; h < h1; h++) {
        const float *q = j->q + h * HD, *k = j->k + h * HD, *v = j->v + h * HD;
        float *out = j->out + h * HD;
#if defined(__x86_64__)
        if (j->avx) {
            head_avx512(q, k, v, j->ld, j->seq, j->nk, j->scale, out, j->ldo, scratch, scratch + kp_n,
                        scratch + kp_n + vp_n, scratch + kp_n + vp_n + qp_n);
            continue;
        }
#endif
        head_plain(q, k, v, j->ld, j->seq, j->nk, j->scale, out, j->ldo, scratch + kp_n + vp_n + qp_n);
    }
}

void loupe_attention(const float *q, const float *k, const float *v, size_t ld, size_t seq,
                     size_t heads, size_t valid_keys, float scale, float *out, size_t ldo, int flags) {
    if (!q || !k || !v || !out || seq == 0 || heads == 0 || ld < heads * HD || ldo < heads * HD) return;
    size_t nk = valid_keys == 0 || valid_keys > seq ? seq : valid_keys;
    attn_job job = {q, k, v, ld, seq, heads, nk, scale, out, ldo, 0};
#if defined(__x86_64__)
    job.avx = !(flags & LOUPE_GEMM_PLAIN) && loupe_has_avx512();
#endif
    int threads = loupe_get_threads();
    if ((size_t)threads > heads) threads = (int)heads;
    double flops = 4.0 * (double)seq * (double)nk * HD * (double)heads;
    if (flops < 1e6 || threads < 1) threads = 1;
    if (threads == 1) attn_part(&job, 0, 1);
    else loupe_pool_run(threads, attn_part, &job);
}
