#ifndef CKERNEL_H
#define CKERNEL_H
/*
 * The compute of the local inference kernel: quantized matrix products with
 * run-time CPU dispatch, the transformer's element-wise operations, a small
 * persistent thread pool, and one llama-architecture forward pass over a
 * batch of tokens that may belong to different sequences.
 *
 * Numerics follow GGML's CPU backend: activations are quantized to 8 bits in
 * blocks of 32 (scale = max|x| / 127, stored as fp16) before they meet
 * quantized weights, K/V are kept in fp16. Every output element is computed
 * by the same sequence of operations whatever else shares its batch, so a
 * sequence's logits never depend on its neighbours (batch invariance).
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MARK: - CPU dispatch */

/** Instruction-set paths, from the portable one up. */
typedef enum {
    TK_ISA_SCALAR = 0,
    TK_ISA_AVX2 = 1,   /* AVX2 + FMA + F16C */
    TK_ISA_AVX512 = 2, /* AVX-512 F/BW/VL + VNNI */
} tk_isa;

/** 1 when this CPU can run `isa`. */
int tk_isa_supported(int isa);
/** The best path this CPU supports. */
int tk_isa_best(void);
/** The path to use by default: TROUPE_KERNEL_ISA (scalar|avx2|avx512) when it
 *  names a supported path, otherwise the best one. Read once. */
int tk_isa_default(void);

/* MARK: - Weight types (GGML numbering) */

enum {
    TK_TYPE_F32 = 0,
    TK_TYPE_F16 = 1,
    TK_TYPE_Q4_0 = 2,
    TK_TYPE_Q4_1 = 3,
    TK_TYPE_Q8_0 = 8,
};

/** 1 when matrix products support weights of `type`. */
int tk_type_supported(int type);
/** Bytes one row of `k` elements of `type` takes (k a multiple of 32 for quantized types). */
size_t tk_row_bytes(int type, int k);
/** Dequantizes one row of `k` elements. */
void tk_dequantize_row(int type, const void *row, float *out, int k);

/* MARK: - Activations */

/**
 * Activations prepared for products with weights: `ncols` vectors of `k`
 * floats, quantized to 8 bits per block of 32 and also kept as f32 and fp16,
 * so one preparation serves every weight type. Memory is owned by the caller:
 * `tk_act_bytes` says how much, `tk_act_bind` lays the arrays out in it.
 */
typedef struct {
    int k;       /* elements per vector */
    int ncols;   /* vectors */
    int8_t *qs;  /* ncols * k quants */
    int8_t *qs_pairs; /* the quants again, columns 2p and 2p+1 side by side per block (64 bytes),
                         for products that take two columns per 512-bit register; like d_t and
                         s_t, filled only when ncols > 1 (one column has no such product) */
    float *d;    /* ncols * k/32 block scales, fp16-rounded */
    float *s;    /* ncols * k/32: fp16(d_unrounded * sum(qs)), as GGML's Q8_1 */
    float *d_t;  /* the block scales again, block-major: [block][column], for products over many columns */
    float *s_t;  /* s, block-major */
    uint16_t *f16; /* ncols * k fp16 copies */
    float *f32;  /* ncols * k */
    int floats;  /* 1: keep the f16 and f32 copies (float weights read them); tk_act_bind sets it */
} tk_act;

size_t tk_act_bytes(int k, int ncols);
void tk_act_bind(tk_act *act, void *memory, int k, int ncols);
/** Quantizes columns [c0, c1) of `x` (column c at x + c*x_stride) into `act`. */
void tk_act_quantize(tk_act *act, const float *x, size_t x_stride, int c0, int c1);
/** Quantizes blocks [b0, b1) of column `c`, whose `k` floats start at `xc`, with the
 *  given path. Every path writes the same bits; parts of a column may be quantized
 *  by different threads. */
void tk_act_quantize_blocks(tk_act *act, int isa, const float *xc, int c, int b0, int b1);

/* MARK: - Matrix products */

/**
 * out[c * ldo + r] = dot(row r of w, column c of act) for r in [r0, r1), c in [0, act->ncols).
 * `w` points at row 0; rows are `tk_row_bytes(type, act->k)` apart.
 */
