// Blocked ("flash") attention for head dimension 64 with an online softmax.
// Per head: K is packed into 64-key panels [64 dims][64 keys] and V copied as rows [keys][64].
// Queries go in blocks of ≤ 48 (q·scale copied as rows), keys in blocks of ≤ 512. Each
// 6-row group runs all three phases on one key block while its 6 × 512 scores sit in L1:
// scores S = q·kᵀ (register-blocked 6 × 64 micro-kernel that also folds the row maxima), the
// running max / sum update with P = exp(S - max) in place, then O = O·corr + P·V (6 × 64 micro-
// kernel over all 64 dims, rescale in its epilogue). O is divided by the sum in the last key block's epilogue.
// The plain path performs the same operations in the same order (including the 16-lane partial
// sums and their fixed reduction tree), so both paths agree bit for bit.
#include "internal.h"
#include <math.h>
#include <string.h>
#include <stdatomic.h>
#include <stdint.h>

#define HD 64      // head dimension
#define BQ 48      // queries per block (4 micro-kernel row groups)
#define BK 512     // keys per block
// Row stride of a 12-row group's scores: 2 KB rows would put the 12 rows' current lines into
// just two L1 sets (4 KB aliasing); 16 floats of padding spreads them over twelve.
#define SLD (BK + 16)
#define SR 6       // query rows per micro-kernel call (6 × 64 tiles)
#define KW 64      // keys per packed K panel

