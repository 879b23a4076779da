/*
 * Plain-C loops of the pairwise kernels; each one's contract is in pairwise_kernels.h.
 *
 * The functions with a _d and a _f version have one body, the part of this file after
 * `#else`: this file includes itself once per type with T (the element type), SFX (the
 * name suffix) and the math functions defined, so both run the same operations in the
 * same order.
 *
 * Speed without -ffast-math or -march=native: the L1-distance loop runs down columns of
 * X (elementwise, no reduction, so it vectorizes as written) and is compiled twice on
 * x86-64 with GCC, for AVX2 and for the baseline, picked at load time (target_clones).
 * The finishing pass calls libm's exp/tanh once per entry of the upper triangle only
 * when the kernel is symmetric.
 */
#ifndef FR_TEMPLATE

#include <math.h>
#include <stddef.h>

#include "pairwise_kernels.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define FR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FR_CLONES
#endif

/* Side of the square tiles of the triangle copy (64×64 doubles: 32 KiB). */
#define FR_MIRROR_TILE 64
/* Bytes of X's rows kept in cache by the L1-distance loop (half of a 512 KiB L2). */
#define FR_L1_TILE_BYTES 262144

#define FR_TEMPLATE
#define T double
#define SFX(name) name##_d
#define EXP exp
#define TANH tanh
#define POW pow
#define FABS fabs
#define SQRT sqrt
#include "pairwise_kernels.c"
#undef T
#undef SFX
#undef EXP
#undef TANH
#undef POW
#undef FABS
#undef SQRT

#define T float
#define SFX(name) name##_f
#define EXP expf
#define TANH tanhf
#define POW powf
#define FABS fabsf
#define SQRT sqrtf
#include "pairwise_kernels.c"
#undef T
#undef SFX
#undef EXP
#undef TANH
#undef POW
#undef FABS
#undef SQRT
#undef FR_TEMPLATE

#else /* FR_TEMPLATE: the body, once per type */

void SFX(fr_row_sqnorms)(ptrdiff_t m, ptrdiff_t d, const T *restrict X, ptrdiff_t rs,
                         ptrdiff_t cs, T *restrict sq)
{
    if (rs == 1) { /* columns contiguous: add one column at a time to every row's sum */
        for (ptrdiff_t i = 0; i < m; i++)
            sq[i] = 0;
        for (ptrdiff_t f = 0; f < d; f++) {
            const T *restrict x = X + f * cs;
            for (ptrdiff_t i = 0; i < m; i++)
                sq[i] += x[i] * x[i];
        }
        return;
    }
    for (ptrdiff_t i = 0; i < m; i++) {
        const T *restrict x = X + i * rs;
        T s = 0;
        for (ptrdiff_t f = 0; f < d; f++)
            s += x[f * cs] * x[f * cs];
        sq[i] = s;
    }
}

void SFX(fr_inv_sqrt_or_zero)(ptrdiff_t m, T *restrict v)
{
    for (ptrdiff_t i = 0; i < m; i++)
        v[i] = v[i] > 0 ? 1 / SQRT(v[i]) : 0;
}

/* x^e for an integer e, by repeated squaring. */
static inline T SFX(fr_powi)(T x, int e)
{
    unsigned u = e < 0 ? (unsigned) (-e) : (unsigned) e;
    T r = 1;
    while (u) {
        if (u & 1u)
            r *= x;
        x *= x;
        u >>= 1;
    }
    return e < 0 ? 1 / r : r;
}

