#include <math.h>
#include <stddef.h>

#include "ridge_kernels.h"

/* The float and double versions are one body, instantiated twice. */
#define DEFINE_KERNELS(T_, SUFFIX, FABS)                                                     \
    T_ fr_sym_norm1_##SUFFIX(int n, const T_ *restrict A, int lda, T_ *restrict colsum)     \
    {                                                                                        \
        int i, j;                                                                            \
        T_ best = 0;                                                                         \
        for (j = 0; j < n; j++)                                                              \
            colsum[j] = 0;                                                                   \
        for (j = 0; j < n; j++) {                                                            \
            for (i = 0; i < j; i++) { /* A[i, j] = A[j, i] counts in columns j and i */      \
                T_ a = FABS(A[(long)j * lda + i]);                                           \
                colsum[j] += a;                                                              \
                colsum[i] += a;                                                              \
            }                                                                                \
            colsum[j] += FABS(A[(long)j * lda + j]);                                         \
        }                                                                                    \
        for (j = 0; j < n; j++)                                                              \
            if (colsum[j] > best)                                                            \
                best = colsum[j];                                                            \
        return best;                                                                         \
    }                                                                                        \
                                                                                             \
    T_ fr_chol_rcond_##SUFFIX(int n, const T_ *restrict R, int ldr, T_ anorm, T_ *restrict T) \
    {                                                                                        \
        int i, j, k;                                                                         \
        T_ norm1 = 0, norminf = 0;                                                           \
        /* T = R⁻¹, upper triangular, column by column (back substitution). */              \
        for (j = 0; j < n; j++) {                                                            \
            T[(long)j * n + j] = 1 / R[(long)j * ldr + j];                                   \
            for (i = j - 1; i >= 0; i--) {                                                   \
                T_ acc = 0;                                                                  \
                for (k = i + 1; k <= j; k++)                                                 \
                    acc += R[(long)k * ldr + i] * T[(long)j * n + k];                        \
                T[(long)j * n + i] = -acc / R[(long)i * ldr + i];                            \
            }                                                                                \
        }                                                                                    \
        /* ||T||_1: largest column sum; ||T||_inf: largest row sum. */                       \
        for (j = 0; j < n; j++) {                                                            \
            T_ col = 0;                                                                      \
            for (i = 0; i <= j; i++)                                                         \
                col += FABS(T[(long)j * n + i]);                                             \
            if (col > norm1)                                                                 \
                norm1 = col;                                                                 \
        }                                                                                    \
        for (i = 0; i < n; i++) {                                                            \
            T_ row = 0;                                                                      \
            for (j = i; j < n; j++)                                                          \
                row += FABS(T[(long)j * n + i]);                                             \
            if (row > norminf)                                                               \
                norminf = row;                                                               \
        }                                                                                    \
        if (!(anorm > 0) || !(norm1 * norminf < INFINITY))                                   \
            return 0;                                                                        \
        return 1 / (anorm * (norm1 * norminf));                                              \
    }

DEFINE_KERNELS(double, d, fabs)
DEFINE_KERNELS(float, f, fabsf)

void fr_center_square_rows_d(long m, long r, double *restrict Z, const double *restrict c,
                             double *restrict Z2, double *restrict rowsum)
{
    for (long i = 0; i < m; i++) {
        double *restrict z = Z + i * r;
        double *restrict z2 = Z2 + i * r;
        double part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        long j = 0;
        if (c != NULL)
            for (long t = 0; t < r; t++)
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