// exp(x) for the softmax (x ≤ 0 in use): Cephes expf polynomial, ≤ 2 ulp, n = round-to-nearest
// of x·log2 e and the 2^n scaling done by one correctly rounded ldexpf / vscalefps (tiny results
// become denormal or 0). x is clamped at -100 (exp(-100) ≈ 4e-44) so n fits an int.
// Scalar and vector versions perform the same operations.
static const float EXP_P[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                               4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
#define EXP_C1 0.693359375f
#define EXP_C2 (-2.12194440e-4f)
#define LOG2E 1.44269504088896341f

static float exp_scalar(float x) {
    x = x > -100.0f ? x : -100.0f;
    float n = nearbyintf(x * LOG2E);  // ties to even, like roundscale's nearest (default rounding mode)
    float r = fmaf(-n, EXP_C1, x);
    r = fmaf(-n, EXP_C2, r);
    float y = EXP_P[0];
    for (int i = 1; i < 6; i++) y = fmaf(y, r, EXP_P[i]);
    y = fmaf(y, r, 1.0f);  // 1 + r·(1 + r·P(r)) by Horner: one op fewer than r²·P + r + 1
    y = fmaf(y, r, 1.0f);
    return ldexpf(y, (int)n);  // one correct rounding, like vscalefps (0 for very negative x)
}

float loupe_attention_exp(float x) { return exp_scalar(x); }

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

// Query rows [r0, r1) of one head (every row is computed independently of the others).
static void head_plain(const float *q, const float *k, const float *v, size_t ld, size_t r0, size_t r1,
                       size_t nk, float scale, float *out, size_t ldo, float *sbuf) {
    softmax_state st;
    for (size_t q0 = r0; q0 < r1; q0 += BQ) {
        size_t rows = r1 - q0 < BQ ? r1 - q0 : BQ;
        for (size_t i = 0; i < rows; i++) {
            st.m[i] = -INFINITY; st.l[i] = 0;
            memset(out + (q0 + i) * ldo, 0, HD * sizeof(float));
        }
        for (size_t k0 = 0; k0 < nk; k0 += BK) {
            size_t kb = nk - k0 < BK ? nk - k0 : BK;
            for (size_t i = 0; i < rows; i++) {
                const float *qi = q + (q0 + i) * ld;
                float *s = sbuf;  // one row at a time: row i is finished before row i + 1
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
#define AI __attribute__((always_inline)) inline

static LOUPE_AVX512 AI __m512 exp_avx512(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-100.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(EXP_C1), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(EXP_C2), r);
    __m512 y = _mm512_set1_ps(EXP_P[0]);
    for (int i = 1; i < 6; i++) y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(EXP_P[i]));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.0f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(y, n);  // y · 2^n, correctly rounded like ldexpf (0 far below)
}

// Scores of mr ≤ 6 queries against one 64-key panel: s[i·SLD + j] = Σ_d qs[i·64 + d]·kp[d·64 + j],
// one fma chain over d = 0..63 from 0 (like the plain path). The row maxima over the nv valid
// keys are folded into mx[i·16 ..] (16 lanes per row) while the scores are still in registers,
// so softmax needs no separate max pass. 6 × 64 (4 key vectors per broadcast query) needs half
// the broadcasts of 12 × 32 for the same 24 fmas per step.
static LOUPE_AVX512 AI void qk_ukr(int mr, const float *qs, const float *kp, float *s, int nv, float *mx) {
    __m512 c[SR * 4];
    for (int i = 0; i < SR * 4; i++) c[i] = _mm512_setzero_ps();
    for (int d = 0; d < HD; d++) {
        __m512 w[4];
        for (int j = 0; j < 4; j++) w[j] = _mm512_load_ps(kp + d * KW + 16 * j);
        for (int i = 0; i < mr; i++) {
            __m512 x = _mm512_set1_ps(qs[i * HD + d]);
            for (int j = 0; j < 4; j++) c[i * 4 + j] = _mm512_fmadd_ps(x, w[j], c[i * 4 + j]);
        }
    }
    __mmask16 mk[4];
    for (int j = 0; j < 4; j++) {
        int lanes = nv - 16 * j;
        mk[j] = lanes >= 16 ? 0xffff : lanes <= 0 ? 0 : (__mmask16)((1u << lanes) - 1);
    }
    for (int i = 0; i < mr; i++) {
        __m512 m = _mm512_load_ps(mx + i * 16);
        for (int j = 0; j < 4; j++) {
            _mm512_store_ps(s + (size_t)i * SLD + 16 * j, c[i * 4 + j]);
            m = _mm512_mask_max_ps(m, mk[j], m, c[i * 4 + j]);
        }
        _mm512_store_ps(mx + i * 16, m);
    }
}

// o[i, 0..63] = o[i]·corr[i] + Σ_k p[i·SLD + k]·vp[k·64 ..] for mr ≤ 6 rows (the product is one
// fma chain over k from 0; the rescale and the add are separate roundings, as in the plain path).
// first: o is not read (the plain path's o is 0 there and corr 0, and 0·0 + acc = acc: an fma chain
// from +0 never ends at -0), so the output rows need no clearing; last: the division by the row's
// softmax sum (final once this block's softmax ran) follows in registers, the plain path's last pass.
static LOUPE_AVX512 AI void pv_ukr(int mr, size_t kb, const float *p, const float *vp, float *o, size_t ldo,
                                   const float *corr, int first, int last, const float *l) {
    __m512 c[SR * 4];
    for (int i = 0; i < SR * 4; i++) c[i] = _mm512_setzero_ps();
    for (size_t k = 0; k < kb; k++) {
        __m512 w[4];
        for (int j = 0; j < 4; j++) w[j] = _mm512_load_ps(vp + k * HD + 16 * j);
        for (int i = 0; i < mr; i++) {
            __m512 x = _mm512_set1_ps(p[(size_t)i * SLD + k]);
            for (int j = 0; j < 4; j++) c[i * 4 + j] = _mm512_fmadd_ps(x, w[j], c[i * 4 + j]);
        }
    }
    for (int i = 0; i < mr; i++) {
        float *oi = o + (size_t)i * ldo;
        __m512 cr = _mm512_set1_ps(corr[i]), vl = _mm512_set1_ps(l[i]);
        for (int j = 0; j < 4; j++) {
            __m512 v = first ? c[i * 4 + j] : _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(oi + 16 * j), cr), c[i * 4 + j]);
            _mm512_storeu_ps(oi + 16 * j, last ? _mm512_div_ps(v, vl) : v);
        }
    }
}

// Softmax update of one row from its block maximum mb (scores in s, overwritten by p); returns corr.
static LOUPE_AVX512 AI float softmax_row_avx512(float *s, size_t kb, float mb, float *m, float *l) {
    float mn = *m > mb ? *m : mb;
    float corr = *m == -INFINITY ? 0.0f : mn == *m ? 1.0f : exp_scalar(*m - mn);
    __m512 vmn = _mm512_set1_ps(mn), sum = _mm512_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= kb; j += 16) {
        __m512 p = exp_avx512(_mm512_sub_ps(_mm512_load_ps(s + j), vmn));
        _mm512_store_ps(s + j, p);
        sum = _mm512_add_ps(sum, p);
    }
    if (j < kb) {
        __mmask16 mk = (__mmask16)((1u << (kb - j)) - 1);
        __m512 p = exp_avx512(_mm512_sub_ps(_mm512_maskz_load_ps(mk, s + j), vmn));
        _mm512_mask_store_ps(s + j, mk, p);
        sum = _mm512_mask_add_ps(sum, mk, sum, p);
    }
    // tree16's order in registers: lanes i + 8, then + 4, + 2, + 1.
    __m256 h8 = _mm256_add_ps(_mm512_castps512_ps256(sum), _mm512_extractf32x8_ps(sum, 1));
    __m128 h4 = _mm_add_ps(_mm256_castps256_ps128(h8), _mm256_extractf128_ps(h8, 1));
    __m128 h2 = _mm_add_ps(h4, _mm_movehl_ps(h4, h4));
    __m128 h1 = _mm_add_ss(h2, _mm_movehdup_ps(h2));
    *l = fmaf(*l, corr, _mm_cvtss_f32(h1));
    *m = mn;
    return corr;
}

