/* One llama-architecture forward pass over a batch of tokens, on every thread of the pool.
 *
 * Each operation is split across the threads (matrix rows, tokens, or
 * token x head pairs) with a barrier after it. No operation mixes tokens
 * except attention, which reads only the token's own sequence, so every
 * token's numbers are the same whatever batch it is in. */
#include "internal.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Work claimed and finished in one operation of a pass; a cache line each. */
typedef struct {
    _Atomic int claimed;
    _Atomic int done;
    char pad[56];
} tk_step;

enum { TK_MAX_STEPS = 2048, TK_SPINS_BEFORE_YIELD = 1 << 12 };

struct tk_engine {
    tk_model m;
    tk_pool *pool;
    int isa;
    int max_tokens, max_ctx;
    int kv_dim;
    int floats;                     /* some weights are F16/F32: activations keep float copies */
    tk_attend_fn attend;
    float *x, *xb, *qkv, *att, *h;  /* activations, [token][feature] */
    float *scores;                  /* per thread: up to 4 heads x max_ctx */
    float *rope;                    /* per token: rope_dim cos/sin pairs */
    void *act_memory;
    tk_act act_dim, act_ffn, act_out; /* bound per batch over the same memory, used in turn */
    int *logit_rows;                /* tokens that want logits */
    tk_step *steps;                 /* work counters of the running pass, one per operation */
    int steps_used;
    const tk_batch *batch;          /* the running job */
    int n_logits;
};

static void *tk_alloc(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) return NULL;
    return p;
}

static int is_float(const tk_tensor *t) { return t->type == TK_TYPE_F32 || t->type == TK_TYPE_F16; }

static int has_float_weights(const tk_model *m) {
    if (is_float(&m->output)) return 1;
    for (int l = 0; l < m->n_layer; l++) {
        const tk_layer *L = &m->layers[l];
        if (is_float(&L->wq) || is_float(&L->wk) || is_float(&L->wv) || is_float(&L->wo) ||
            is_float(&L->w_gate) || is_float(&L->w_up) || is_float(&L->w_down))
            return 1;
    }
    return 0;
}

tk_engine *tk_engine_create(const tk_model *m, int nthreads, int max_tokens, int max_ctx, int isa) {
    if (!tk_isa_supported(isa)) return NULL;
    tk_engine *e = calloc(1, sizeof(tk_engine));
    if (!e) return NULL;
    e->m = *m;
    e->isa = isa;
    e->attend = isa == TK_ISA_AVX512 ? tk_attend_avx512 : isa == TK_ISA_AVX2 ? tk_attend_avx2 : tk_attend_scalar;
    e->max_tokens = max_tokens;
    e->max_ctx = max_ctx;
    e->kv_dim = m->n_kv_head * m->head_dim;
    e->floats = has_float_weights(m);
    e->pool = tk_pool_create(nthreads);
    const size_t T = (size_t)max_tokens;
    const int widest = m->ffn_dim > m->dim ? m->ffn_dim : m->dim;
    e->x = tk_alloc(T * m->dim * 4);
    e->xb = tk_alloc(T * m->dim * 4);
    e->qkv = tk_alloc(T * (m->dim + 2 * e->kv_dim) * 4);
    e->att = tk_alloc(T * m->dim * 4);
    e->h = tk_alloc(T * 2 * m->ffn_dim * 4);
    e->scores = tk_alloc((size_t)tk_pool_size(e->pool) * 4 * max_ctx * 4);
    e->rope = tk_alloc(T * m->rope_dim * 4);
    e->act_memory = tk_alloc(tk_act_bytes(widest, max_tokens));
    e->logit_rows = calloc(T, sizeof(int));
    e->steps = tk_alloc(sizeof(tk_step) * TK_MAX_STEPS);
    if (e->steps) memset(e->steps, 0, sizeof(tk_step) * TK_MAX_STEPS);
    if (m->n_layer * 10 + 8 > TK_MAX_STEPS) e->steps = (free(e->steps), NULL);
    if (!e->pool || !e->x || !e->xb || !e->qkv || !e->att || !e->h || !e->scores || !e->rope ||
        !e->act_memory || !e->logit_rows || !e->steps) {
        tk_engine_destroy(e);
        return NULL;
    }
    return e;
}

