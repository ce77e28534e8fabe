/* AVX2 + FMA + F16C products (every x86-64 CPU of the last decade). */
#include "internal.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define TK_AVX2 __attribute__((target("avx2,fma,f16c")))
#define TK_AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma,f16c")))

/* Columns that share one unpacked weight block. The per-column operations are
 * identical whatever the tile width, which keeps products batch-invariant. */
#define TILE 4

TK_AVX2_INLINE float ld_f16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

TK_AVX2_INLINE float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/* 16 bytes of nibbles -> 32 bytes: low nibbles are elements 0..15, high ones 16..31. */
TK_AVX2_INLINE __m256i unpack_nibbles(const uint8_t *p) {
    const __m128i q = _mm_loadu_si128((const __m128i *)p);
    const __m128i m = _mm_set1_epi8(15);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m), _mm_and_si128(q, m));
}

/* Sum of unsigned x signed byte products, in 8 int32 lanes, as floats. */
TK_AVX2_INLINE __m256 dot_us(__m256i u, __m256i s) {
    const __m256i p16 = _mm256_maddubs_epi16(u, s);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(p16, _mm256_set1_epi16(1)));
}

/* Signed x signed via |x| and the sign moved onto y. */
TK_AVX2_INLINE __m256 dot_ss(__m256i x, __m256i y) {
    return dot_us(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

TK_AVX2_INLINE void q4_1_tile(const uint8_t *row, int nb, const tk_act *act, int c0, const int nc,
                              float *out, int ldo, int r) {
    const int k = nb * TK_QK;
    __m256 acc[TILE];
    float summs[TILE];
    for (int c = 0; c < nc; c++) { acc[c] = _mm256_setzero_ps(); summs[c] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * 20;
        const float dw = ld_f16(blk), mw = ld_f16(blk + 2);
        const __m256i wq = unpack_nibbles(blk + 4);
        for (int c = 0; c < nc; c++) {
            const size_t ib = (size_t)(c0 + c) * nb + b;
            const __m256i a = _mm256_loadu_si256((const __m256i *)(act->qs + (size_t)(c0 + c) * k + b * TK_QK));
            acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(dw * act->d[ib]), dot_us(wq, a), acc[c]);
            summs[c] = fmaf(mw, act->s[ib], summs[c]); /* GGML's AVX2 build contracts this */
        }
    }
    for (int c = 0; c < nc; c++) out[(size_t)(c0 + c) * ldo + r] = hsum8(acc[c]) + summs[c];
}

TK_AVX2_INLINE void q4_0_tile(const uint8_t *row, int nb, const tk_act *act, int c0, const int nc,
                              float *out, int ldo, int r) {
    const int k = nb * TK_QK;
    __m256 acc[TILE];
    for (int c = 0; c < nc; c++) acc[c] = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * 18;
        const float dw = ld_f16(blk);
        const __m256i wq = _mm256_sub_epi8(unpack_nibbles(blk + 2), _mm256_set1_epi8(8));
        for (int c = 0; c < nc; c++) {
            const size_t ib = (size_t)(c0 + c) * nb + b;
            const __m256i a = _mm256_loadu_si256((const __m256i *)(act->qs + (size_t)(c0 + c) * k + b * TK_QK));
            acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(dw * act->d[ib]), dot_ss(wq, a), acc[c]);
        }
    }
    for (int c = 0; c < nc; c++) out[(size_t)(c0 + c) * ldo + r] = hsum8(acc[c]);
}

TK_AVX2_INLINE void q8_0_tile(const uint8_t *row, int nb, const tk_act *act, int c0, const int nc,
                              float *out, int ldo, int r) {
    const int k = nb * TK_QK;
    __m256 acc[TILE];
    for (int c = 0; c < nc; c++) acc[c] = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * 34;
        const float dw = ld_f16(blk);
        const __m256i wq = _mm256_loadu_si256((const __m256i *)(blk + 2));
        for (int c = 0; c < nc; c++) {
            const size_t ib = (size_t)(c0 + c) * nb + b;
            const __m256i a = _mm256_loadu_si256((const __m256i *)(act->qs + (size_t)(c0 + c) * k + b * TK_QK));
            acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(dw * act->d[ib]), dot_ss(wq, a), acc[c]);
        }
    }
    for (int c = 0; c < nc; c++) out[(size_t)(c0 + c) * ldo + r] = hsum8(acc[c]);
}