// One group of mr ≤ 6 query rows against one key block, all three phases while the group's
// scores (mr × BK floats) stay in L1: scores + row max, softmax, O = O·corr + P·V.
static LOUPE_AVX512 AI void group_block(int mr, const float *qs, const float *kp, const float *vp, size_t k0,
                                        size_t kb, size_t nk, float *sbuf, float *o, size_t ldo, float *m, float *l) {
    float mx[SR * 16] __attribute__((aligned(64)));
    float corr[SR];
    for (int i = 0; i < mr * 16; i++) mx[i] = -INFINITY;
    for (size_t c = 0; c < kb; c += KW) {
        int nv = (int)(kb - c < KW ? kb - c : KW);
        qk_ukr(mr, qs, kp + ((k0 + c) / KW) * HD * KW, sbuf + c, nv, mx);
    }
    for (int i = 0; i < mr; i++) {
        float mb = _mm512_reduce_max_ps(_mm512_load_ps(mx + i * 16));  // max is exact in any order
        corr[i] = softmax_row_avx512(sbuf + (size_t)i * SLD, kb, mb, &m[i], &l[i]);
    }
    pv_ukr(mr, kb, sbuf, vp + k0 * HD, o, ldo, corr, k0 == 0, k0 + kb == nk, l);
}

// Constant mr per instance so the accumulators stay in registers.
static LOUPE_AVX512 void group_block_any(int mr, const float *qs, const float *kp, const float *vp, size_t k0,
                                         size_t kb, size_t nk, float *sbuf, float *o, size_t ldo, float *m, float *l) {
#define GB(R) group_block(R, qs, kp, vp, k0, kb, nk, sbuf, o, ldo, m, l)
    switch (mr) {
    case 1: GB(1); break; case 2: GB(2); break; case 3: GB(3); break; case 4: GB(4); break;
    case 5: GB(5); break; default: GB(6); break;
    }
#undef GB
}

