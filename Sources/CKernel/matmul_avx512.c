/* AVX-512 VNNI products: two blocks of 32 per 512-bit register, vpdpbusd for the byte products.
 * The float accumulation follows the AVX2 path block by block, so both paths give the same
 * bits (and the order GGML's AVX2 build uses, which the reference logits come from). */
#include "internal.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define TK_AVX512_TARGET "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"
#define TK_AVX512 __attribute__((target(TK_AVX512_TARGET)))
#define TK_AVX512_INLINE static inline __attribute__((always_inline, target(TK_AVX512_TARGET)))

#define TILE 4

TK_AVX512_INLINE float ld_f16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

TK_AVX512_INLINE float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

TK_AVX512_INLINE __m256i unpack_nibbles(const uint8_t *p) {
    const __m128i q = _mm_loadu_si128((const __m128i *)p);
    const __m128i m = _mm_set1_epi8(15);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m), _mm_and_si128(q, m));
}

/* Nibbles of 16 bytes as 32 bytes (low nibbles, then high), in both halves of a register:
 * one broadcast load, one variable shift, one mask. */
TK_AVX512_INLINE __m512i nibbles_both(const uint8_t *p) {
    const __m512i q = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)p));
    const __m512i shift = _mm512_set_epi64(0x0004000400040004LL, 0x0004000400040004LL, 0, 0,
                                           0x0004000400040004LL, 0x0004000400040004LL, 0, 0);
    return _mm512_and_si512(_mm512_srlv_epi16(q, shift), _mm512_set1_epi8(15));
}

/* Nibbles of two blocks' 16 bytes, the first block in the low half. */
TK_AVX512_INLINE __m512i nibbles_pair(const uint8_t *p0, const uint8_t *p1) {
    const __m256i two = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)p0)),
                                                _mm_loadu_si128((const __m128i *)p1), 1);
    const __m512i q = _mm512_shuffle_i64x2(_mm512_castsi256_si512(two), _mm512_castsi256_si512(two),
                                           _MM_SHUFFLE(1, 1, 0, 0));
    const __m512i shift = _mm512_set_epi64(0x0004000400040004LL, 0x0004000400040004LL, 0, 0,
                                           0x0004000400040004LL, 0x0004000400040004LL, 0, 0);
    return _mm512_and_si512(_mm512_srlv_epi16(q, shift), _mm512_set1_epi8(15));
}

/* The fp16 scale (and, for Q4_1, minimum) at the head of a block, each in all four lanes. */
TK_AVX512_INLINE __m128 block_d(const uint8_t *blk) {
    uint32_t dm;
    memcpy(&dm, blk, 4);
    return _mm_permute_ps(_mm_cvtph_ps(_mm_cvtsi32_si128((int)dm)), 0x00);
}
TK_AVX512_INLINE __m128 block_m(const uint8_t *blk) {
    uint32_t dm;
    memcpy(&dm, blk, 4);
    return _mm_permute_ps(_mm_cvtph_ps(_mm_cvtsi32_si128((int)dm)), 0x55);
}

TK_AVX512_INLINE __m512i join(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

/* Signed x signed bytes: |w| times a with w's sign moved onto it. */
TK_AVX512_INLINE __m512i dot_ss512(__m512i w, __m512i a) {
    const __mmask64 neg = _mm512_movepi8_mask(w);
    const __m512i as = _mm512_mask_sub_epi8(a, neg, _mm512_setzero_si512(), a);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_abs_epi8(w), as);
}

TK_AVX512_INLINE __m256i dot_ss256(__m256i w, __m256i a) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(a, w));
}

/* The tile bodies: BLOCK_BYTES, how to load a pair / one block of weights as
 * bytes, and how to take their product with the activations. */
