/* Declarations shared by the CKernel sources; not part of the public header. */
#ifndef CKERNEL_INTERNAL_H
#define CKERNEL_INTERNAL_H
#include "CKernel.h"

/* Products must be computed the same way for every column, whatever the tile;
 * forbid the compiler from fusing a multiply and an add in one place and not
 * in another. Explicit FMA intrinsics are still FMAs. */
#pragma clang fp contract(off)

#define TK_QK 32

typedef void (*tk_matmul_fn)(const void *w, size_t row_bytes, int nb, int r0, int r1,
                             const tk_act *act, float *out, int ldo);

/* One table of products per path, indexed by weight type slot. */
enum { TK_SLOT_F32, TK_SLOT_F16, TK_SLOT_Q4_0, TK_SLOT_Q4_1, TK_SLOT_Q8_0, TK_SLOT_COUNT };
int tk_type_slot(int type);

extern const tk_matmul_fn tk_matmul_scalar[TK_SLOT_COUNT];
extern const tk_matmul_fn tk_matmul_avx2[TK_SLOT_COUNT];
extern const tk_matmul_fn tk_matmul_avx512[TK_SLOT_COUNT];

/* Attention of `heads` query heads that share one K/V head (q and out: heads x head_dim
 * floats) over positions [0, n) of a cache, fp16 K/V rows `stride` elements apart;
 * `scores` holds `heads` rows of `scores_stride` floats of scratch. */
typedef void (*tk_attend_fn)(const float *q, int heads, const uint16_t *k, const uint16_t *v, size_t stride,
                             int n, int head_dim, float scale, float *scores, size_t scores_stride, float *out);
void tk_attend_scalar(const float *q, int heads, const uint16_t *k, const uint16_t *v, size_t stride,
                      int n, int head_dim, float scale, float *scores, size_t scores_stride, float *out);
void tk_attend_avx2(const float *q, int heads, const uint16_t *k, const uint16_t *v, size_t stride,
                    int n, int head_dim, float scale, float *scores, size_t scores_stride, float *out);
void tk_attend_avx512(const float *q, int heads, const uint16_t *k, const uint16_t *v, size_t stride,
                      int n, int head_dim, float scale, float *scores, size_t scores_stride, float *out);

/* 8-bit quantization of `nb` blocks of 32 floats: quants, each block's scale
 * fp16(max|x| / 127) and fp16(unrounded scale * sum of its quants), as GGML's Q8_1.
 * Both paths give the same bits. */
void tk_quantize_blocks_scalar(const float *x, int nb, int8_t *q, float *d, float *s);
void tk_quantize_blocks_avx2(const float *x, int nb, int8_t *q, float *d, float *s);

/* g[i] = silu(g[i]) * u[i] for i in [0, n), with e^x correctly rounded (the scalar path's bits). */
void tk_swiglu_avx2(float *g, const float *u, int n);

/* fp16 copies of n floats (round to nearest even on every path). */
void tk_f32_to_f16_row(int isa, const float *x, uint16_t *out, int n);
void tk_f32_to_f16_row_avx2(const float *x, uint16_t *out, int n);

/* Asks for the row `ahead` rows on as non-temporal (locality 0: prefetchnta on x86):
 * weights are read once per pass, and streaming them past the shared cache would
 * evict what is reused (the K/V caches). */
static inline void prefetch_row(const uint8_t *row, size_t row_bytes, int ahead) {
    const uint8_t *next = row + (size_t)ahead * row_bytes;
    for (size_t off = 0; off < row_bytes; off += 64) __builtin_prefetch(next + off, 0, 0);
}

static inline float tk_fp16_round(float x) { return tk_f16_to_f32(tk_f32_to_f16(x)); }

#endif
