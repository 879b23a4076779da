/* Small plain-C kernels of the ridge solvers (no Python, no allocation, no globals).
 * Matrices are column-major with an explicit leading dimension.  _d: double, _f: float. */
#ifndef FASTRIDGE_RIDGE_KERNELS_H
#define FASTRIDGE_RIDGE_KERNELS_H

/* Estimate 1/cond_1(A) for the symmetric positive definite A = RᵀR from
 *   anorm: ||A||_1 (of A before factoring, see fr_sym_norm1_*),
 *   R:     its upper Cholesky factor (n×n, leading dimension ldr),
 *   T:     n×n work space (receives R⁻¹).
 * Uses the bound ||A⁻¹||_1 = ||R⁻¹R⁻ᵀ||_1 <= ||R⁻¹||_1 ||R⁻¹||_inf, so the returned value
 * is never larger than the true reciprocal condition number and at most n times smaller.
 * Costs n³/6 multiply-adds: meant for small n, where LAPACK's ?pocon is dominated by the
 * overhead of its many small BLAS calls. */
double fr_chol_rcond_d(int n, const double *R, int ldr, double anorm, double *T);
float fr_chol_rcond_f(int n, const float *R, int ldr, float anorm, float *T);

/* ||A||_1 of the symmetric n×n matrix whose upper triangle is stored in A (ld lda);
 * colsum: n work entries. */
double fr_sym_norm1_d(int n, const double *A, int lda, double *colsum);
float fr_sym_norm1_f(int n, const float *A, int lda, float *colsum);

/* For each of the m rows of the row-major m×r matrix Z: Z[i, :] -= c (c may be NULL),
 * Z2[i, :] = Z[i, :]² and rowsum[i] = Σ_j Z2[i, j] — one pass instead of three.  The row
 * sum is accumulated in 8 interleaved partial sums, so it vectorizes without -ffast-math
 * (the order of additions is fixed, hence the result reproducible). */
void fr_center_square_rows_d(long m, long r, double *Z, const double *c, double *Z2,
                             double *rowsum);

#endif