#define DEFINE_TILE(name, BLOCK_BYTES, HAS_MIN, LOAD1, LOAD2, DOT512, DOT256)                    \
    TK_AVX512_INLINE void name(const uint8_t *row, int nb, const tk_act *act, int c0,           \
                               const int nc, float *out, int ldo, int r) {                      \
        const int k = nb * TK_QK;                                                                \
        __m256 acc8[TILE];                                                                       \
        float summs[TILE];                                                                       \
        for (int c = 0; c < nc; c++) {                                                           \
            acc8[c] = _mm256_setzero_ps();                                                       \
            summs[c] = 0.0f;                                                                     \
        }                                                                                        \
        int b = 0;                                                                               \
        for (; b + 2 <= nb; b += 2) {                                                            \
            const uint8_t *b0 = row + b * BLOCK_BYTES, *b1 = b0 + BLOCK_BYTES;                   \
            const float d0 = ld_f16(b0), d1 = ld_f16(b1);                                        \
            const __m512i wq = LOAD2(b0, b1);                                                    \
            for (int c = 0; c < nc; c++) {                                                       \
                const size_t ib = (size_t)(c0 + c) * nb + b;                                     \
                const __m512i a = _mm512_loadu_si512(act->qs + (size_t)(c0 + c) * k + b * TK_QK);\
                const __m512 f = _mm512_cvtepi32_ps(DOT512(wq, a));                              \
                const __m256 f0 = _mm512_castps512_ps256(f);                                     \
                const __m256 f1 = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(f), 1)); \
                acc8[c] = _mm256_fmadd_ps(_mm256_set1_ps(d0 * act->d[ib]), f0, acc8[c]);         \
                if (HAS_MIN) summs[c] = fmaf(ld_f16(b0 + 2), act->s[ib], summs[c]);             \
                acc8[c] = _mm256_fmadd_ps(_mm256_set1_ps(d1 * act->d[ib + 1]), f1, acc8[c]);     \
                if (HAS_MIN) summs[c] = fmaf(ld_f16(b1 + 2), act->s[ib + 1], summs[c]);         \
            }                                                                                    \
        }                                                                                        \
        for (; b < nb; b++) {                                                                    \
            const uint8_t *b0 = row + b * BLOCK_BYTES;                                           \
            const float d0 = ld_f16(b0);                                                         \
            const __m256i wq = LOAD1(b0);                                                        \
            for (int c = 0; c < nc; c++) {                                                       \
                const size_t ib = (size_t)(c0 + c) * nb + b;                                     \
                const __m256i a = _mm256_loadu_si256((const __m256i *)(act->qs + (size_t)(c0 + c) * k + b * TK_QK)); \
                const __m256 f = _mm256_cvtepi32_ps(DOT256(wq, a));                              \
                acc8[c] = _mm256_fmadd_ps(_mm256_set1_ps(d0 * act->d[ib]), f, acc8[c]);          \
                if (HAS_MIN) summs[c] = fmaf(ld_f16(b0 + 2), act->s[ib], summs[c]);                  \
            }                                                                                    \
        }                                                                                        \
        for (int c = 0; c < nc; c++)                                                             \
            out[(size_t)(c0 + c) * ldo + r] = hsum8(acc8[c]) + summs[c];      \
    }

TK_AVX512_INLINE __m256i load_q4_1(const uint8_t *b) { return unpack_nibbles(b + 4); }
TK_AVX512_INLINE __m256i load_q4_0(const uint8_t *b) {
    return _mm256_sub_epi8(unpack_nibbles(b + 2), _mm256_set1_epi8(8));
}
TK_AVX512_INLINE __m256i load_q8_0(const uint8_t *b) { return _mm256_loadu_si256((const __m256i *)(b + 2)); }

TK_AVX512_INLINE __m512i load2_q4_1(const uint8_t *b0, const uint8_t *b1) { return nibbles_pair(b0 + 4, b1 + 4); }
TK_AVX512_INLINE __m512i load2_q4_0(const uint8_t *b0, const uint8_t *b1) {
    return _mm512_sub_epi8(nibbles_pair(b0 + 2, b1 + 2), _mm512_set1_epi8(8));
}
TK_AVX512_INLINE __m512i load2_q8_0(const uint8_t *b0, const uint8_t *b1) { return join(load_q8_0(b0), load_q8_0(b1)); }

/* One block's weights in both halves of a register. */
TK_AVX512_INLINE __m512i both_q4_1(const uint8_t *b) { return nibbles_both(b + 4); }
TK_AVX512_INLINE __m512i both_q4_0(const uint8_t *b) { return _mm512_sub_epi8(nibbles_both(b + 2), _mm512_set1_epi8(8)); }
TK_AVX512_INLINE __m512i both_q8_0(const uint8_t *b) { return _mm512_broadcast_i64x4(load_q8_0(b)); }

TK_AVX512_INLINE __m512i dot_us512(__m512i w, __m512i a) {
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), w, a);
}
TK_AVX512_INLINE __m256i dot_us256(__m256i w, __m256i a) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a);
}