#define DEFINE_QUANT_MATMUL(name, tile)                                                          \
    TK_AVX2 static void name(const void *w, size_t row_bytes, int nb, int r0, int r1,             \
                             const tk_act *act, float *out, int ldo) {                          \
        for (int r = r0; r < r1; r++) {                                                          \
            const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;                     \
            if (r + 4 < r1) prefetch_row(row, row_bytes, 4);                                     \
            int c = 0;                                                                           \
            for (; c + TILE <= act->ncols; c += TILE) tile(row, nb, act, c, TILE, out, ldo, r);  \
            switch (act->ncols - c) { /* 1-3 left: constant widths, so each is unrolled */      \
            case 3: tile(row, nb, act, c, 3, out, ldo, r); break;                                \
            case 2: tile(row, nb, act, c, 2, out, ldo, r); break;                                \
            case 1: tile(row, nb, act, c, 1, out, ldo, r); break;                                \
            }                                                                                    \
        }                                                                                        \
    }

/* Q4_1 over many columns (prefill): one row against 8 columns. Scales and the
 * m*s terms of 8 columns come from the block-major copies in one multiply and
 * one FMA; each column's lanes still see the same operations as in q4_1_tile. */
TK_AVX2_INLINE void q4_1_tile8(const uint8_t *row, int nb, const tk_act *act, int c0, float *out,
                               int ldo, int r) {
    const int k = nb * TK_QK, nc = act->ncols;
    __m256 acc[8];
    for (int c = 0; c < 8; c++) acc[c] = _mm256_setzero_ps();
    __m256 summs = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * 20;
        const __m256 dw = _mm256_set1_ps(ld_f16(blk)), mw = _mm256_set1_ps(ld_f16(blk + 2));
        const __m256i w = unpack_nibbles(blk + 4);
        const __m256 scale = _mm256_mul_ps(dw, _mm256_loadu_ps(act->d_t + (size_t)b * nc + c0));
        const int8_t *q = act->qs + (size_t)c0 * k + b * TK_QK;
        for (int c = 0; c < 8; c++) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(q + (size_t)c * k));
            const __m256 sc = _mm256_permutevar8x32_ps(scale, _mm256_set1_epi32(c));
            acc[c] = _mm256_fmadd_ps(sc, dot_us(w, a), acc[c]);
        }
        summs = _mm256_fmadd_ps(mw, _mm256_loadu_ps(act->s_t + (size_t)b * nc + c0), summs);
    }
    float m[8];
    _mm256_storeu_ps(m, summs);
    for (int c = 0; c < 8; c++) out[(size_t)(c0 + c) * ldo + r] = hsum8(acc[c]) + m[c];
}

TK_AVX2 static void mm_q4_1(const void *w, size_t row_bytes, int nb, int r0, int r1, const tk_act *act,
                            float *out, int ldo) {
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        if (r + 4 < r1) prefetch_row(row, row_bytes, 4);
        int c = 0;
        for (; c + 8 <= act->ncols; c += 8) q4_1_tile8(row, nb, act, c, out, ldo, r);
        for (; c + TILE <= act->ncols; c += TILE) q4_1_tile(row, nb, act, c, TILE, out, ldo, r);
        switch (act->ncols - c) { /* 1-3 left: weights unpacked once, constant widths unrolled */
        case 3: q4_1_tile(row, nb, act, c, 3, out, ldo, r); break;
        case 2: q4_1_tile(row, nb, act, c, 2, out, ldo, r); break;
        case 1: q4_1_tile(row, nb, act, c, 1, out, ldo, r); break;
        }
    }
}
DEFINE_QUANT_MATMUL(mm_q4_0, q4_0_tile)
DEFINE_QUANT_MATMUL(mm_q8_0, q8_0_tile)

