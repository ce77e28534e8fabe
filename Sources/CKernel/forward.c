/* One llama-architecture forward pass over a batch of tokens, on every thread of the pool.
 *
 * Each operation is split across the threads (matrix rows, tokens, or
 * token x head pairs) with a barrier after it. No operation mixes tokens
 * except attention, which reads only the token's own sequence, so every
 * token's numbers are the same whatever batch it is in. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tk_engine {
    tk_model m;
    tk_pool *pool;
    int isa;
    int max_tokens, max_ctx;
    int kv_dim;
    tk_attend_fn attend;
    float *x, *xb, *qkv, *att, *h;  /* activations, [token][feature] */
    float *scores;                  /* per thread: max_ctx */
    float *rope;                    /* per token: rope_dim cos/sin pairs */
    void *act_memory;
    tk_act act_dim, act_ffn, act_out; /* bound per batch over the same memory, used in turn */
    int *logit_rows;                /* tokens that want logits */
    const tk_batch *batch;          /* the running job */
    int n_logits;
};

static void *tk_alloc(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) return NULL;
    return p;
}

size_t tk_kv_position_bytes(const tk_model *m) {
    return (size_t)m->n_layer * (size_t)(m->n_kv_head * m->head_dim) * 2;
}

tk_engine *tk_engine_create(const tk_model *m, int nthreads, int max_tokens, int max_ctx, int isa) {
    if (!tk_isa_supported(isa)) return NULL;
    tk_engine *e = calloc(1, sizeof(tk_engine));
    if (!e) return NULL;
    e->m = *m;
    e->isa = isa;
    e->attend = isa == TK_ISA_SCALAR ? tk_attend_scalar : tk_attend_avx2;
    e->max_tokens = max_tokens;
    e->max_ctx = max_ctx;
    e->kv_dim = m->n_kv_head * m->head_dim;
    e->pool = tk_pool_create(nthreads);
    const size_t T = (size_t)max_tokens;
    const int widest = m->ffn_dim > m->dim ? m->ffn_dim : m->dim;
    e->x = tk_alloc(T * m->dim * 4);
    e->xb = tk_alloc(T * m->dim * 4);
    e->qkv = tk_alloc(T * (m->dim + 2 * e->kv_dim) * 4);
    e->att = tk_alloc(T * m->dim * 4);
    e->h = tk_alloc(T * 2 * m->ffn_dim * 4);
    e->scores = tk_alloc((size_t)tk_pool_size(e->pool) * max_ctx * 4);
    e->rope = tk_alloc(T * m->rope_dim * 4);
    e->act_memory = tk_alloc(tk_act_bytes(widest, max_tokens));
    e->logit_rows = calloc(T, sizeof(int));
    if (!e->pool || !e->x || !e->xb || !e->qkv || !e->att || !e->h || !e->scores || !e->rope ||
        !e->act_memory || !e->logit_rows) {
        tk_engine_destroy(e);
        return NULL;
    }
    return e;
}

void tk_engine_destroy(tk_engine *e) {
    if (!e) return;
    tk_pool_destroy(e->pool);
    free(e->x); free(e->xb); free(e->qkv); free(e->att); free(e->h);
    free(e->scores); free(e->rope); free(e->act_memory); free(e->logit_rows);
    free(e);
}

int tk_engine_isa(const tk_engine *e) { return e->isa; }
int tk_engine_threads(const tk_engine *e) { return tk_pool_size(e->pool); }

/* MARK: Slicing */

static inline void slice(int n, int ith, int nth, int *begin, int *end) {
    *begin = (int)((long)n * ith / nth);
    *end = (int)((long)n * (ith + 1) / nth);
}

/* Rows [0, total) of several matrices laid end to end, sliced by thread; slices
 * are rounded to 16 rows so threads do not share cache lines of output. */
static void rows_slice(int total, int ith, int nth, int *begin, int *end) {
    const int units = (total + 15) / 16;
    int b, e;
    slice(units, ith, nth, &b, &e);
    *begin = b * 16 < total ? b * 16 : total;
    *end = e * 16 < total ? e * 16 : total;
}

/* Product of the bound activations with matrices stacked row-wise; output
 * column c of matrix i lands at out + c*ldo + offset_i. */