void tk_engine_destroy(tk_engine *e) {
    if (!e) return;
    tk_pool_destroy(e->pool);
    free(e->x); free(e->xb); free(e->qkv); free(e->att); free(e->h);
    free(e->scores); free(e->rope); free(e->act_memory); free(e->logit_rows); free(e->steps);
    free(e);
}

int tk_engine_isa(const tk_engine *e) { return e->isa; }
int tk_engine_threads(const tk_engine *e) { return tk_pool_size(e->pool); }

/* MARK: Work sharing
 *
 * Every thread walks the same list of operations. An operation is split into
 * items that threads claim from a shared counter; a thread moves to the next
 * operation once every item of this one is finished. No thread has to arrive
 * anywhere: if one is descheduled (2 cores shared with other processes), the
 * others take its items instead of waiting for it at a barrier. */

#include <sched.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define TK_PAUSE() _mm_pause()
#else
#define TK_PAUSE() ((void)0)
#endif

static inline int step_claim(tk_engine *e, int step, int n) {
    if (atomic_load_explicit(&e->steps[step].claimed, memory_order_relaxed) >= n) return -1;
    const int i = atomic_fetch_add_explicit(&e->steps[step].claimed, 1, memory_order_relaxed);
    return i < n ? i : -1;
}

static inline void step_done(tk_engine *e, int step) {
    atomic_fetch_add_explicit(&e->steps[step].done, 1, memory_order_release);
}

static inline void step_wait(tk_engine *e, int step, int n) {
    int spins = 0;
    while (atomic_load_explicit(&e->steps[step].done, memory_order_acquire) < n) {
        if (++spins < TK_SPINS_BEFORE_YIELD) TK_PAUSE();
        else sched_yield();
    }
}

/* Runs the body for every item i in [0, n) of operation `s`, then waits for the
 * operation to finish and moves `s` on. */
#define PARALLEL(n, i)                                                                   \
    for (int i = 0, n_ = (n), once_ = 1; once_; once_ = 0, step_wait(e, s, n_), s++)      \
        for (; (i = step_claim(e, s, n_)) >= 0; step_done(e, s))

/* Items per operation: a few per thread, so a fast thread can take a slow one's share. */
static inline int items_for(const tk_engine *e, int units) {
    const int want = 4 * tk_pool_size(e->pool);
    return units < want ? units : want;
}

/* Element-wise work over T tokens' vectors of `nb` blocks of 32: whole tokens per
 * item when there are enough tokens, otherwise each token's blocks split in
 * chunks, so a single token's work is shared by every thread too. */
typedef struct { int t0, t1, b0, b1; } tk_span;

static inline int span_items(const tk_engine *e, int T, int nb) {
    const int want = 2 * tk_pool_size(e->pool);
    if (T >= want) return want;
    const int chunks = (want + T - 1) / T;
    return T * (chunks < nb ? chunks : nb);
}

static inline tk_span span_of(int T, int nb, int n, int i) {
    tk_span sp;
    if (n <= T) {
        sp.t0 = (int)((long)T * i / n);
        sp.t1 = (int)((long)T * (i + 1) / n);
        sp.b0 = 0;
        sp.b1 = nb;
    } else {
        const int chunks = n / T, j = i % chunks;
        sp.t0 = i / chunks;
        sp.t1 = sp.t0 + 1;
        sp.b0 = (int)((long)nb * j / chunks);
        sp.b1 = (int)((long)nb * (j + 1) / chunks);
    }
    return sp;
}

static void quantize_columns(const tk_engine *e, tk_act *act, const float *x, size_t stride, int c0, int c1) {
    for (int c = c0; c < c1; c++) tk_act_quantize_blocks(act, e->isa, x + (size_t)c * stride, c, 0, act->k / 32);
}

/* Rows [0, total) of matrices stacked end to end, item i of n, rounded to 16 rows
 * so items do not share cache lines of output. */
