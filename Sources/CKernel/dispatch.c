/* CPU detection, type facts, fp16 conversion and activation preparation. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* MARK: CPU dispatch */

int tk_isa_supported(int isa) {
    __builtin_cpu_init();
    switch (isa) {
    case TK_ISA_SCALAR:
        return 1;
    case TK_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("f16c");
    case TK_ISA_AVX512:
        return tk_isa_supported(TK_ISA_AVX2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512vnni");
    default:
        return 0;
    }
}

int tk_isa_best(void) {
    if (tk_isa_supported(TK_ISA_AVX512)) return TK_ISA_AVX512;
    if (tk_isa_supported(TK_ISA_AVX2)) return TK_ISA_AVX2;
    return TK_ISA_SCALAR;
}

static int tk_isa_from_env(void) {
    const char *name = getenv("TROUPE_KERNEL_ISA");
    int isa = tk_isa_best();
    if (!name) return isa;
    if (strcmp(name, "scalar") == 0) isa = TK_ISA_SCALAR;
    else if (strcmp(name, "avx2") == 0) isa = TK_ISA_AVX2;
    else if (strcmp(name, "avx512") == 0) isa = TK_ISA_AVX512;
    return tk_isa_supported(isa) ? isa : tk_isa_best();
}

int tk_isa_default(void) {
    static int cached = -1;
    if (cached < 0) cached = tk_isa_from_env();
    return cached;
}

/* MARK: Types */

int tk_type_slot(int type) {
    switch (type) {
    case TK_TYPE_F32: return TK_SLOT_F32;
    case TK_TYPE_F16: return TK_SLOT_F16;
    case TK_TYPE_Q4_0: return TK_SLOT_Q4_0;
    case TK_TYPE_Q4_1: return TK_SLOT_Q4_1;
    case TK_TYPE_Q8_0: return TK_SLOT_Q8_0;
    default: return -1;
    }
}

int tk_type_supported(int type) { return tk_type_slot(type) >= 0; }

size_t tk_row_bytes(int type, int k) {
    switch (type) {
    case TK_TYPE_F32: return (size_t)k * 4;
    case TK_TYPE_F16: return (size_t)k * 2;
    case TK_TYPE_Q4_0: return (size_t)(k / TK_QK) * 18;
    case TK_TYPE_Q4_1: return (size_t)(k / TK_QK) * 20;
    case TK_TYPE_Q8_0: return (size_t)(k / TK_QK) * 34;
    default: return 0;
    }
}

static inline uint16_t tk_load_u16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

void tk_dequantize_row(int type, const void *row, float *out, int k) {
    const uint8_t *p = (const uint8_t *)row;
    switch (type) {
    case TK_TYPE_F32:
        memcpy(out, row, (size_t)k * 4);
        return;
    case TK_TYPE_F16:
        for (int i = 0; i < k; i++) out[i] = tk_f16_to_f32(tk_load_u16(p + 2 * i));
        return;
    case TK_TYPE_Q4_0:
        for (int b = 0; b < k / TK_QK; b++, p += 18, out += TK_QK) {
            const float d = tk_f16_to_f32(tk_load_u16(p));
            for (int j = 0; j < 16; j++) {
                out[j] = d * (float)((p[2 + j] & 15) - 8);
                out[j + 16] = d * (float)((p[2 + j] >> 4) - 8);
            }
        }
        return;
    case TK_TYPE_Q4_1:
        for (int b = 0; b < k / TK_QK; b++, p += 20, out += TK_QK) {
            const float d = tk_f16_to_f32(tk_load_u16(p));
            const float m = tk_f16_to_f32(tk_load_u16(p + 2));
            for (int j = 0; j < 16; j++) {
                out[j] = d * (float)(p[4 + j] & 15) + m;
                out[j + 16] = d * (float)(p[4 + j] >> 4) + m;
            }
        }
        return;
    case TK_TYPE_Q8_0:
        for (int b = 0; b < k / TK_QK; b++, p += 34, out += TK_QK) {
            const float d = tk_f16_to_f32(tk_load_u16(p));
            for (int j = 0; j < TK_QK; j++) out[j] = d * (float)(int8_t)p[2 + j];
        }
        return;
    default:
        memset(out, 0, (size_t)k * 4);
    }
}

/* MARK: fp16 (IEEE binary16, round to nearest even) */

float tk_f16_to_f32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do { e++; man <<= 1; } while ((man & 0x400) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t tk_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* inf or nan */
        return sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0);
    if (ax >= 0x477ff000u) /* rounds to >= 65520: overflow */
        return sign | 0x7c00;
    if (ax < 0x38800000u) { /* below the smallest normal half: subnormal or zero */
        if (ax < 0x33000000u) return sign; /* < half of the smallest subnormal */
        const uint32_t e = ax >> 23;
        const uint32_t man = (ax & 0x7fffff) | 0x800000;
        const int s = 126 - (int)e; /* value = man * 2^(e-150); in half subnormal units 2^-24 */
        uint32_t q = man >> s;
        const uint32_t rem = man & ((1u << s) - 1);
        const uint32_t half = 1u << (s - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        return sign | (uint16_t)q;
    }
    /* normal */
    uint32_t q = ((ax >> 13) - ((127 - 15) << 10));
    const uint32_t rem = ax & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (q & 1))) q++;
    return sign | (uint16_t)q;
}

void tk_f32_to_f16_row(int isa, const float *x, uint16_t *out, int n) {
    if (isa != TK_ISA_SCALAR) {
        tk_f32_to_f16_row_avx2(x, out, n);
        return;
    }
    for (int i = 0; i < n; i++) out[i] = tk_f32_to_f16(x[i]);
}