// Rows of q / k / v / out sit 12 KB (4 KB) apart in buffers far larger than the caches (the whole
// batch's QKV product), a stride the hardware prefetchers do not follow: every 64-float row read
// here used to wait on DRAM (~30 % of attention's time at 128 tokens). Each loop over rows asks for
// the row AHEAD rows further on.
#define AHEAD 8
static inline void prefetch_row(const float *p, int write) {
    for (int o = 0; o < HD * 4; o += 64) {
        if (write) __builtin_prefetch((const char *)p + o, 1, 3);
        else __builtin_prefetch((const char *)p + o, 0, 3);
    }
}

// K as 64-key panels [ceil(nk/64)][64 dims][64 keys] (zero-padded), V as rows [nk][64].
static void pack_kv(const float *k, const float *v, size_t ld, size_t nk, float *kp, float *vp) {
    size_t kpanels = (nk + KW - 1) / KW;
    memset(kp, 0, kpanels * HD * KW * sizeof(float));
    for (size_t j = 0; j < nk; j++) {
        if (j + AHEAD < nk) { prefetch_row(k + (j + AHEAD) * ld, 0); prefetch_row(v + (j + AHEAD) * ld, 0); }
        for (size_t d = 0; d < HD; d++) kp[((j / KW) * HD + d) * KW + j % KW] = k[j * ld + d];
        memcpy(vp + j * HD, v + j * ld, HD * sizeof(float));
    }
}

// Query rows [r0, r1) of one head against packed K / V (pack_kv); qs: the scaled queries of a block
// ([BQ][64], 64-byte aligned; the micro-kernel broadcasts from these rows); sbuf: [SR][SLD] scores /
// probabilities.
static LOUPE_AVX512 void head_avx512(const float *q, size_t ld, size_t r0, size_t r1, size_t nk, float scale,
                                     float *out, size_t ldo, const float *kp, const float *vp, float *qs,
                                     float *sbuf) {
    softmax_state st;
    __m512 vscale = _mm512_set1_ps(scale);
    for (size_t q0 = r0; q0 < r1; q0 += BQ) {
        size_t rows = r1 - q0 < BQ ? r1 - q0 : BQ;
        for (size_t i = 0; i < rows; i++) {  // q·scale as rows [rows][64]; ask for the output rows
            const float *qi = q + (q0 + i) * ld;
            if (q0 + i + AHEAD < r1) prefetch_row(qi + AHEAD * ld, 0);
            prefetch_row(out + (q0 + i) * ldo, 1);
            for (size_t d = 0; d < HD; d += 16)
                _mm512_store_ps(qs + i * HD + d, _mm512_mul_ps(_mm512_loadu_ps(qi + d), vscale));
        }
        for (size_t i = 0; i < rows; i++) { st.m[i] = -INFINITY; st.l[i] = 0; }
        for (size_t k0 = 0; k0 < nk; k0 += BK) {
            size_t kb = nk - k0 < BK ? nk - k0 : BK;
            for (size_t g = 0; g < rows; g += SR) {
                int mr = (int)(rows - g < SR ? rows - g : SR);
                group_block_any(mr, qs + g * HD, kp, vp, k0, kb, nk, sbuf, out + (q0 + g) * ldo, ldo, st.m + g, st.l + g);
            }
        }
    }
}
#endif

typedef struct {
    const float *q, *k, *v; size_t ld, seq, heads, nk; float scale; float *out; size_t ldo; int avx;
    size_t chunk, chunks;      // query rows per work item, items per head
    _Atomic uint64_t range;    // unclaimed items [lo, hi): lo in the low 32 bits, hi in the high
} attn_job;