DEFINE_TILE(q4_1_tile, 20, 1, load_q4_1, load2_q4_1, dot_us512, dot_us256)
DEFINE_TILE(q4_0_tile, 18, 0, load_q4_0, load2_q4_0, dot_ss512, dot_ss256)
DEFINE_TILE(q8_0_tile, 34, 0, load_q8_0, load2_q8_0, dot_ss512, dot_ss256)

/* Q4_1 over many columns (prefill): one row against 8 columns, two columns per
 * 512-bit register, block by block. Each column's lanes get the same multiply
 * and FMA as in q4_1_tile, so the result is the same bits. */
TK_AVX512_INLINE void q4_1_tile8(const uint8_t *row, int nb, const tk_act *act, int c0, float *out,
                                 int ldo, int r) {
    const int k = nb * TK_QK, nc = act->ncols;
    __m512 acc[4];
    for (int p = 0; p < 4; p++) acc[p] = _mm512_setzero_ps();
    __m256 summs = _mm256_setzero_ps();
    const __m512i pick[4] = {
        _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
        _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2),
        _mm512_set_epi32(5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4),
        _mm512_set_epi32(7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6),
    };
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * 20;
        const __m256 dw = _mm256_set1_ps(ld_f16(blk)), mw = _mm256_set1_ps(ld_f16(blk + 2));
        const __m512i w = nibbles_both(blk + 4);
        const __m512 scale = _mm512_castps256_ps512(_mm256_mul_ps(dw, _mm256_loadu_ps(act->d_t + (size_t)b * nc + c0)));
        const int8_t *q = act->qs_pairs + ((size_t)(c0 / 2) * nb + b) * 2 * TK_QK;
        for (int p = 0; p < 4; p++) {
            const __m512i a = _mm512_loadu_si512(q + (size_t)p * 2 * k);
            const __m512 f = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), w, a));
            acc[p] = _mm512_fmadd_ps(_mm512_permutexvar_ps(pick[p], scale), f, acc[p]);
        }
        summs = _mm256_fmadd_ps(mw, _mm256_loadu_ps(act->s_t + (size_t)b * nc + c0), summs);
    }
    float m[8];
    _mm256_storeu_ps(m, summs);
    for (int p = 0; p < 4; p++) {
        const __m256 lo = _mm512_castps512_ps256(acc[p]);
        const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[p]), 1));
        out[(size_t)(c0 + 2 * p) * ldo + r] = hsum8(lo) + m[2 * p];
        out[(size_t)(c0 + 2 * p + 1) * ldo + r] = hsum8(hi) + m[2 * p + 1];
    }
}

/* Two to four columns (decode steps of several sequences, N of them): the weight
 * block once, in both halves of a register, against two columns per register; the
 * columns' scales come from the block-major copies. Per column the same operations
 * as the tiles above, so the same bits. */
TK_AVX512_INLINE __m128 load_scales(const float *p, const int N) {
    return _mm_maskz_loadu_ps((__mmask8)((1u << N) - 1), p);
}

#define DEFINE_TILE4(name, BLOCK_BYTES, HAS_MIN, LOAD_BOTH, DOT512)                              \
    TK_AVX512_INLINE void name(const uint8_t *row, int nb, const tk_act *act, int c0, const int N, \
                               float *out, int ldo, int r) {                                      \
        const int k = nb * TK_QK, nc = act->ncols;                                                \
        __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();                            \
        __m128 summs = _mm_setzero_ps();                                                          \
        const __m512i pick0 = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);   \
        const __m512i pick1 = _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2);   \
        const int8_t *q = act->qs_pairs + (size_t)(c0 / 2) * k * 2;                               \
        for (int b = 0; b < nb; b++, q += 2 * TK_QK) {                                            \
            const uint8_t *blk = row + b * BLOCK_BYTES;                                           \
            const __m512i w = LOAD_BOTH(blk);                                                     \
            const __m512 scale = _mm512_castps128_ps512(                                          \
                _mm_mul_ps(block_d(blk), load_scales(act->d_t + (size_t)b * nc + c0, N)));          \
            const __m512i a0 = _mm512_loadu_si512(q);                                             \
            acc0 = _mm512_fmadd_ps(_mm512_permutexvar_ps(pick0, scale), _mm512_cvtepi32_ps(DOT512(w, a0)), acc0); \
            if (N > 2) {                                                                          \
                /* with N = 3 the upper half is no column: its products are never stored */       \
                const __m512i a1 = _mm512_loadu_si512(q + 2 * (size_t)k);                         \
                acc1 = _mm512_fmadd_ps(_mm512_permutexvar_ps(pick1, scale), _mm512_cvtepi32_ps(DOT512(w, a1)), acc1); \
            }                                                                                     \
            if (HAS_MIN)                                                                          \
                summs = _mm_fmadd_ps(block_m(blk), load_scales(act->s_t + (size_t)b * nc + c0, N), summs); \
        }                                                                                         \
        float m[4];                                                                               \
        _mm_storeu_ps(m, summs);                                                                  \
        const __m512 accs[2] = {acc0, acc1};                                                      \
        for (int p = 0; 2 * p < N; p++) {                                                         \
            const __m256 lo = _mm512_castps512_ps256(accs[p]);                                    \
            const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(accs[p]), 1)); \
            out[(size_t)(c0 + 2 * p) * ldo + r] = hsum8(lo) + m[2 * p];                           \
            if (2 * p + 1 < N) out[(size_t)(c0 + 2 * p + 1) * ldo + r] = hsum8(hi) + m[2 * p + 1]; \
        }                                                                                         \
    }

