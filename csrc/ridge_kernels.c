/*
 * Plain-C kernels of the ridge solvers; each one's contract is in ridge_kernels.h.
 *
 * The kernels with a _d and a _f version have one body, the part of this file after
 * `#else`: this file includes itself once per type with T (the element type), SFX
 * (the name suffix) and the math functions defined, so both versions run the same
 * operations in the same order.
 */
#ifndef FR_TEMPLATE

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "ridge_kernels.h"

/* Rows of a block whose weights are taken once, into a stack array (no allocation). */
#define FR_CHUNK 256

#define FR_TEMPLATE
#define T double
#define SFX(name) name##_d
#define SQRT sqrt
#define FABS fabs
#include "ridge_kernels.c"
#undef T
#undef SFX
#undef SQRT
#undef FABS

#define T float
#define SFX(name) name##_f
#define SQRT sqrtf
#define FABS fabsf
#include "ridge_kernels.c"
#undef T
#undef SFX
#undef SQRT
#undef FABS
#undef FR_TEMPLATE

ptrdiff_t fr_block_size(ptrdiff_t total, ptrdiff_t width, ptrdiff_t other)
{
    ptrdiff_t target = other * other > 262144 ? other * other : 262144;
    ptrdiff_t rows = target / width > 16 ? target / width : 16;
    return rows < total ? rows : total;
}

void fr_center_square_rows_d(ptrdiff_t m, ptrdiff_t r, double *restrict Z,
                             const double *restrict c, double *restrict Z2,
                             double *restrict rowsum)
{
    for (ptrdiff_t i = 0; i < m; i++) {
        double *restrict z = Z + i * r;
        double *restrict z2 = Z2 + i * r;
        double part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        ptrdiff_t j = 0;
        if (c != NULL)
            for (ptrdiff_t t = 0; t < r; t++)
                z[t] -= c[t];
        for (; j + 8 <= r; j += 8)
            for (int l = 0; l < 8; l++) {
                double v = z[j + l];
                z2[j + l] = v * v;
                part[l] += v * v;
            }
        double acc = ((part[0] + part[1]) + (part[2] + part[3]))
                   + ((part[4] + part[5]) + (part[6] + part[7]));
        for (; j < r; j++) {
            z2[j] = z[j] * z[j];
            acc += z2[j];
        }
        rowsum[i] = acc;
    }
}

#else /* FR_TEMPLATE: the body of the _d and _f kernels */

int SFX(fr_all_finite)(ptrdiff_t size, const T *restrict a, ptrdiff_t inc)
{
    /* x·0 is 0 for finite x, NaN for ±inf/NaN (not folded away: no -ffast-math) */
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    ptrdiff_t i = 0;
    if (inc != 1) {
        for (; i < size; i++)
            s0 += a[i * inc] * 0;
        return s0 == 0;
    }
    for (; i + 4 <= size; i += 4) {
        s0 += a[i] * 0;
        s1 += a[i + 1] * 0;
        s2 += a[i + 2] * 0;
        s3 += a[i + 3] * 0;
    }
    for (; i < size; i++)
        s0 += a[i] * 0;
    return (s0 + s1 + s2 + s3) == 0;
}

void SFX(fr_fill_centred)(ptrdiff_t m, ptrdiff_t w, const T *restrict X, ptrdiff_t rs,
                          ptrdiff_t cs, const T *restrict mean, const T *restrict weight,
                          int root, T *restrict out, ptrdiff_t ldo)
{
    T s[FR_CHUNK];
    for (ptrdiff_t i0 = 0; i0 < m; i0 += FR_CHUNK) {
        ptrdiff_t rows = m - i0 < FR_CHUNK ? m - i0 : FR_CHUNK;
        const T *restrict x = X + i0 * rs;
        T *restrict o = out + i0;
        for (ptrdiff_t i = 0; i < rows; i++)
            s[i] = weight == NULL ? 1 : root ? SQRT(weight[i0 + i]) : weight[i0 + i];
        if (cs == 1 && rs != 1) { /* rows of X contiguous: read along them */
            for (ptrdiff_t i = 0; i < rows; i++)
                for (ptrdiff_t j = 0; j < w; j++)
                    o[j * ldo + i] = s[i] * (x[i * rs + j] - (mean != NULL ? mean[j] : 0));
        } else { /* columns of X contiguous (or neither): read down them */
            for (ptrdiff_t j = 0; j < w; j++) {
                T mj = mean != NULL ? mean[j] : 0;
                for (ptrdiff_t i = 0; i < rows; i++)
                    o[j * ldo + i] = s[i] * (x[i * rs + j * cs] - mj);
            }
        }
    }
}