// Claim one item: even thread indices from the front, odd ones from the back, so with two
// threads each walks its own half of the heads and they share at most one head (one extra
// K/V packing). Returns 0 when nothing is left.
static int claim(attn_job *j, int from_back, size_t *item) {
    uint64_t r = atomic_load_explicit(&j->range, memory_order_relaxed);
    for (;;) {
        uint64_t lo = r & 0xffffffffu, hi = r >> 32;
        if (lo >= hi) return 0;
        uint64_t nr = from_back ? (lo | ((hi - 1) << 32)) : ((lo + 1) | (hi << 32));
        if (atomic_compare_exchange_weak_explicit(&j->range, &r, nr, memory_order_relaxed, memory_order_relaxed)) {
            *item = (size_t)(from_back ? hi - 1 : lo);
            return 1;
        }
    }
}

// Threads claim (head, row chunk) items (head-major order), so a thread slowed by other load
// does less of the work instead of leaving the other core idle at the end; a thread repacks K/V
// only when its next item belongs to another head. Rows are independent: bits do not depend on
// which thread computes them.
static void attn_part(void *ctx, int index, int count) {
    (void)count;
    attn_job *j = ctx;
    size_t kpanels = (j->nk + KW - 1) / KW;
    size_t kp_n = kpanels * HD * KW, vp_n = j->nk * HD, qs_n = BQ * HD, s_n = SR * SLD;
    float *scratch = loupe_scratch(kp_n + vp_n + qs_n + s_n);
    if (!scratch) return;
    float *kp = scratch, *vp = scratch + kp_n, *qs = vp + vp_n, *sbuf = qs + qs_n;
    size_t packed = (size_t)-1;
    size_t item;
    while (claim(j, index & 1, &item)) {
        size_t h = item / j->chunks, r0 = (item % j->chunks) * j->chunk;
        size_t r1 = r0 + j->chunk < j->seq ? r0 + j->chunk : j->seq;
        const float *q = j->q + h * HD, *k = j->k + h * HD, *v = j->v + h * HD;
        float *out = j->out + h * HD;
#if defined(__x86_64__)
        if (j->avx) {
            if (packed != h) { pack_kv(k, v, j->ld, j->nk, kp, vp); packed = h; }
            head_avx512(q, j->ld, r0, r1, j->nk, j->scale, out, j->ldo, kp, vp, qs, sbuf);
            continue;
        }
#endif
        head_plain(q, k, v, j->ld, r0, r1, j->nk, j->scale, out, j->ldo, sbuf);
    }
}

void loupe_attention(const float *q, const float *k, const float *v, size_t ld, size_t seq,
                     size_t heads, size_t valid_keys, float scale, float *out, size_t ldo, int flags) {
    if (!q || !k || !v || !out || seq == 0 || heads == 0 || ld < heads * HD || ldo < heads * HD) return;
    size_t nk = valid_keys == 0 || valid_keys > seq ? seq : valid_keys;
    // About 8 items per head (whole 48-row blocks): fine enough to balance, few K/V repacks.
    size_t blocks = (seq + BQ - 1) / BQ, chunk = BQ * ((blocks + 7) / 8);
    size_t chunks = (seq + chunk - 1) / chunk, items = heads * chunks;
    if (items >= ((uint64_t)1 << 32)) return;  // not reachable for real shapes; the claim packs 32-bit ends
    attn_job job = {q, k, v, ld, seq, heads, nk, scale, out, ldo, 0, chunk, chunks, (uint64_t)items << 32};
#if defined(__x86_64__)
    job.avx = !(flags & LOUPE_GEMM_PLAIN) && loupe_has_avx512();
#endif
    int threads = loupe_get_threads();
    if ((size_t)threads > heads * job.chunks) threads = (int)(heads * job.chunks);
    double flops = 4.0 * (double)seq * (double)nk * HD * (double)heads;
    if (flops < 1e6 || threads < 1) threads = 1;
    if (threads == 1) attn_part(&job, 0, 1);
    else loupe_pool_run(threads, attn_part, &job);
}
