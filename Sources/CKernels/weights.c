// Packing of Linear weights [n, k] into panels of nr = 64 output columns (32 when n ≤ 32, except
// for the lossy BF16_DOT layout), kept in their stored dtype or quantized to INT8. Layout: panel p (output rows
// nr·p ..< nr·p + nr), then k ascending, then nr slots (loupe_panel_slot): one 128-byte (16-bit)
// or 256-byte (f32) line per k for nr = 64, read sequentially by the micro-kernel.
#include "internal.h"
#include <stdlib.h>
#include <string.h>

static float widen(loupe_dtype dt, const void *base, size_t index) {
    switch (dt) {
    case LOUPE_DTYPE_F32: return ((const float *)base)[index];
    case LOUPE_DTYPE_BF16: case LOUPE_DTYPE_BF16_DOT: {
        float f; loupe_bf16_to_f32((const uint16_t *)base + index, &f, 1); return f;
    }
    case LOUPE_DTYPE_F16: { float f; loupe_f16_to_f32((const uint16_t *)base + index, &f, 1); return f; }
    case LOUPE_DTYPE_INT8: break;
    }
    return 0;
}

loupe_weights *loupe_weights_pack(loupe_dtype dtype, const void *w, size_t n, size_t k, size_t ldw) {
    if (!w || n == 0 || k == 0 || ldw < k) return NULL;
    size_t es;
    switch (dtype) {
    case LOUPE_DTYPE_F32: es = 4; break;
    case LOUPE_DTYPE_BF16: case LOUPE_DTYPE_F16: case LOUPE_DTYPE_BF16_DOT: es = 2; break;
    default: return NULL;
    }
    loupe_weights *pw = calloc(1, sizeof *pw);
    if (!pw) return NULL;
    pw->dtype = dtype; pw->n = n; pw->k = k; pw->elem_size = es;
    pw->nr = n <= 32 && dtype != LOUPE_DTYPE_BF16_DOT ? LOUPE_NR : 64;
    pw->panels = (n + pw->nr - 1) / pw->nr;
    size_t kk = dtype == LOUPE_DTYPE_BF16_DOT ? (k + 1) / 2 * 2 : k;  // k padded to pairs
    size_t bytes = pw->panels * kk * pw->nr * es;
    bytes = (bytes + 63) & ~(size_t)63;
    pw->data = aligned_alloc(64, bytes);
    if (!pw->data) { free(pw); return NULL; }
    memset(pw->data, 0, bytes);  // padding columns of the last panel stay 0
    const char *src = w;
    char *dst = pw->data;
    if (dtype == LOUPE_DTYPE_BF16_DOT) {
        uint16_t *d16 = pw->data;
        for (size_t r = 0; r < n; r++)
            for (size_t c = 0; c < k; c++) d16[loupe_dot_index(pw, r, c)] = ((const uint16_t *)w)[r * ldw + c];
        return pw;
    }
    size_t nr = pw->nr;
    for (size_t r = 0; r < n; r++) {
        size_t p = r / nr, slot = loupe_panel_slot(dtype, r % nr);
        const char *row = src + r * ldw * es;
        char *out = dst + (p * k * nr + slot) * es;
        if (es == 2) {
            for (size_t c = 0; c < k; c++) memcpy(out + c * nr * 2, row + c * 2, 2);
        } else {
            for (size_t c = 0; c < k; c++) memcpy(out + c * nr * 4, row + c * 4, 4);
        }
    }
    return pw;
}