/* MARK: Activations */

static size_t tk_align64(size_t n) { return (n + 63) & ~(size_t)63; }

size_t tk_act_bytes(int k, int ncols) {
    const size_t n = (size_t)k * (size_t)ncols, nb = n / TK_QK;
    return tk_align64(n) + tk_align64(n + (size_t)k) + 4 * tk_align64(nb * 4) +
           tk_align64(n * 2) + tk_align64(n * 4) + 64;
}

void tk_act_bind(tk_act *act, void *memory, int k, int ncols) {
    const size_t n = (size_t)k * (size_t)ncols, nb = n / TK_QK;
    uint8_t *p = (uint8_t *)(((uintptr_t)memory + 63) & ~(uintptr_t)63);
    act->k = k;
    act->ncols = ncols;
    act->floats = 1;
    act->qs = (int8_t *)p; p += tk_align64(n);
    act->qs_pairs = (int8_t *)p; p += tk_align64(n + (size_t)k);
    act->d = (float *)p; p += tk_align64(nb * 4);
    act->s = (float *)p; p += tk_align64(nb * 4);
    act->d_t = (float *)p; p += tk_align64(nb * 4);
    act->s_t = (float *)p; p += tk_align64(nb * 4);
    act->f16 = (uint16_t *)p; p += tk_align64(n * 2);
    act->f32 = (float *)p;
    if (ncols > 1 && ncols % 2) { /* the last pair's second column is none: zeros, not stale bytes */
        const int nbk = k / TK_QK;
        for (int b = 0; b < nbk; b++)
            memset(act->qs_pairs + ((size_t)(ncols / 2) * nbk + b) * 2 * TK_QK + TK_QK, 0, TK_QK);
    }
}

void tk_quantize_blocks_scalar(const float *x, int nb, int8_t *q, float *d, float *s) {
    const float magic = 12582912.0f; /* 1.5 * 2^23: adding and subtracting it rounds half to even */
    for (int b = 0; b < nb; b++, x += TK_QK, q += TK_QK) {
        float amax = 0.0f;
        for (int j = 0; j < TK_QK; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float scale = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        int sum = 0;
        for (int j = 0; j < TK_QK; j++) {
            const int r = (int)((x[j] * id + magic) - magic);
            q[j] = (int8_t)r;
            sum += r;
        }
        d[b] = tk_fp16_round(scale);
        s[b] = tk_fp16_round(scale * (float)sum);
    }
}

void tk_act_quantize_blocks(tk_act *act, int isa, const float *xc, int c, int b0, int b1) {
    const int k = act->k, nb = k / TK_QK;
    if (act->floats) {
        const size_t at = (size_t)c * k + (size_t)b0 * TK_QK;
        const int n = (b1 - b0) * TK_QK;
        memcpy(act->f32 + at, xc + (size_t)b0 * TK_QK, (size_t)n * 4);
        tk_f32_to_f16_row(isa, xc + (size_t)b0 * TK_QK, act->f16 + at, n);
    }
    /* One column (a decode step of one sequence) has no multi-column tile to feed. */
    const int tiles = act->ncols > 1;
    enum { CHUNK = 64 };
    float d[CHUNK], sd[CHUNK];
    for (int lo = b0; lo < b1; lo += CHUNK) {
        const int n = b1 - lo < CHUNK ? b1 - lo : CHUNK;
        const float *x = xc + (size_t)lo * TK_QK;
        int8_t *q = act->qs + (size_t)c * k + (size_t)lo * TK_QK;
        if (isa == TK_ISA_SCALAR) tk_quantize_blocks_scalar(x, n, q, d, sd);
        else tk_quantize_blocks_avx2(x, n, q, d, sd);
        memcpy(act->d + (size_t)c * nb + lo, d, (size_t)n * 4);
        memcpy(act->s + (size_t)c * nb + lo, sd, (size_t)n * 4);
        if (!tiles) continue;
        for (int j = 0; j < n; j++) {
            const int b = lo + j;
            memcpy(act->qs_pairs + ((size_t)(c / 2) * nb + b) * 2 * TK_QK + (size_t)(c % 2) * TK_QK,
                   q + (size_t)j * TK_QK, TK_QK);
            act->d_t[(size_t)b * act->ncols + c] = d[j];
            act->s_t[(size_t)b * act->ncols + c] = sd[j];
        }
    }
}

void tk_act_quantize(tk_act *act, const float *x, size_t x_stride, int c0, int c1) {
    for (int c = c0; c < c1; c++)
        tk_act_quantize_blocks(act, tk_isa_default(), x + (size_t)c * x_stride, c, 0, act->k / TK_QK);
}

/* MARK: Products */

void tk_matmul(int isa, int type, const void *w, int r0, int r1, const tk_act *act, float *out,
               int ldo) {
    const int slot = tk_type_slot(type);
    if (slot < 0 || r1 <= r0) return;
    const tk_matmul_fn *table = isa == TK_ISA_AVX512 ? tk_matmul_avx512
                              : isa == TK_ISA_AVX2   ? tk_matmul_avx2
                                                     : tk_matmul_scalar;
    const int nb = type == TK_TYPE_F32 || type == TK_TYPE_F16 ? act->k : act->k / TK_QK;
    tk_matmul_fn fn = table[slot] ? table[slot] : tk_matmul_avx2[slot];
    fn(w, tk_row_bytes(type, act->k), nb, r0, r1, act, out, ldo);
}
