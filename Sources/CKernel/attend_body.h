/* Attention of a group of query heads that share one K/V head, over positions
 * [0, n) of a cache. Included by the AVX2 and AVX-512 files with
 * TK_ATTEND_NAME and TK_ATTEND_TARGET defined.
 *
 * Per head the operations are GGML's: Q rounded to fp16 meets fp16 K, softmax in
 * float with a double sum, probabilities rounded to fp16 meet fp16 V with
 * position t accumulating into lane t % 8. Each K and V row is converted once
 * for the whole group, and every head sees the same operations in the same
 * order as when attended alone, so results do not depend on the grouping. */

#define TK_ATT_INLINE static inline __attribute__((always_inline, target(TK_ATTEND_TARGET)))
#define TK_ATT_JOIN2(a, b) a##b
#define TK_ATT_JOIN(a, b) TK_ATT_JOIN2(a, b)
#define TK_ATT(name) TK_ATT_JOIN(TK_ATTEND_NAME, name)

/* The eight sums of eight vectors' lanes, in vector order, each added up in the
 * order hsum8 uses (lane j with j+4, then with j+2, then lanes 0 and 1). */
TK_ATT_INLINE __m256 TK_ATT(_sums8)(const __m256 *v) {
    __m256 p[4];
    for (int i = 0; i < 4; i++)
        p[i] = _mm256_add_ps(_mm256_permute2f128_ps(v[2 * i + 1], v[2 * i], 0x13),
                             _mm256_permute2f128_ps(v[2 * i], v[2 * i + 1], 0x20));
    const __m256 q0 = _mm256_add_ps(_mm256_shuffle_ps(p[0], p[1], _MM_SHUFFLE(1, 0, 1, 0)),
                                    _mm256_shuffle_ps(p[0], p[1], _MM_SHUFFLE(3, 2, 3, 2)));
    const __m256 q1 = _mm256_add_ps(_mm256_shuffle_ps(p[2], p[3], _MM_SHUFFLE(1, 0, 1, 0)),
                                    _mm256_shuffle_ps(p[2], p[3], _MM_SHUFFLE(3, 2, 3, 2)));
    const __m256 r = _mm256_add_ps(_mm256_shuffle_ps(q0, q1, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm256_shuffle_ps(q0, q1, _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm256_permutevar8x32_ps(r, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* Scores of G heads (rows `ss` apart) for positions [0, n), then each row's softmax,
 * rounded to fp16. Eight positions at a time: their dot products reduce together. */
TK_ATT_INLINE void TK_ATT(_probabilities)(const int G, const float *q, const uint16_t *k, const uint16_t *v,
                                          size_t stride, int n, int hd, float scale, float *scores, size_t ss) {
    __m256 qh[4][32];
    for (int g = 0; g < G; g++)
        for (int i = 0; i < hd; i += 8)
            qh[g][i / 8] = _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(q + g * hd + i), _MM_FROUND_TO_NEAREST_INT));
    const __m256 sc = _mm256_set1_ps(scale);
    __m256 maxv[4];
    float max[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    for (int g = 0; g < G; g++) maxv[g] = _mm256_set1_ps(-INFINITY);
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        /* K rows two blocks ahead, and this block's V rows for the pass that follows:
         * the caches are read once per step, after the weights went through */
        const char *kn = (const char *)(k + (size_t)(t + 16) * stride), *vn = (const char *)(v + (size_t)t * stride);
        for (size_t off = 0; off < 8 * stride * 2; off += 64) {
            _mm_prefetch(kn + off, _MM_HINT_T0);
            _mm_prefetch(vn + off, _MM_HINT_T0);
        }
        __m256 acc[4][8];
        for (int g = 0; g < G; g++)
            for (int m = 0; m < 8; m++) acc[g][m] = _mm256_setzero_ps();
        for (int m = 0; m < 8; m++) {
            const uint16_t *kt = k + (size_t)(t + m) * stride;
            for (int i = 0; i < hd; i += 8) {
                const __m256 kv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kt + i)));
                for (int g = 0; g < G; g++) acc[g][m] = _mm256_fmadd_ps(kv, qh[g][i / 8], acc[g][m]);
            }
        }
        for (int g = 0; g < G; g++) {
            const __m256 s8 = _mm256_mul_ps(TK_ATT(_sums8)(acc[g]), sc);
            _mm256_storeu_ps(scores + g * ss + t, s8);
            maxv[g] = _mm256_max_ps(maxv[g], s8);
        }
    }
    for (int g = 0; g < G; g++) {
        float m8[8];
        _mm256_storeu_ps(m8, maxv[g]);
        for (int j = 0; j < 8; j++) max[g] = m8[j] > max[g] ? m8[j] : max[g];
    }
    for (; t < n; t++) {
        const uint16_t *kt = k + (size_t)t * stride;
        __m256 acc[4];
        for (int g = 0; g < G; g++) acc[g] = _mm256_setzero_ps();
        for (int i = 0; i < hd; i += 8) {
            const __m256 kv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kt + i)));
            for (int g = 0; g < G; g++) acc[g] = _mm256_fmadd_ps(kv, qh[g][i / 8], acc[g]);
        }
        for (int g = 0; g < G; g++) {
            const float s1 = hsum8(acc[g]) * scale;
            scores[g * ss + t] = s1;
            if (s1 > max[g]) max[g] = s1;
        }
    }
    for (int g = 0; g < G; g++) {
        float *sg = scores + g * ss;
        const __m256 mx = _mm256_set1_ps(max[g]);
        __m256d sum0 = _mm256_setzero_pd(), sum1 = _mm256_setzero_pd();
        int u = 0;
        for (; u + 8 <= n; u += 8) {
            const __m256 e = tk_vexp(_mm256_sub_ps(_mm256_loadu_ps(sg + u), mx));
            _mm256_storeu_ps(sg + u, e);
            sum0 = _mm256_add_pd(sum0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
            sum1 = _mm256_add_pd(sum1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
        }
        float tail[8] = {0};
        for (int j = 0; u + j < n; j++) tail[j] = sg[u + j] - max[g];
        const __m256 e = tk_vexp(_mm256_loadu_ps(tail));
        _mm256_storeu_ps(tail, e);
        double lanes[4];
        _mm256_storeu_pd(lanes, _mm256_add_pd(sum0, sum1));
        double sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
        for (int j = 0; u + j < n; j++) {
            sg[u + j] = tail[j];
            sum += tail[j];
        }
        const float inv = (float)(1.0 / sum);
        const __m256 iv = _mm256_set1_ps(inv);
        u = 0;
        for (; u + 8 <= n; u += 8) {
            const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(sg + u), iv);
            _mm256_storeu_ps(sg + u, _mm256_cvtph_ps(_mm256_cvtps_ph(p, _MM_FROUND_TO_NEAREST_INT)));
        }
        for (; u < n; u++) sg[u] = _cvtsh_ss(_cvtss_sh(sg[u] * inv, _MM_FROUND_TO_NEAREST_INT));
    }
}