loupe_weights *loupe_weights_pack_int8(loupe_dtype source, const void *w, size_t n, size_t k, size_t ldw) {
    if (!w || n == 0 || k == 0 || ldw < k) return NULL;
    if (source != LOUPE_DTYPE_F32 && source != LOUPE_DTYPE_BF16 && source != LOUPE_DTYPE_F16) return NULL;
    loupe_weights *pw = calloc(1, sizeof *pw);
    if (!pw) return NULL;
    pw->dtype = LOUPE_DTYPE_INT8; pw->n = n; pw->k = k; pw->elem_size = 1; pw->nr = 64;
    pw->panels = (n + 63) / 64;
    size_t rows = pw->panels * 64, bytes = pw->panels * loupe_int8_quads(k) * 256;
    pw->data = aligned_alloc(64, bytes);
    pw->scale = aligned_alloc(64, rows * sizeof(float));
    pw->wsum = aligned_alloc(64, rows * sizeof(int32_t));
    float *row = malloc(k * sizeof(float));
    if (!pw->data || !pw->scale || !pw->wsum || !row) { free(row); loupe_weights_free(pw); return NULL; }
    memset(pw->data, 0, bytes);  // padding rows and k past the end stay 0
    memset(pw->scale, 0, rows * sizeof(float));
    memset(pw->wsum, 0, rows * sizeof(int32_t));
    int8_t *q = pw->data;
    size_t es = source == LOUPE_DTYPE_F32 ? 4 : 2;
    for (size_t r = 0; r < n; r++) {
        const void *src = (const char *)w + r * ldw * es;
        if (source == LOUPE_DTYPE_F32) memcpy(row, src, k * sizeof(float));
        else if (source == LOUPE_DTYPE_BF16) loupe_bf16_to_f32(src, row, k);
        else loupe_f16_to_f32(src, row, k);
        float amax = 0;
        for (size_t c = 0; c < k; c++) {
            float a = __builtin_fabsf(row[c]);
            amax = a > amax ? a : amax;
        }
        float inv = loupe_int8_inv(amax);
        int32_t sum = 0;
        for (size_t c = 0; c < k; c++) {
            int v = loupe_int8_round(row[c], inv);
            q[loupe_int8_index(pw, r, c)] = (int8_t)v;
            sum += v;
        }
        pw->scale[r] = amax / 127.0f;
        pw->wsum[r] = sum;
    }
    free(row);
    return pw;
}

int loupe_weights_int8(const loupe_weights *w, size_t row, size_t col, float *scale) {
    if (w->dtype != LOUPE_DTYPE_INT8) { *scale = 0; return 0; }
    *scale = w->scale[row];
    return ((const int8_t *)w->data)[loupe_int8_index(w, row, col)];
}

void loupe_weights_free(loupe_weights *w) {
    if (!w) return;
    free(w->data);
    free(w->scale);
    free(w->wsum);
    free(w);
}

size_t loupe_weights_rows(const loupe_weights *w) { return w->n; }
size_t loupe_weights_cols(const loupe_weights *w) { return w->k; }
loupe_dtype loupe_weights_dtype(const loupe_weights *w) { return w->dtype; }
size_t loupe_weights_bytes(const loupe_weights *w) {
    if (w->dtype == LOUPE_DTYPE_INT8) return w->panels * (loupe_int8_quads(w->k) * 256 + 64 * 8);
    size_t kk = w->dtype == LOUPE_DTYPE_BF16_DOT ? (w->k + 1) / 2 * 2 : w->k;
    return w->panels * kk * w->nr * w->elem_size;
}

float loupe_weights_get(const loupe_weights *w, size_t row, size_t col) {
    if (w->dtype == LOUPE_DTYPE_INT8) {
        float scale;
        int q = loupe_weights_int8(w, row, col, &scale);
        return (float)q * scale;
    }
    if (w->dtype == LOUPE_DTYPE_BF16_DOT) return widen(LOUPE_DTYPE_BF16, w->data, loupe_dot_index(w, row, col));
    size_t p = row / w->nr, slot = loupe_panel_slot(w->dtype, row % w->nr);
    return widen(w->dtype, w->data, (p * w->k + col) * w->nr + slot);
}

void loupe_weights_unpack_rows(const loupe_weights *w, size_t row0, size_t count, float *dst) {
    size_t k = w->k;
    for (size_t r = row0; r < row0 + count && r < w->n; r++) {
        size_t nr = w->nr, p = r / nr, slot = loupe_panel_slot(w->dtype, r % nr);
        const char *src = (const char *)w->data + (p * k * nr + slot) * w->elem_size;
        float *out = dst + (r - row0) * k;
        if (w->dtype == LOUPE_DTYPE_BF16_DOT || w->dtype == LOUPE_DTYPE_INT8) {
            for (size_t c = 0; c < k; c++) out[c] = loupe_weights_get(w, r, c);
        } else if (w->dtype == LOUPE_DTYPE_F32) {
            for (size_t c = 0; c < k; c++) out[c] = ((const float *)src)[c * nr];
        } else {
            const uint16_t *h = (const uint16_t *)src;
            for (size_t c = 0; c < k; c++) out[c] = widen(w->dtype, h + c * nr, 0);
        }
    }
}