void SFX(fr_kernel_finish)(int kind, ptrdiff_t m, ptrdiff_t n, T *restrict K,
                           ptrdiff_t ldk, const T *restrict a, const T *restrict b,
                           T gamma, T coef0, double degree, int upper)
{
    const int integral = degree == floor(degree) && fabs(degree) <= 64;
    const int ideg = integral ? (int) degree : 0;
    const T pdeg = (T) degree;
    for (ptrdiff_t j = 0; j < n; j++) {
        T *restrict col = K + j * ldk;
        const ptrdiff_t rows = upper ? j + 1 : m;
        ptrdiff_t i;
        switch (kind) {
        case FR_KERNEL_RBF: {
            const T bj = b[j];
            for (i = 0; i < rows; i++) {          /* (−2⟨x, y⟩ + ‖x‖²) + ‖y‖², ≥ 0 */
                T dist = (-2 * col[i] + a[i]) + bj;
                dist = dist < 0 ? 0 : dist;        /* NaN stays NaN */
                col[i] = EXP(dist * -gamma);
            }
            if (upper)
                col[j] = 1;                        /* exp(−γ·0) */
            break;
        }
        case FR_KERNEL_LAPLACIAN:
            for (i = 0; i < rows; i++)
                col[i] = EXP(col[i] * -gamma);
            break;
        case FR_KERNEL_POLY:
            if (integral)
                for (i = 0; i < rows; i++)
                    col[i] = SFX(fr_powi)(col[i] * gamma + coef0, ideg);
            else
                for (i = 0; i < rows; i++)
                    col[i] = POW(col[i] * gamma + coef0, pdeg);
            break;
        case FR_KERNEL_SIGMOID:
            for (i = 0; i < rows; i++)
                col[i] = TANH(col[i] * gamma + coef0);
            break;
        case FR_KERNEL_COSINE: {
            const T bj = b[j];
            for (i = 0; i < rows; i++)
                col[i] = (col[i] * a[i]) * bj;
            break;
        }
        default: /* FR_KERNEL_LINEAR: the inner products are the kernel */
            break;
        }
    }
}

/* out[i] = Σ_f |x[i + f·ldx] − y[f·ycs]| for i < len: one column of the L1 distances. */
FR_CLONES
static void SFX(fr_l1_column)(ptrdiff_t len, ptrdiff_t d, const T *restrict x,
                              ptrdiff_t ldx, const T *restrict y, ptrdiff_t ycs,
                              T *restrict out)
{
    const T y0 = y[0];
    for (ptrdiff_t i = 0; i < len; i++)
        out[i] = FABS(x[i] - y0);
    for (ptrdiff_t f = 1; f < d; f++) {
        const T *restrict xf = x + f * ldx;
        const T yf = y[f * ycs];
        for (ptrdiff_t i = 0; i < len; i++)
            out[i] += FABS(xf[i] - yf);
    }
}

void SFX(fr_l1_distances)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t d, const T *restrict X,
                          ptrdiff_t ldx, const T *restrict Y, ptrdiff_t y_rs,
                          ptrdiff_t y_cs, T *restrict K, ptrdiff_t ldk, int upper)
{
    ptrdiff_t tile = FR_L1_TILE_BYTES / ((ptrdiff_t) sizeof(T) * (d > 0 ? d : 1));
    if (tile < 64)
        tile = 64;
    if (d <= 0)
        return;
    for (ptrdiff_t i0 = 0; i0 < m; i0 += tile) {
        const ptrdiff_t i1 = i0 + tile < m ? i0 + tile : m;
        for (ptrdiff_t j = upper ? i0 : 0; j < n; j++) {
            const ptrdiff_t hi = upper && j + 1 < i1 ? j + 1 : i1;
            SFX(fr_l1_column)(hi - i0, d, X + i0, ldx, Y + j * y_rs, y_cs,
                              K + j * ldk + i0);
        }
    }
}

int SFX(fr_all_finite_kernel)(ptrdiff_t m, ptrdiff_t n, const T *restrict K,
                              ptrdiff_t ldk, int upper)
{
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        const T *restrict col = K + j * ldk;
        const ptrdiff_t rows = upper ? j + 1 : m;
        ptrdiff_t i = 0;
        for (; i + 4 <= rows; i += 4) {
            s0 += col[i] - col[i];
            s1 += col[i + 1] - col[i + 1];
            s2 += col[i + 2] - col[i + 2];
            s3 += col[i + 3] - col[i + 3];
        }
        for (; i < rows; i++)
            s0 += col[i] - col[i];
    }
    return (s0 + s1 + s2 + s3) == 0;
}

void SFX(fr_mirror_upper)(ptrdiff_t n, T *restrict K, ptrdiff_t ldk)
{
    for (ptrdiff_t jb = 0; jb < n; jb += FR_MIRROR_TILE) {
        const ptrdiff_t je = jb + FR_MIRROR_TILE < n ? jb + FR_MIRROR_TILE : n;
        for (ptrdiff_t ib = 0; ib <= jb; ib += FR_MIRROR_TILE)
            for (ptrdiff_t j = jb; j < je; j++) {
                const ptrdiff_t ie = ib + FR_MIRROR_TILE < j ? ib + FR_MIRROR_TILE : j;
                for (ptrdiff_t i = ib; i < ie; i++)
                    K[j + i * ldk] = K[i + j * ldk];   /* K[j, i] = K[i, j], i < j */
            }
    }
}

#endif /* FR_TEMPLATE */