static void rows_item(int total, int i, int n, int *begin, int *end) {
    const int units = (total + 15) / 16;
    const int b = (int)((long)units * i / n), en = (int)((long)units * (i + 1) / n);
    *begin = b * 16 < total ? b * 16 : total;
    *end = en * 16 < total ? en * 16 : total;
}

static int stacked_rows(const tk_tensor *const *ws, int count) {
    int total = 0;
    for (int i = 0; i < count; i++) total += ws[i]->rows;
    return total;
}

/* Item `item` of `n` of the product of `act` with matrices stacked row-wise;
 * output column c of matrix i lands at out + c*ldo + (rows before i). */
static void matmul_item(tk_engine *e, const tk_act *act, const tk_tensor *const *ws, int count,
                        float *out, int ldo, int item, int n) {
    int r0, r1;
    rows_item(stacked_rows(ws, count), item, n, &r0, &r1);
    int base = 0;
    for (int i = 0; i < count; i++) {
        const int lo = r0 > base ? r0 - base : 0;
        const int hi = r1 - base < ws[i]->rows ? r1 - base : ws[i]->rows;
        if (hi > lo) tk_matmul(e->isa, ws[i]->type, ws[i]->data, lo, hi, act, out + base, ldo);
        base += ws[i]->rows;
    }
}

/* MARK: Element-wise operations (per token) */

static void rmsnorm(const float *x, const float *w, float *out, int n, float eps) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float scale = 1.0f / sqrtf((float)(sum / n) + eps);
    for (int i = 0; i < n; i++) out[i] = (x[i] * scale) * w[i];
}

static void rope_table(float *table, int pos, int rope_dim, float theta_base) {
    const float theta_scale = powf(theta_base, -2.0f / (float)rope_dim);
    float theta = (float)pos;
    for (int i = 0; i < rope_dim; i += 2) {
        table[i] = cosf(theta);
        table[i + 1] = sinf(theta);
        theta *= theta_scale;
    }
}

/* Rotates consecutive pairs (GGML's normal mode, which llama-architecture GGUFs expect). */
static void rope_apply(float *x, const float *table, int rope_dim) {
    for (int i = 0; i < rope_dim; i += 2) {
        const float c = table[i], s = table[i + 1];
        const float x0 = x[i], x1 = x[i + 1];
        x[i] = x0 * c - x1 * s;
        x[i + 1] = x0 * s + x1 * c;
    }
}

static inline float silu(float x) { return x / (1.0f + expf(-x)); }

/* MARK: The pass */

