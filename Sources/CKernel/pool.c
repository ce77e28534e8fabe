/* A small persistent pool of dedicated threads that run one job at a time in lockstep.
 *
 * The forward pass runs every operation on all threads, each taking its slice,
 * with a barrier between operations: a decode step has ~150 of them, so the
 * barrier spins (a futex round trip costs as much as a small matrix product).
 * Between jobs idle threads spin briefly, then sleep on a condition variable. */
#include "internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define TK_PAUSE() _mm_pause()
#else
#define TK_PAUSE() ((void)0)
#endif

enum { SPINS_BEFORE_YIELD = 1 << 14, SPINS_BEFORE_SLEEP = 1 << 16 };

struct tk_pool {
    int n;
    pthread_t *threads;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    _Atomic unsigned generation; /* bumped for each job */
    _Atomic int remaining;       /* workers still running the current job */
    _Atomic int stop;
    void (*fn)(void *, int, int);
    void *ctx;
    /* barrier */
    _Atomic int arrived;
    _Atomic unsigned phase;
};

typedef struct {
    tk_pool *pool;
    int ith;
} tk_worker_arg;

static void *tk_worker(void *raw) {
    tk_worker_arg arg = *(tk_worker_arg *)raw;
    free(raw);
    tk_pool *pool = arg.pool;
    unsigned seen = 0;
    for (;;) {
        unsigned gen;
        int spins = 0;
        while ((gen = atomic_load_explicit(&pool->generation, memory_order_acquire)) == seen &&
               !atomic_load_explicit(&pool->stop, memory_order_acquire)) {
            if (++spins < SPINS_BEFORE_SLEEP) {
                TK_PAUSE();
                continue;
            }
            pthread_mutex_lock(&pool->mutex);
            while (atomic_load(&pool->generation) == seen && !atomic_load(&pool->stop))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            pthread_mutex_unlock(&pool->mutex);
        }
        if (atomic_load(&pool->stop)) return NULL;
        seen = gen;
        pool->fn(pool->ctx, arg.ith, pool->n);
        atomic_fetch_sub_explicit(&pool->remaining, 1, memory_order_acq_rel);
    }
}

tk_pool *tk_pool_create(int nthreads) {
    if (nthreads < 1) nthreads = 1;
    tk_pool *pool = calloc(1, sizeof(tk_pool));
    if (!pool) return NULL;
    pool->n = nthreads;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->threads = calloc((size_t)nthreads, sizeof(pthread_t));
    for (int i = 1; i < nthreads; i++) {
        tk_worker_arg *arg = malloc(sizeof(tk_worker_arg));
        arg->pool = pool;
        arg->ith = i;
        if (pthread_create(&pool->threads[i], NULL, tk_worker, arg) != 0) {
            free(arg);
            pool->n = i; /* run with the threads we got */
            break;
        }
    }
    return pool;
}

void tk_pool_destroy(tk_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->mutex);
    atomic_store(&pool->stop, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (int i = 1; i < pool->n; i++) pthread_join(pool->threads[i], NULL);
    pthread_mutex_destroy(&pool->mutex);
    pthread_cond_destroy(&pool->wake);
    free(pool->threads);
    free(pool);
}

int tk_pool_size(const tk_pool *pool) { return pool->n; }

void tk_pool_run(tk_pool *pool, void (*fn)(void *, int, int), void *ctx) {
    if (pool->n == 1) {
        fn(ctx, 0, 1);
        return;
    }
    pool->fn = fn;
    pool->ctx = ctx;
    atomic_store_explicit(&pool->remaining, pool->n - 1, memory_order_relaxed);
    pthread_mutex_lock(&pool->mutex);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    fn(ctx, 0, pool->n);
    int spins = 0;
    while (atomic_load_explicit(&pool->remaining, memory_order_acquire) > 0) {
        if (++spins < SPINS_BEFORE_YIELD) TK_PAUSE();
        else sched_yield();
    }
}

void tk_pool_barrier(tk_pool *pool) {
    if (pool->n == 1) return;
    const unsigned phase = atomic_load_explicit(&pool->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&pool->arrived, 1, memory_order_acq_rel) == pool->n - 1) {
        atomic_store_explicit(&pool->arrived, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&pool->phase, 1, memory_order_release);
        return;
    }
    int spins = 0;
    while (atomic_load_explicit(&pool->phase, memory_order_acquire) == phase) {
        if (++spins < SPINS_BEFORE_YIELD) TK_PAUSE();
        else sched_yield();
    }
}
