/* e^x in eight float lanes, for the including file's target (TK_VEXP_TARGET):
 * tk_vexp, fast (within ~2 ulp), and tk_vexp_rounded, which goes through double
 * precision so each lane is e^x correctly rounded to float, as a good libm's
 * expf gives it.
 *
 * x = n ln2 + r with |r| <= ln2/2 (Cody-Waite: ln2 in a short high part and a
 * low part), e^r by its Taylor series to r^7 (relative error ~1e-8, below a
 * float's), 2^n put into the exponent. x is clamped to [-87, 88], the range
 * where 2^n is a normal float; below -87 gives 0. */
#include <immintrin.h>

static inline __attribute__((always_inline, target(TK_VEXP_TARGET))) __m256 tk_vexp(__m256 x) {
    const __m256 floor = _mm256_set1_ps(-87.0f);
    const __m256 under = _mm256_cmp_ps(x, floor, _CMP_LT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, floor), _mm256_set1_ps(88.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 e = _mm256_set1_ps(1.0f / 5040);
    e = _mm256_fmadd_ps(e, r, _mm256_set1_ps(1.0f / 720));
    e = _mm256_fmadd_ps(e, r, _mm256_set1_ps(1.0f / 120));
    e = _mm256_fmadd_ps(e, r, _mm256_set1_ps(1.0f / 24));
    e = _mm256_fmadd_ps(e, r, _mm256_set1_ps(1.0f / 6));
    e = _mm256_fmadd_ps(e, r, _mm256_set1_ps(0.5f));
    e = _mm256_fmadd_ps(e, r, _mm256_set1_ps(1.0f));
    e = _mm256_fmadd_ps(e, r, _mm256_set1_ps(1.0f));
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(under, _mm256_mul_ps(e, _mm256_castsi256_ps(bits)));
}

/* e^x in four double lanes, |x| <= 88: the same reduction with ln2 split for
 * double, Taylor to r^10 (relative error ~1e-12, far below what a float keeps). */
static inline __attribute__((always_inline, target(TK_VEXP_TARGET))) __m256d tk_vexp_pd(__m256d x) {
    const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(0.6931471803691238), x);
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.9082149292705877e-10), r);
    static const double inverse_factorial[11] = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
        1.0 / 362880, 1.0 / 3628800,
    };
    __m256d e = _mm256_set1_pd(inverse_factorial[10]);
    for (int i = 9; i >= 0; i--) e = _mm256_fmadd_pd(e, r, _mm256_set1_pd(inverse_factorial[i]));
    const __m128i ni = _mm256_cvtpd_epi32(n);
    const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(ni), _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(e, _mm256_castsi256_pd(bits));
}

static inline __attribute__((always_inline, target(TK_VEXP_TARGET))) __m256 tk_vexp_rounded(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-104.0f)), _mm256_set1_ps(88.0f));
    const __m128 lo = _mm256_cvtpd_ps(tk_vexp_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(x))));
    const __m128 hi = _mm256_cvtpd_ps(tk_vexp_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1))));
    return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}