void tk_matmul(int isa, int type, const void *w, int r0, int r1,
               const tk_act *act, float *out, int ldo);

/* MARK: - fp16 */

float tk_f16_to_f32(uint16_t h);
uint16_t tk_f32_to_f16(float f);

/* MARK: - Thread pool */

/** A persistent pool of dedicated threads; the caller of `tk_pool_run` is thread 0. */
typedef struct tk_pool tk_pool;

tk_pool *tk_pool_create(int nthreads);
void tk_pool_destroy(tk_pool *pool);
int tk_pool_size(const tk_pool *pool);
/** Runs fn(ctx, ith, nth) on every thread of the pool and returns when all are done. */
void tk_pool_run(tk_pool *pool, void (*fn)(void *ctx, int ith, int nth), void *ctx);
/** Waits until every thread of the running job reaches this point. Call only inside fn. */
void tk_pool_barrier(tk_pool *pool);

/* MARK: - Model and forward pass */

/** A weight matrix: `rows` rows of `cols` elements of `type`. */
typedef struct {
    int type;
    int rows;
    int cols;
    const void *data;
} tk_tensor;

typedef struct {
    const float *attn_norm; /* dim */
    tk_tensor wq, wk, wv, wo;
    const float *ffn_norm;  /* dim */
    tk_tensor w_gate, w_up, w_down;
} tk_layer;

typedef struct {
    int n_layer, dim, n_head, n_kv_head, head_dim, ffn_dim, vocab;
    int rope_dim;
    float rope_theta, rms_eps;
    tk_tensor tok_embd;     /* vocab rows of dim */
    const float *out_norm;  /* dim */
    tk_tensor output;       /* vocab rows of dim (the embedding when tied) */
    const tk_layer *layers; /* n_layer */
} tk_model;

/** One sequence's K/V cache in fp16. Each plane (a layer's K/V head) keeps its rows
 *  position after position, so attention streams through contiguous memory. */
typedef struct {
    uint16_t *k;  /* planes x capacity x head_dim; plane = layer * n_kv_head + kv head */
    uint16_t *v;
    int capacity; /* positions per plane */
    int planes;
    int head_dim;
} tk_kv;

/** An empty cache shaped for `m`. */
tk_kv tk_kv_empty(const tk_model *m);
/** Bytes of K (or V) one position takes. */
size_t tk_kv_position_bytes(const tk_kv *kv);
/** Grows a cache to `capacity` positions, keeping its contents. Memory comes
 *  straight from the OS (mmap, grown with mremap on Linux), so a freed cache is
 *  returned at once. Returns 0, or -1 when out of memory (the cache is unchanged). */
int tk_kv_reserve(tk_kv *kv, int capacity);
/** Releases a cache's memory. */
void tk_kv_release(tk_kv *kv);

/** A batch of tokens, each at a position of its sequence; tokens of one sequence appear in position order. */
typedef struct {
    int n_tokens;
    const int32_t *tokens;
    const int32_t *pos;
    tk_kv *const *kv;           /* per token: its sequence's cache */
    const uint8_t *want_logits; /* per token: 1 to write its logits */
    float *logits;              /* one row of `vocab` per token that wants logits, in batch order */
    int threads;                /* threads to use, at most the pool's; 0 means all. Results do not depend on it. */
} tk_batch;

/** Scratch memory and threads for forward passes of up to `max_tokens` tokens and contexts of `max_ctx`. */
typedef struct tk_engine tk_engine;

tk_engine *tk_engine_create(const tk_model *m, int nthreads, int max_tokens, int max_ctx, int isa);
void tk_engine_destroy(tk_engine *e);
int tk_engine_isa(const tk_engine *e);
int tk_engine_threads(const tk_engine *e);

/** Runs the batch: writes K/V at each token's position and the requested logits.
 *  Returns 0, or -1 when the batch exceeds the engine's limits or a cache's capacity. */
int tk_forward(tk_engine *e, const tk_batch *b);

#ifdef __cplusplus
}
#endif
#endif