static void forward_thread(void *raw, int ith, int nth) {
    (void)nth;
    tk_engine *e = raw;
    /* Threads beyond the batch's share claim nothing: work items go to whoever runs. */
    if (ith > 0 && e->batch->threads > 0 && ith >= e->batch->threads) return;
    const tk_model *m = &e->m;
    const tk_batch *b = e->batch;
    const int T = b->n_tokens, dim = m->dim, kvd = e->kv_dim, ffn = m->ffn_dim;
    const int qkv_w = dim + 2 * kvd;
    const int tok_items = items_for(e, T);
    int s = 0; /* the operation this thread is at */
#define TOKENS_OF(item, t0, t1)                                   \
    const int t0 = (int)((long)T * (item) / tok_items);           \
    const int t1 = (int)((long)T * ((item) + 1) / tok_items)

    PARALLEL(tok_items, it) {
        TOKENS_OF(it, t0, t1);
        for (int t = t0; t < t1; t++) {
            int tok = b->tokens[t];
            if (tok < 0 || tok >= m->vocab) tok = 0;
            const uint8_t *row = (const uint8_t *)m->tok_embd.data + (size_t)tok * tk_row_bytes(m->tok_embd.type, dim);
            tk_dequantize_row(m->tok_embd.type, row, e->x + (size_t)t * dim, dim);
            rope_table(e->rope + (size_t)t * m->rope_dim, b->pos[t], m->rope_dim, m->rope_theta);
        }
    }

    for (int l = 0; l < m->n_layer; l++) {
        const tk_layer *L = &m->layers[l];
        const tk_tensor *qkv[3] = {&L->wq, &L->wk, &L->wv};
        const tk_tensor *wo[1] = {&L->wo};
        const tk_tensor *gu[2] = {&L->w_gate, &L->w_up};
        const tk_tensor *down[1] = {&L->w_down};

        /* residual of the previous layer's FFN, attention norm, quantized for Q/K/V */
        PARALLEL(tok_items, it) {
            TOKENS_OF(it, t0, t1);
            for (int t = t0; t < t1; t++) {
                float *x = e->x + (size_t)t * dim, *xb = e->xb + (size_t)t * dim;
                if (l > 0)
                    for (int i = 0; i < dim; i++) x[i] += xb[i];
                rmsnorm(x, L->attn_norm, xb, dim, m->rms_eps);
            }
            quantize_columns(e, &e->act_dim, e->xb, dim, t0, t1);
        }

        const int n_qkv = items_for(e, (qkv_w + 15) / 16);
        PARALLEL(n_qkv, it) matmul_item(e, &e->act_dim, qkv, 3, e->qkv, qkv_w, it, n_qkv);

        /* RoPE, then K and V into each token's cache: one (token, K/V head) pair per
         * item, which also rotates the query heads that read that K/V head */
        {
            const int group = m->n_head / m->n_kv_head, hd = m->head_dim;
            PARALLEL(T * m->n_kv_head, p) {
                const int t = p / m->n_kv_head, g = p % m->n_kv_head;
                float *q = e->qkv + (size_t)t * qkv_w, *k = q + dim + g * hd, *v = q + dim + kvd + g * hd;
                const float *table = e->rope + (size_t)t * m->rope_dim;
                for (int h = g * group; h < (g + 1) * group; h++) rope_apply(q + h * hd, table, m->rope_dim);
                rope_apply(k, table, m->rope_dim);
                const tk_kv *kv = b->kv[t];
                const size_t at = ((size_t)(l * m->n_kv_head + g) * kv->capacity + b->pos[t]) * hd;
                tk_f32_to_f16_row(e->isa, k, kv->k + at, hd);
                tk_f32_to_f16_row(e->isa, v, kv->v + at, hd);
            }
        }

        /* attention, one (token, K/V head) pair per item: the query heads that share a
         * K/V head read its rows once; when they span whole blocks, the item quantizes
         * their output for the output product */
        {
            const int group = m->n_head / m->n_kv_head, hd = m->head_dim;
            const int whole = (group * hd) % 32 == 0;
            const float scale = 1.0f / sqrtf((float)hd);
            float *scores = e->scores + (size_t)ith * 4 * e->max_ctx;
            PARALLEL(T * m->n_kv_head, p) {
                const int t = p / m->n_kv_head, g = p % m->n_kv_head;
                const tk_kv *kv = b->kv[t];
                const size_t off = (size_t)(l * m->n_kv_head + g) * kv->capacity * hd;
                float *out = e->att + (size_t)t * dim;
                e->attend(e->qkv + (size_t)t * qkv_w + (size_t)g * group * hd, group, kv->k + off, kv->v + off,
                          (size_t)hd, b->pos[t] + 1, hd, scale, scores, (size_t)e->max_ctx,
                          out + (size_t)g * group * hd);
                if (whole)
                    tk_act_quantize_blocks(&e->act_dim, e->isa, out, t, g * group * hd / 32, (g + 1) * group * hd / 32);
            }
            if (!whole) {
                PARALLEL(tok_items, it) {
                    TOKENS_OF(it, t0, t1);
                    quantize_columns(e, &e->act_dim, e->att, dim, t0, t1);
                }
            }
        }

        const int n_o = items_for(e, (dim + 15) / 16);
        PARALLEL(n_o, it) matmul_item(e, &e->act_dim, wo, 1, e->xb, dim, it, n_o);

        /* residual, FFN norm, quantized for gate and up */
        PARALLEL(tok_items, it) {
            TOKENS_OF(it, t0, t1);
            for (int t = t0; t < t1; t++) {
                float *x = e->x + (size_t)t * dim, *xb = e->xb + (size_t)t * dim;
                for (int i = 0; i < dim; i++) x[i] += xb[i];
                rmsnorm(x, L->ffn_norm, xb, dim, m->rms_eps);
            }
            quantize_columns(e, &e->act_dim, e->xb, dim, t0, t1);
        }

        const int n_gu = items_for(e, (2 * ffn + 15) / 16);
        PARALLEL(n_gu, it) matmul_item(e, &e->act_dim, gu, 2, e->h, 2 * ffn, it, n_gu);

        /* SwiGLU into the gate half, quantized for down */
        {
            const int nbf = ffn / 32, n_sw = span_items(e, T, nbf);
            PARALLEL(n_sw, it) {
                const tk_span sp = span_of(T, nbf, n_sw, it);
                for (int t = sp.t0; t < sp.t1; t++) {
                    float *g = e->h + (size_t)t * 2 * ffn, *u = g + ffn;
                    if (e->isa == TK_ISA_SCALAR)
                        for (int i = sp.b0 * 32; i < sp.b1 * 32; i++) g[i] = silu(g[i]) * u[i];
                    else
                        tk_swiglu_avx2(g + sp.b0 * 32, u + sp.b0 * 32, (sp.b1 - sp.b0) * 32);
                    tk_act_quantize_blocks(&e->act_ffn, e->isa, g, t, sp.b0, sp.b1);
                }
            }
        }

        PARALLEL(n_o, it) matmul_item(e, &e->act_ffn, down, 1, e->xb, dim, it, n_o);
    }

    /* last residual; output norm and logits for the tokens that want them */
    PARALLEL(tok_items, it) {
        TOKENS_OF(it, t0, t1);
        for (int t = t0; t < t1; t++) {
            float *x = e->x + (size_t)t * dim, *xb = e->xb + (size_t)t * dim;
            for (int i = 0; i < dim; i++) x[i] += xb[i];
        }
    }
    if (e->n_logits > 0) {
        const int n = e->n_logits;
        const tk_tensor *out[1] = {&m->output};
        PARALLEL(items_for(e, n), it) {
            const int i0 = (int)((long)n * it / items_for(e, n)), i1 = (int)((long)n * (it + 1) / items_for(e, n));
            for (int i = i0; i < i1; i++)
                rmsnorm(e->x + (size_t)e->logit_rows[i] * dim, m->out_norm, e->xb + (size_t)i * dim, dim, m->rms_eps);
            quantize_columns(e, &e->act_out, e->xb, dim, i0, i1);
        }
        const int n_out = items_for(e, (m->vocab + 15) / 16);
        PARALLEL(n_out, it) matmul_item(e, &e->act_out, out, 1, b->logits, m->vocab, it, n_out);
    }
    if (ith == 0) e->steps_used = s;
#undef TOKENS_OF
}