TK_AVX2 static void mm_f16(const void *w, size_t row_bytes, int k, int r0, int r1, const tk_act *act,
                           float *out, int ldo) {
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int c = 0; c < act->ncols; c++) {
            const uint16_t *a = act->f16 + (size_t)c * k;
            __m256 acc = _mm256_setzero_ps();
            for (int i = 0; i < k; i += 8) {
                const __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + 2 * i)));
                const __m256 y = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i)));
                acc = _mm256_fmadd_ps(x, y, acc);
            }
            out[(size_t)c * ldo + r] = hsum8(acc);
        }
    }
}

TK_AVX2 static void mm_f32(const void *w, size_t row_bytes, int k, int r0, int r1, const tk_act *act,
                           float *out, int ldo) {
    for (int r = r0; r < r1; r++) {
        const float *row = (const float *)((const uint8_t *)w + (size_t)r * row_bytes);
        for (int c = 0; c < act->ncols; c++) {
            const float *a = act->f32 + (size_t)c * k;
            __m256 acc = _mm256_setzero_ps();
            for (int i = 0; i < k; i += 8)
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(row + i), _mm256_loadu_ps(a + i), acc);
            out[(size_t)c * ldo + r] = hsum8(acc);
        }
    }
}

const tk_matmul_fn tk_matmul_avx2[TK_SLOT_COUNT] = {
    [TK_SLOT_F32] = mm_f32, [TK_SLOT_F16] = mm_f16, [TK_SLOT_Q4_0] = mm_q4_0,
    [TK_SLOT_Q4_1] = mm_q4_1, [TK_SLOT_Q8_0] = mm_q8_0,
};

/* MARK: Activation quantization */

/* The scalar quantizer's operations, eight lanes at a time: the same max, the same
 * division and multiply, and round-half-to-even conversion, so the same bits. */
TK_AVX2 void tk_quantize_blocks_avx2(const float *x, int nb, int8_t *q, float *d, float *ds) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int b = 0; b < nb; b++, x += TK_QK, q += TK_QK) {
        const __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
        const __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
        const __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                       _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        const float scale = amax / 127.0f;
        const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
        const __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, id));
        const __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, id));
        const __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, id));
        const __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, id));
        const __m256i s = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
        __m128i s4 = _mm_add_epi32(_mm256_extracti128_si256(s, 1), _mm256_castsi256_si128(s));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
        /* fp16 rounding of the scale and of scale * sum (F16C rounds to nearest even, as the scalar path) */
        const __m128 pair = _mm_setr_ps(scale, scale * (float)_mm_cvtsi128_si32(s4), 0.0f, 0.0f);
        const __m128 rounded = _mm_cvtph_ps(_mm_cvtps_ph(pair, _MM_FROUND_TO_NEAREST_INT));
        d[b] = _mm_cvtss_f32(rounded);
        ds[b] = _mm_cvtss_f32(_mm_movehdup_ps(rounded));
        /* packs interleave 128-bit lanes; the permutation puts the 32 bytes back in order */
        const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
        _mm256_storeu_si256((__m256i *)q, _mm256_permutevar8x32_epi32(p, order));
    }
}

TK_AVX2 void tk_f32_to_f16_row_avx2(const float *x, uint16_t *out, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) out[i] = tk_f32_to_f16(x[i]);
}

/* MARK: SwiGLU */

#define TK_VEXP_TARGET "avx2,fma,f16c"
#include "vexp.h"

TK_AVX2 void tk_swiglu_avx2(float *g, const float *u, int n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(g + i);
        const __m256 silu = _mm256_div_ps(x, _mm256_add_ps(one, tk_vexp_rounded(_mm256_sub_ps(_mm256_setzero_ps(), x))));
        _mm256_storeu_ps(g + i, _mm256_mul_ps(silu, _mm256_loadu_ps(u + i)));
    }
    for (; i < n; i++) g[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

/* MARK: Attention */

#define TK_ATTEND_NAME tk_attend_avx2
#define TK_ATTEND_TARGET "avx2,fma,f16c"
#include "attend_body.h"