DEFINE_TILE4(q4_1_tile4, 20, 1, both_q4_1, dot_us512)
DEFINE_TILE4(q4_0_tile4, 18, 0, both_q4_0, dot_ss512)
DEFINE_TILE4(q8_0_tile4, 34, 0, both_q8_0, dot_ss512)

TK_AVX512 static void mm_q4_1(const void *w, size_t row_bytes, int nb, int r0, int r1, const tk_act *act,
                              float *out, int ldo) {
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        if (r + 4 < r1) prefetch_row(row, row_bytes, 4);
        int c = 0;
        for (; c + 8 <= act->ncols; c += 8) q4_1_tile8(row, nb, act, c, out, ldo, r);
        for (; c + 4 <= act->ncols; c += 4) q4_1_tile4(row, nb, act, c, 4, out, ldo, r);
        if (act->ncols - c == 3) q4_1_tile4(row, nb, act, c, 3, out, ldo, r), c += 3;
        if (act->ncols - c == 2) q4_1_tile4(row, nb, act, c, 2, out, ldo, r), c += 2;
        for (; c < act->ncols; c++) q4_1_tile(row, nb, act, c, 1, out, ldo, r);
    }
}

#define DEFINE_QUANT_MATMUL4(name, tile, tile4)                                                  \
    TK_AVX512 static void name(const void *w, size_t row_bytes, int nb, int r0, int r1,           \
                               const tk_act *act, float *out, int ldo) {                        \
        for (int r = r0; r < r1; r++) {                                                          \
            const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;                     \
            if (r + 4 < r1) prefetch_row(row, row_bytes, 4);                                     \
            int c = 0;                                                                           \
            for (; c + 4 <= act->ncols; c += 4) tile4(row, nb, act, c, 4, out, ldo, r);          \
            if (act->ncols - c == 3) tile4(row, nb, act, c, 3, out, ldo, r), c += 3;             \
            if (act->ncols - c == 2) tile4(row, nb, act, c, 2, out, ldo, r), c += 2;             \
            for (; c < act->ncols; c++) tile(row, nb, act, c, 1, out, ldo, r);                   \
        }                                                                                        \
    }
DEFINE_QUANT_MATMUL4(mm_q4_0, q4_0_tile, q4_0_tile4)
DEFINE_QUANT_MATMUL4(mm_q8_0, q8_0_tile, q8_0_tile4)

/* Float weights gain nothing from VNNI: the AVX2 products serve. */
const tk_matmul_fn tk_matmul_avx512[TK_SLOT_COUNT] = {
    [TK_SLOT_Q4_0] = mm_q4_0, [TK_SLOT_Q4_1] = mm_q4_1, [TK_SLOT_Q8_0] = mm_q8_0,
};

/* Attention: the AVX2 code, compiled with AVX-512's 32 vector registers so a
 * group's accumulators stay in registers. */
#define TK_VEXP_TARGET TK_AVX512_TARGET
#include "vexp.h"
#define TK_ATTEND_NAME tk_attend_avx512
#define TK_ATTEND_TARGET TK_AVX512_TARGET
#include "attend_body.h"