int tk_forward(tk_engine *e, const tk_batch *b) {
    if (b->n_tokens <= 0) return 0;
    if (b->n_tokens > e->max_tokens) return -1;
    int n = 0;
    for (int t = 0; t < b->n_tokens; t++) {
        if (b->pos[t] < 0 || b->pos[t] >= e->max_ctx || b->pos[t] >= b->kv[t]->capacity) return -1;
        if (b->want_logits && b->want_logits[t]) e->logit_rows[n++] = t;
    }
    if (n > 0 && !b->logits) return -1;
    e->n_logits = n;
    e->batch = b;
    tk_act_bind(&e->act_dim, e->act_memory, e->m.dim, b->n_tokens);
    tk_act_bind(&e->act_ffn, e->act_memory, e->m.ffn_dim, b->n_tokens);
    tk_act_bind(&e->act_out, e->act_memory, e->m.dim, n > 0 ? n : 1);
    e->act_dim.floats = e->act_ffn.floats = e->act_out.floats = e->floats;
    memset(e->steps, 0, sizeof(tk_step) * (size_t)(e->steps_used > 0 ? e->steps_used : TK_MAX_STEPS));
    if (b->threads == 1)
        forward_thread(e, 0, 1); /* leave the workers asleep: a spinning one takes a core from whoever needs it */
    else
        tk_pool_run(e->pool, forward_thread, e);
    e->batch = NULL;
    return 0;
}