double SFX(fr_centring_growth)(ptrdiff_t n, ptrdiff_t d, ptrdiff_t k, const T *restrict G,
                               ptrdiff_t ldg, const T *restrict Y, ptrdiff_t y_rs,
                               ptrdiff_t y_cs, const T *restrict xmean,
                               const T *restrict ymean, double shift_limit)
{
    double worst = 0; /* max ρ² so far */
    for (ptrdiff_t j = 0; j < d; j++) {
        double shift = (double)n * xmean[j] * xmean[j];
        double spread = G[j * ldg + j] - shift; /* Σ (x − x̄)², roughly */
        if (!(shift <= shift_limit * spread))
            return 0;
        if (shift > worst * spread)
            worst = shift / spread;
    }
    for (ptrdiff_t j = 0; j < k; j++) {
        double yy = 0, shift = (double)n * ymean[j] * ymean[j];
        for (ptrdiff_t i = 0; i < n; i++) {
            T v = Y[i * y_rs + j * y_cs];
            yy += v * v;
        }
        if (!(shift <= shift_limit * (yy - shift)))
            return 0;
        if (shift > worst * (yy - shift))
            worst = shift / (yy - shift);
    }
    return 1 + worst;
}

void SFX(fr_sub_outer)(ptrdiff_t m, ptrdiff_t k, T c, const T *restrict u,
                       const T *restrict v, T *restrict A, ptrdiff_t lda, int upper)
{
    for (ptrdiff_t j = 0; j < k; j++) {
        ptrdiff_t rows = upper ? j + 1 : m;
        for (ptrdiff_t i = 0; i < rows; i++)
            A[j * lda + i] -= c * u[i] * v[j];
    }
}

void SFX(fr_sub_mean_colsum)(ptrdiff_t n, ptrdiff_t d, ptrdiff_t k, const T *restrict A,
                             ptrdiff_t lda, const T *restrict xmean, T *restrict W,
                             ptrdiff_t ldw)
{
    for (ptrdiff_t j = 0; j < k; j++) {
        T colsum = 0;
        for (ptrdiff_t i = 0; i < n; i++)
            colsum += A[j * lda + i];
        for (ptrdiff_t i = 0; i < d; i++)
            W[j * ldw + i] -= xmean[i] * colsum;
    }
}

void SFX(fr_scale_sym)(ptrdiff_t n, const T *restrict w, T *restrict K, ptrdiff_t ldk)
{
    for (ptrdiff_t j = 0; j < n; j++)
        for (ptrdiff_t i = 0; i <= j; i++)
            K[j * ldk + i] *= SQRT(w[i] * w[j]);
}

void SFX(fr_scale_rows)(ptrdiff_t m, ptrdiff_t k, const T *restrict w, T *restrict A,
                        ptrdiff_t lda)
{
    for (ptrdiff_t j = 0; j < k; j++)
        for (ptrdiff_t i = 0; i < m; i++)
            A[j * lda + i] *= SQRT(w[i]);
}

void SFX(fr_center_kernel)(ptrdiff_t n, T *restrict K, ptrdiff_t ldk, const T *restrict a,
                           T mu)
{
    for (ptrdiff_t j = 0; j < n; j++) {
        T shift = a[j] - mu;
        for (ptrdiff_t i = 0; i <= j; i++)
            K[j * ldk + i] -= a[i] + shift;
    }
}