static void matmul_stacked(tk_engine *e, const tk_act *act, const tk_tensor *const *ws, int count, float *out, int ldo,
                           int ith, int nth) {
    int total = 0;
    for (int i = 0; i < count; i++) total += ws[i]->rows;
    int r0, r1;
    rows_slice(total, ith, nth, &r0, &r1);
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
    tk_engine *e = raw;
    const tk_model *m = &e->m;
    const tk_batch *b = e->batch;
    const int T = b->n_tokens, dim = m->dim, kvd = e->kv_dim, ffn = m->ffn_dim;
    const int qkv_w = dim + 2 * kvd;
    const size_t pos_stride = (size_t)m->n_layer * kvd; /* fp16 elements between positions in a cache */
    int t0, t1;
    slice(T, ith, nth, &t0, &t1);

    for (int t = t0; t < t1; t++) {
        int tok = b->tokens[t];
        if (tok < 0 || tok >= m->vocab) tok = 0;
        const uint8_t *row = (const uint8_t *)m->tok_embd.data + (size_t)tok * tk_row_bytes(m->tok_embd.type, dim);
        tk_dequantize_row(m->tok_embd.type, row, e->x + (size_t)t * dim, dim);
        rope_table(e->rope + (size_t)t * m->rope_dim, b->pos[t], m->rope_dim, m->rope_theta);
    }

    for (int l = 0; l < m->n_layer; l++) {
        const tk_layer *L = &m->layers[l];
        /* attention norm, quantized for Q/K/V */
        for (int t = t0; t < t1; t++)
            rmsnorm(e->x + (size_t)t * dim, L->attn_norm, e->xb + (size_t)t * dim, dim, m->rms_eps);
        tk_act_quantize(&e->act_dim, e->xb, dim, t0, t1);
        tk_pool_barrier(e->pool);

        const tk_tensor *qkv[3] = {&L->wq, &L->wk, &L->wv};
        matmul_stacked(e, &e->act_dim, qkv, 3, e->qkv, qkv_w, ith, nth);
        tk_pool_barrier(e->pool);

        /* RoPE, then K and V into each token's cache */
        for (int t = t0; t < t1; t++) {
            float *q = e->qkv + (size_t)t * qkv_w, *k = q + dim, *v = k + kvd;
            const float *table = e->rope + (size_t)t * m->rope_dim;
            for (int h = 0; h < m->n_head; h++) rope_apply(q + h * m->head_dim, table, m->rope_dim);
            for (int h = 0; h < m->n_kv_head; h++) rope_apply(k + h * m->head_dim, table, m->rope_dim);
            const size_t at = (size_t)b->pos[t] * pos_stride + (size_t)l * kvd;
            for (int i = 0; i < kvd; i++) {
                b->kv[t]->k[at + i] = tk_f32_to_f16(k[i]);
                b->kv[t]->v[at + i] = tk_f32_to_f16(v[i]);
            }
        }
        tk_pool_barrier(e->pool);

        /* attention, one (token, head) pair at a time */
        {
            const int pairs = T * m->n_head, group = m->n_head / m->n_kv_head;
            const float scale = 1.0f / sqrtf((float)m->head_dim);
            float *scores = e->scores + (size_t)ith * e->max_ctx;
            int p0, p1;
            slice(pairs, ith, nth, &p0, &p1);
            for (int p = p0; p < p1; p++) {
                const int t = p / m->n_head, h = p % m->n_head;
                const size_t off = (size_t)l * kvd + (size_t)(h / group) * m->head_dim;
                e->attend(e->qkv + (size_t)t * qkv_w + h * m->head_dim, b->kv[t]->k + off,
                          b->kv[t]->v + off, pos_stride, b->pos[t] + 1, m->head_dim, scale, scores,
                          e->att + (size_t)t * dim + h * m->head_dim);
            }
        }
        tk_pool_barrier(e->pool);
        tk_act_quantize(&e->act_dim, e->att, dim, t0, t1);
        tk_pool_barrier(e->pool);

        const tk_tensor *wo[1] = {&L->wo};
        matmul_stacked(e, &e->act_dim, wo, 1, e->xb, dim, ith, nth);
        tk_pool_barrier(e->pool);

        /* residual, FFN norm, quantized for gate and up */
        for (int t = t0; t < t1; t++) {
            float *x = e->x + (size_t)t * dim, *xb = e->xb + (size_t)t * dim;
            for (int i = 0; i < dim; i++) x[i] += xb[i];
            rmsnorm(x, L->ffn_norm, xb, dim, m->rms_eps);
        }
        tk_act_quantize(&e->act_dim, e->xb, dim, t0, t1);
        tk_pool_barrier(e->pool);

        const tk_tensor *gu[2] = {&L->w_gate, &L->w_up};
        matmul_stacked(e, &e->act_dim, gu, 2, e->h, 2 * ffn, ith, nth);
        tk_pool_barrier(e->pool);

        /* SwiGLU into the first half, quantized for down */
        for (int t = t0; t < t1; t++) {
            float *g = e->h + (size_t)t * 2 * ffn, *u = g + ffn;
            for (int i = 0; i < ffn; i++) g[i] = silu(g[i]) * u[i];
        }
        tk_act_quantize(&e->act_ffn, e->h, (size_t)2 * ffn, t0, t1);
        tk_pool_barrier(e->pool);

        const tk_tensor *down[1] = {&L->w_down};
        matmul_stacked(e, &e->act_ffn, down, 1, e->xb, dim, ith, nth);
        tk_pool_barrier(e->pool);

        for (int t = t0; t < t1; t++) {
            float *x = e->x + (size_t)t * dim, *xb = e->xb + (size_t)t * dim;
            for (int i = 0; i < dim; i++) x[i] += xb[i];
        }
        /* the next layer's norm reads only this thread's tokens: no barrier needed */
    }

    /* output norm and logits for the tokens that want them */
    if (e->n_logits > 0) {
        const int n = e->n_logits;
        tk_pool_barrier(e->pool); /* logit rows are sliced differently from tokens */
        int r0, r1;
        slice(n, ith, nth, &r0, &r1);
        for (int i = r0; i < r1; i++) {
            const int t = e->logit_rows[i];
            rmsnorm(e->x + (size_t)t * dim, m->out_norm, e->xb + (size_t)i * dim, dim, m->rms_eps);
        }
        tk_act_quantize(&e->act_out, e->xb, dim, r0, r1);
        tk_pool_barrier(e->pool);
        const tk_tensor *out[1] = {&m->output};
        matmul_stacked(e, &e->act_out, out, 1, b->logits, m->vocab, ith, nth);
    }
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
    tk_pool_run(e->pool, forward_thread, e);
    e->batch = NULL;
    return 0;
}
