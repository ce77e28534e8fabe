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

tk_kv tk_kv_empty(const tk_model *m) {
    tk_kv kv = {NULL, NULL, 0, m->n_layer * m->n_kv_head, m->head_dim};
    return kv;
}

size_t tk_kv_position_bytes(const tk_kv *kv) { return (size_t)kv->planes * (size_t)kv->head_dim * 2; }

/* Grows one of K or V from `old_cap` to `cap` positions per plane: the mapping grows,
 * then planes move to their new offsets, the last first, so none overwrites another
 * before it has moved. */
static uint16_t *tk_planes_grow(uint16_t *old, int planes, size_t row, int old_cap, int cap) {
    const size_t old_bytes = (size_t)planes * old_cap * row, bytes = (size_t)planes * cap * row;
    uint8_t *p = tk_pages_grow(old, old_bytes, bytes);
    if (!p || old_cap == 0) return (uint16_t *)p;
    for (int i = planes - 1; i > 0; i--)
        memmove(p + (size_t)i * cap * row, p + (size_t)i * old_cap * row, (size_t)old_cap * row);
    return (uint16_t *)p;
}

/* Undoes tk_planes_grow (planes back to their old offsets, the first first), for when
 * the second half of a reservation fails. */
static uint16_t *tk_planes_shrink(uint16_t *p, int planes, size_t row, int cap, int old_cap) {
    uint8_t *b = (uint8_t *)p;
    for (int i = 1; i < planes; i++)
        memmove(b + (size_t)i * old_cap * row, b + (size_t)i * cap * row, (size_t)old_cap * row);
    const size_t old_bytes = (size_t)planes * old_cap * row, bytes = (size_t)planes * cap * row;
    if (old_bytes == 0) {
        munmap(p, bytes);
        return NULL;
    }
#if defined(__linux__)
    void *back = mremap(p, bytes, old_bytes, MREMAP_MAYMOVE);
    return back == MAP_FAILED ? p : back;
#else
    return p; /* the larger mapping keeps the old contents at the old offsets */
#endif
}

int tk_kv_reserve(tk_kv *kv, int capacity) {
    if (capacity <= kv->capacity) return 0;
    const size_t row = (size_t)kv->head_dim * 2;
    uint16_t *k = tk_planes_grow(kv->k, kv->planes, row, kv->capacity, capacity);
    if (!k) return -1;
    uint16_t *v = tk_planes_grow(kv->v, kv->planes, row, kv->capacity, capacity);
    if (!v) {
        kv->k = tk_planes_shrink(k, kv->planes, row, capacity, kv->capacity);
        return -1;
    }
    kv->k = k;
    kv->v = v;
    kv->capacity = capacity;
    return 0;
}

void tk_kv_release(tk_kv *kv) {
    const size_t bytes = (size_t)kv->capacity * tk_kv_position_bytes(kv);
    if (kv->k) munmap(kv->k, bytes ? bytes : 1);
    if (kv->v) munmap(kv->v, bytes ? bytes : 1);
    kv->k = kv->v = NULL;
    kv->capacity = 0;
}