/* out (G heads, hd apart) = probabilities x V, 8 dims at a time. */
TK_ATT_INLINE void TK_ATT(_values)(const int G, const uint16_t *v, size_t stride, int n, int hd,
                                   const float *scores, size_t ss, float *out) {
    for (int j0 = 0; j0 < hd; j0 += 8) {
        __m256 o[4][8];
        for (int g = 0; g < G; g++)
            for (int m = 0; m < 8; m++) o[g][m] = _mm256_setzero_ps();
        int t = 0;
        for (; t + 8 <= n; t += 8) {
            for (int m = 0; m < 8; m++) {
                const __m256 vt = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + (size_t)(t + m) * stride + j0)));
                for (int g = 0; g < G; g++)
                    o[g][m] = _mm256_fmadd_ps(vt, _mm256_broadcast_ss(scores + g * ss + t + m), o[g][m]);
            }
        }
        for (int m = 0; t + m < n; m++) {
            const __m256 vt = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + (size_t)(t + m) * stride + j0)));
            for (int g = 0; g < G; g++)
                o[g][m] = _mm256_fmadd_ps(vt, _mm256_broadcast_ss(scores + g * ss + t + m), o[g][m]);
        }
        for (int g = 0; g < G; g++) {
            const __m256 r0 = _mm256_add_ps(o[g][4], o[g][0]), r1 = _mm256_add_ps(o[g][5], o[g][1]);
            const __m256 r2 = _mm256_add_ps(o[g][6], o[g][2]), r3 = _mm256_add_ps(o[g][7], o[g][3]);
            _mm256_storeu_ps(out + g * hd + j0, _mm256_add_ps(_mm256_add_ps(r0, r2), _mm256_add_ps(r1, r3)));
        }
    }
}

#define TK_ATT_GROUP(G)                                                                         \
    __attribute__((target(TK_ATTEND_TARGET))) static void TK_ATT(_group##G)(                    \
        const float *q, const uint16_t *k, const uint16_t *v, size_t stride, int n, int hd,       \
        float scale, float *scores, size_t ss, float *out) {                                     \
        TK_ATT(_probabilities)(G, q, k, v, stride, n, hd, scale, scores, ss);                    \
        TK_ATT(_values)(G, v, stride, n, hd, scores, ss, out);                                   \
    }
TK_ATT_GROUP(1)
TK_ATT_GROUP(2)
TK_ATT_GROUP(3)
TK_ATT_GROUP(4)

void TK_ATTEND_NAME(const float *q, int heads, const uint16_t *k, const uint16_t *v, size_t stride, int n,
                    int head_dim, float scale, float *scores, size_t scores_stride, float *out) {
    if (head_dim % 16 != 0 || head_dim > 256) {
        tk_attend_scalar(q, heads, k, v, stride, n, head_dim, scale, scores, scores_stride, out);
        return;
    }
    for (int h = 0; h < heads; h += 4) {
        const float *qg = q + (size_t)h * head_dim;
        float *og = out + (size_t)h * head_dim;
        switch (heads - h < 4 ? heads - h : 4) {
        case 1: TK_ATT(_group1)(qg, k, v, stride, n, head_dim, scale, scores, scores_stride, og); break;
        case 2: TK_ATT(_group2)(qg, k, v, stride, n, head_dim, scale, scores, scores_stride, og); break;
        case 3: TK_ATT(_group3)(qg, k, v, stride, n, head_dim, scale, scores, scores_stride, og); break;
        default: TK_ATT(_group4)(qg, k, v, stride, n, head_dim, scale, scores, scores_stride, og); break;
        }
    }
}

#undef TK_ATT_GROUP
#undef TK_ATT
#undef TK_ATT_JOIN
#undef TK_ATT_JOIN2
#undef TK_ATT_INLINE
#undef TK_ATTEND_NAME
#undef TK_ATTEND_TARGET
