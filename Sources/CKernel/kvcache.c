/* K/V cache memory: page-granular, straight from the OS, so caches that grow and
 * go away (one per sequence) do not leave the heap holding their peak. */
#define _GNU_SOURCE
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void *tk_pages_grow(void *old, size_t old_bytes, size_t bytes) {
#if defined(__linux__)
    void *p = old ? mremap(old, old_bytes, bytes, MREMAP_MAYMOVE)
                  : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
#else
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    if (p == MAP_FAILED) return NULL;
    if (old) {
        memcpy(p, old, old_bytes);
        munmap(old, old_bytes);
    }
    return p;
#endif
}

int tk_kv_reserve(tk_kv *kv, size_t position_bytes, int capacity) {
    if (capacity <= kv->capacity) return 0;
    const size_t old_bytes = (size_t)kv->capacity * position_bytes;
    const size_t bytes = (size_t)capacity * position_bytes;
    void *k = tk_pages_grow(kv->k, old_bytes, bytes);
    if (!k) return -1;
    kv->k = k;
    void *v = tk_pages_grow(kv->v, old_bytes, bytes);
    if (!v) {
#if defined(__linux__)
        /* give K back its old size so the cache stays consistent */
        void *back = old_bytes ? mremap(k, bytes, old_bytes, MREMAP_MAYMOVE) : MAP_FAILED;
        if (old_bytes == 0) munmap(k, bytes);
        kv->k = old_bytes == 0 ? NULL : (back == MAP_FAILED ? k : back);
#endif
        return -1;
    }
    kv->v = v;
    kv->capacity = capacity;
    return 0;
}

void tk_kv_release(tk_kv *kv, size_t position_bytes) {
    const size_t bytes = (size_t)kv->capacity * position_bytes;
    if (kv->k) munmap(kv->k, bytes ? bytes : 1);
    if (kv->v) munmap(kv->v, bytes ? bytes : 1);
    kv->k = kv->v = NULL;
    kv->capacity = 0;
}
