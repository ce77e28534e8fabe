/* Portable products: the reference every SIMD path is tested against. */
#include "internal.h"

#include <math.h>
#include <string.h>

static inline float ld_f16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return tk_f16_to_f32(h);
}

static void mm_q4_0(const void *w, size_t row_bytes, int nb, int r0, int r1, const tk_act *act,
                    float *out, int ldo) {
    const int k = nb * TK_QK;
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int c = 0; c < act->ncols; c++) {
            const int8_t *a = act->qs + (size_t)c * k;
            const float *ad = act->d + (size_t)c * nb;
            float sum = 0.0f;
            for (int b = 0; b < nb; b++) {
                const uint8_t *blk = row + b * 18;
                int sumi = 0;
                for (int j = 0; j < 16; j++) {
                    sumi += ((blk[2 + j] & 15) - 8) * a[b * TK_QK + j];
                    sumi += ((blk[2 + j] >> 4) - 8) * a[b * TK_QK + j + 16];
                }
                sum += (float)sumi * (ld_f16(blk) * ad[b]);
            }
            out[(size_t)c * ldo + r] = sum;
        }
    }
}

static void mm_q4_1(const void *w, size_t row_bytes, int nb, int r0, int r1, const tk_act *act,
                    float *out, int ldo) {
    const int k = nb * TK_QK;
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int c = 0; c < act->ncols; c++) {
            const int8_t *a = act->qs + (size_t)c * k;
            const float *ad = act->d + (size_t)c * nb, *as = act->s + (size_t)c * nb;
            float sum = 0.0f;
            for (int b = 0; b < nb; b++) {
                const uint8_t *blk = row + b * 20;
                int sumi = 0;
                for (int j = 0; j < 16; j++) {
                    sumi += (blk[4 + j] & 15) * a[b * TK_QK + j];
                    sumi += (blk[4 + j] >> 4) * a[b * TK_QK + j + 16];
                }
                sum += (ld_f16(blk) * ad[b]) * (float)sumi + ld_f16(blk + 2) * as[b];
            }
            out[(size_t)c * ldo + r] = sum;
        }
    }
}

static void mm_q8_0(const void *w, size_t row_bytes, int nb, int r0, int r1, const tk_act *act,
                    float *out, int ldo) {
    const int k = nb * TK_QK;
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int c = 0; c < act->ncols; c++) {
            const int8_t *a = act->qs + (size_t)c * k;
            const float *ad = act->d + (size_t)c * nb;
            float sum = 0.0f;
            for (int b = 0; b < nb; b++) {
                const uint8_t *blk = row + b * 34;
                int sumi = 0;
                for (int j = 0; j < TK_QK; j++) sumi += (int8_t)blk[2 + j] * a[b * TK_QK + j];
                sum += (float)sumi * (ld_f16(blk) * ad[b]);
            }
            out[(size_t)c * ldo + r] = sum;
        }
    }
}

static void mm_f16(const void *w, size_t row_bytes, int k, int r0, int r1, const tk_act *act,
                   float *out, int ldo) {
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int c = 0; c < act->ncols; c++) {
            const uint16_t *a = act->f16 + (size_t)c * k;
            float sum = 0.0f;
            for (int i = 0; i < k; i++) sum += ld_f16(row + 2 * i) * tk_f16_to_f32(a[i]);
            out[(size_t)c * ldo + r] = sum;
        }
    }
}

static void mm_f32(const void *w, size_t row_bytes, int k, int r0, int r1, const tk_act *act,
                   float *out, int ldo) {
    for (int r = r0; r < r1; r++) {
        const float *row = (const float *)((const uint8_t *)w + (size_t)r * row_bytes);
        for (int c = 0; c < act->ncols; c++) {
            const float *a = act->f32 + (size_t)c * k;
            float sum = 0.0f;
            for (int i = 0; i < k; i++) sum += row[i] * a[i];
            out[(size_t)c * ldo + r] = sum;
        }
    }
}

const tk_matmul_fn tk_matmul_scalar[TK_SLOT_COUNT] = {
    [TK_SLOT_F32] = mm_f32, [TK_SLOT_F16] = mm_f16, [TK_SLOT_Q4_0] = mm_q4_0,
    [TK_SLOT_Q4_1] = mm_q4_1, [TK_SLOT_Q8_0] = mm_q8_0,
};

/* MARK: Attention */

static void attend_head(const float *q, const uint16_t *k, const uint16_t *v, size_t stride, int n,
                        int head_dim, float scale, float *scores, float *out) {
    /* GGML multiplies fp16 K by Q rounded to fp16, and fp16 V by the probabilities rounded to fp16. */
    float qh[256];
    for (int i = 0; i < head_dim; i++) qh[i] = tk_fp16_round(q[i]);
    float max = -INFINITY;
    for (int t = 0; t < n; t++) {
        const uint16_t *kt = k + (size_t)t * stride;
        float dot = 0.0f;
        for (int i = 0; i < head_dim; i++) dot += tk_f16_to_f32(kt[i]) * qh[i];
        scores[t] = dot * scale;
        if (scores[t] > max) max = scores[t];
    }
    double sum = 0.0;
    for (int t = 0; t < n; t++) {
        scores[t] = expf(scores[t] - max);
        sum += scores[t];
    }
    const float inv = (float)(1.0 / sum);
    for (int i = 0; i < head_dim; i++) out[i] = 0.0f;
    for (int t = 0; t < n; t++) {
        const float p = tk_fp16_round(scores[t] * inv);
        const uint16_t *vt = v + (size_t)t * stride;
        for (int i = 0; i < head_dim; i++) out[i] += p * tk_f16_to_f32(vt[i]);
    }
}

void tk_attend_scalar(const float *q, int heads, const uint16_t *k, const uint16_t *v, size_t stride, int n,
                      int head_dim, float scale, float *scores, size_t scores_stride, float *out) {
    for (int h = 0; h < heads; h++)
        attend_head(q + (size_t)h * head_dim, k, v, stride, n, head_dim, scale, scores + h * scores_stride,
                    out + (size_t)h * head_dim);
}