void SFX(fr_add_diag)(ptrdiff_t m, T alpha, T *restrict A, ptrdiff_t lda)
{
    for (ptrdiff_t i = 0; i < m; i++)
        A[i * lda + i] += alpha;
}

ptrdiff_t SFX(fr_gather_cols)(ptrdiff_t m, ptrdiff_t k, const int *restrict group, int g,
                              const T *restrict src, ptrdiff_t lds, T *restrict dst,
                              ptrdiff_t ldd)
{
    ptrdiff_t c = 0;
    for (ptrdiff_t j = 0; j < k; j++)
        if (group[j] == g)
            memcpy(dst + c++ * ldd, src + j * lds, (size_t)m * sizeof(T));
    return c;
}

ptrdiff_t SFX(fr_scatter_cols)(ptrdiff_t m, ptrdiff_t k, const int *restrict group, int g,
                               const T *restrict src, ptrdiff_t lds, T *restrict dst,
                               ptrdiff_t ldd)
{
    ptrdiff_t c = 0;
    for (ptrdiff_t j = 0; j < k; j++)
        if (group[j] == g)
            memcpy(dst + j * ldd, src + c++ * lds, (size_t)m * sizeof(T));
    return c;
}

void SFX(fr_add_transposed)(ptrdiff_t m, ptrdiff_t n, T beta, const T *restrict A,
                            ptrdiff_t lda, T *restrict B, ptrdiff_t ldb)
{
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = 0; j < n; j++)
            B[j * ldb + i] = beta == 0 ? A[i * lda + j]
                                       : beta * B[j * ldb + i] + A[i * lda + j];
}

T SFX(fr_sym_norm1)(ptrdiff_t n, const T *restrict A, ptrdiff_t lda, T *restrict colsum)
{
    T best = 0;
    for (ptrdiff_t j = 0; j < n; j++)
        colsum[j] = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        for (ptrdiff_t i = 0; i < j; i++) { /* A[i, j] = A[j, i]: in columns j and i */
            T a = FABS(A[j * lda + i]);
            colsum[j] += a;
            colsum[i] += a;
        }
        colsum[j] += FABS(A[j * lda + j]);
    }
    for (ptrdiff_t j = 0; j < n; j++)
        if (colsum[j] > best)
            best = colsum[j];
    return best;
}

T SFX(fr_chol_rcond)(ptrdiff_t n, const T *restrict R, ptrdiff_t ldr, T anorm,
                     T *restrict Tw)
{
    T norm1 = 0, norminf = 0;
    /* Tw = R⁻¹, upper triangular, column by column (back substitution). */
    for (ptrdiff_t j = 0; j < n; j++) {
        Tw[j * n + j] = 1 / R[j * ldr + j];
        for (ptrdiff_t i = j - 1; i >= 0; i--) {
            T acc = 0;
            for (ptrdiff_t k = i + 1; k <= j; k++)
                acc += R[k * ldr + i] * Tw[j * n + k];
            Tw[j * n + i] = -acc / R[i * ldr + i];
        }
    }
    /* ||R⁻¹||_1: largest column sum; ||R⁻¹||_inf: largest row sum. */
    for (ptrdiff_t j = 0; j < n; j++) {
        T col = 0;
        for (ptrdiff_t i = 0; i <= j; i++)
            col += FABS(Tw[j * n + i]);
        if (col > norm1)
            norm1 = col;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        T row = 0;
        for (ptrdiff_t j = i; j < n; j++)
            row += FABS(Tw[j * n + i]);
        if (row > norminf)
            norminf = row;
    }
    if (!(anorm > 0) || !(norm1 * norminf < INFINITY))
        return 0;
    return 1 / (anorm * (norm1 * norminf));
}

#endif /* FR_TEMPLATE */
