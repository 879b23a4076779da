/*
 * Plain-C kernels of the ridge solvers: the loops of fastridge._ridge that call no
 * BLAS/LAPACK (the driver keeps ?syrk, ?gemm, ?potrf/?potrs/?pocon and ?gesdd, through
 * SciPy's cython_blas/cython_lapack, and calls these in between).
 *
 * No Python, no allocation, no globals, no printing.  Matrices are column-major with an
 * explicit leading dimension (ld*: distance in elements between two columns); a matrix
 * read in the user's layout instead takes a row stride and a column stride (rs, cs, in
 * elements), so X (n, d) is read C-ordered with rs = d, cs = 1 and F-ordered with
 * rs = 1, cs = n, and the same code takes row or column blocks of it by offsetting X.
 * A NULL optional argument (mean, weights) means "absent": 0 and 1.
 * `_d`: double; `_f`: float, one body instantiated twice (ridge_kernels.c), the same
 * operations in the same order.  Sizes are ptrdiff_t; the LAPACK-facing callers keep
 * them within int (checked in Python).  Kernels that can fail return a status code.
 * The math: docs/math.md §1.6-1.7 (dual, weights, intercept), §7 (centring without a
 * copy, its error growth), §8.3 (the condition estimate).
 */
#ifndef FASTRIDGE_RIDGE_KERNELS_H
#define FASTRIDGE_RIDGE_KERNELS_H

#include <stddef.h>

/* Status codes beside LAPACK's info (which is > 0 for "not positive definite"). */
#define FR_RIDGE_OK 0
/* a work buffer could not be allocated (by the driver; kernels never allocate) */
#define FR_RIDGE_NOMEM (-1000)
/* NaN/inf on a Gram diagonal: Σ x² of a column (row, for the dual kernel) is NaN/inf
 * exactly when that column holds a NaN/inf or the sum overflows, so the O(d) scan of
 * the diagonal replaces an O(nd) finiteness pass over X */
#define FR_RIDGE_NONFINITE (-1001)

/* 1 when none of a[0], a[inc], ..., a[(size-1)·inc] is NaN or ±inf, else 0.  inc = 1
 * is the finiteness scan of a contiguous array (x·0 is 0 for finite x and NaN
 * otherwise; four partial sums so the loop pipelines); inc = ld + 1, the diagonal. */
int fr_all_finite_d(ptrdiff_t size, const double *a, ptrdiff_t inc);
int fr_all_finite_f(ptrdiff_t size, const float *a, ptrdiff_t inc);

/* out (m×w, column-major, ld ldo) = diag(s) (X − 1 meanᵀ) for the m×w matrix X read
 * with strides (rs, cs); s_i = √weight[i] when root, weight[i] otherwise, 1 when
 * weight is NULL; mean (w,) NULL for 0.  The blocks that the driver multiplies:
 *   rows r0.. of X:    fr_fill_centred(m, d, X + r0·rs, rs, cs, x̄, sw + r0, 1, xb, m)
 *   columns c0.. of X: fr_fill_centred(n, m, X + c0·cs, rs, cs, x̄ + c0, NULL, 0, xb, n)
 * out must not overlap X. */
void fr_fill_centred_d(ptrdiff_t m, ptrdiff_t w, const double *X, ptrdiff_t rs,
                       ptrdiff_t cs, const double *mean, const double *weight, int root,
                       double *out, ptrdiff_t ldo);
void fr_fill_centred_f(ptrdiff_t m, ptrdiff_t w, const float *X, ptrdiff_t rs,
                       ptrdiff_t cs, const float *mean, const float *weight, int root,
                       float *out, ptrdiff_t ldo);

/* May XcᵀXc = XᵀX − n x̄x̄ᵀ (and XcᵀYc = XᵀY − n x̄ȳᵀ) be formed by subtraction?
 * Returns 0 when not, else the growth factor 1 + max ρ² of its rounding error, where
 * ρ² = n·mean² / Σ(x − mean)² per column of X (from the diagonal of the plain Gram G,
 * d×d, ld ldg) and of Y (n×k, strides y_rs, y_cs; Σy² is summed here in double).  The
 * subtraction's error relative to the centred entry is about eps·(1 + ρ_i ρ_j): allowed
 * while every ρ² ≤ shift_limit (fastridge._policy.centring_limit, never a literal
 * here); NaN compares false, so it is refused.  xmean (d,) and ymean (k,) required. */
double fr_centring_growth_d(ptrdiff_t n, ptrdiff_t d, ptrdiff_t k, const double *G,
                            ptrdiff_t ldg, const double *Y, ptrdiff_t y_rs, ptrdiff_t y_cs,
                            const double *xmean, const double *ymean, double shift_limit);
double fr_centring_growth_f(ptrdiff_t n, ptrdiff_t d, ptrdiff_t k, const float *G,
                            ptrdiff_t ldg, const float *Y, ptrdiff_t y_rs, ptrdiff_t y_cs,
                            const float *xmean, const float *ymean, double shift_limit);

/* A (m×k, ld lda) −= c·u vᵀ, each entry as A[i, j] −= (c·u[i])·v[j]; upper: only the
 * upper triangle i <= j (m == k).  The rank-one centring: G −= n x̄x̄ᵀ (upper),
 * B −= n x̄ȳᵀ. */
void fr_sub_outer_d(ptrdiff_t m, ptrdiff_t k, double c, const double *u, const double *v,
                    double *A, ptrdiff_t lda, int upper);
void fr_sub_outer_f(ptrdiff_t m, ptrdiff_t k, float c, const float *u, const float *v,
                    float *A, ptrdiff_t lda, int upper);

/* W (d×k, ld ldw) −= x̄ (1ᵀA) for A (n×k, ld lda): the dual's coefficients of the
 * centred X from those of X, Xcᵀ A = XᵀA − x̄ 1ᵀA (column sums accumulated in T). */
void fr_sub_mean_colsum_d(ptrdiff_t n, ptrdiff_t d, ptrdiff_t k, const double *A,
                          ptrdiff_t lda, const double *xmean, double *W, ptrdiff_t ldw);
void fr_sub_mean_colsum_f(ptrdiff_t n, ptrdiff_t d, ptrdiff_t k, const float *A,
                          ptrdiff_t lda, const float *xmean, float *W, ptrdiff_t ldw);

/* Upper triangle of the n×n K (ld ldk) ← S^½ K S^½: K[i, j] *= √(w[i]·w[j]), i <= j. */
void fr_scale_sym_d(ptrdiff_t n, const double *w, double *K, ptrdiff_t ldk);
void fr_scale_sym_f(ptrdiff_t n, const float *w, float *K, ptrdiff_t ldk);

/* A (m×k, ld lda) ← S^½ A: A[i, j] *= √w[i]. */
void fr_scale_rows_d(ptrdiff_t m, ptrdiff_t k, const double *w, double *A, ptrdiff_t lda);
void fr_scale_rows_f(ptrdiff_t m, ptrdiff_t k, const float *w, float *A, ptrdiff_t lda);

/* Double centring of the kernel K = XXᵀ (upper triangle, n×n, ld ldk), in one pass:
 * K ← K − a1ᵀ − 1aᵀ + mu·11ᵀ; with a = X x̄ and mu = x̄ᵀx̄ it becomes XcXcᵀ. */
void fr_center_kernel_d(ptrdiff_t n, double *K, ptrdiff_t ldk, const double *a, double mu);
void fr_center_kernel_f(ptrdiff_t n, float *K, ptrdiff_t ldk, const float *a, float mu);

/* A (m×m, ld lda) += alpha·I. */
void fr_add_diag_d(ptrdiff_t m, double alpha, double *A, ptrdiff_t lda);
void fr_add_diag_f(ptrdiff_t m, float alpha, float *A, ptrdiff_t lda);

/* Columns j of src (m×k, ld lds) with group[j] == g, in order, into the first columns
 * of dst (ld ldd); returns how many.  fr_scatter_cols puts them back. */
ptrdiff_t fr_gather_cols_d(ptrdiff_t m, ptrdiff_t k, const int *group, int g,
                           const double *src, ptrdiff_t lds, double *dst, ptrdiff_t ldd);
ptrdiff_t fr_gather_cols_f(ptrdiff_t m, ptrdiff_t k, const int *group, int g,
                           const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd);
/* Columns c = 0, 1, ... of src (ld lds) into the columns j of dst (m×k, ld ldd) with
 * group[j] == g, in order; returns how many. */
ptrdiff_t fr_scatter_cols_d(ptrdiff_t m, ptrdiff_t k, const int *group, int g,
                            const double *src, ptrdiff_t lds, double *dst, ptrdiff_t ldd);
ptrdiff_t fr_scatter_cols_f(ptrdiff_t m, ptrdiff_t k, const int *group, int g,
                            const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd);

/* B (m×n, ld ldb) = beta·B + Aᵀ for A (n×m, ld lda); beta == 0 overwrites B (its old
 * contents, even NaN, are not read). */
void fr_add_transposed_d(ptrdiff_t m, ptrdiff_t n, double beta, const double *A,
                         ptrdiff_t lda, double *B, ptrdiff_t ldb);
void fr_add_transposed_f(ptrdiff_t m, ptrdiff_t n, float beta, const float *A,
                         ptrdiff_t lda, float *B, ptrdiff_t ldb);

/* Rows (or columns) per block of a block×width work buffer, for blocks multiplied into a
 * Gram matrix of order `other`: about as many entries as that Gram (other²), at least
 * 2^18 entries, at least 16 rows, at most `total`. */
ptrdiff_t fr_block_size(ptrdiff_t total, ptrdiff_t width, ptrdiff_t other);

/* ||A||_1 of the symmetric n×n matrix whose upper triangle is stored in A (ld lda);
 * colsum: n work entries. */
double fr_sym_norm1_d(ptrdiff_t n, const double *A, ptrdiff_t lda, double *colsum);
float fr_sym_norm1_f(ptrdiff_t n, const float *A, ptrdiff_t lda, float *colsum);

/* Estimate 1/cond_1(A) for the symmetric positive definite A = RᵀR from
 *   anorm: ||A||_1 (of A before factoring, see fr_sym_norm1_*),
 *   R:     its upper Cholesky factor (n×n, leading dimension ldr),
 *   work:  n×n work space (receives R⁻¹).
 * Uses the bound ||A⁻¹||_1 = ||R⁻¹R⁻ᵀ||_1 <= ||R⁻¹||_1 ||R⁻¹||_inf, so the returned value
 * is never larger than the true reciprocal condition number and at most n times smaller.
 * Costs n³/6 multiply-adds: meant for small n, where LAPACK's ?pocon is dominated by the
 * overhead of its many small BLAS calls. */
double fr_chol_rcond_d(ptrdiff_t n, const double *R, ptrdiff_t ldr, double anorm,
                       double *work);
float fr_chol_rcond_f(ptrdiff_t n, const float *R, ptrdiff_t ldr, float anorm, float *work);

/* For each of the m rows of the row-major m×r matrix Z: Z[i, :] -= c (c may be NULL),
 * Z2[i, :] = Z[i, :]² and rowsum[i] = Σ_j Z2[i, j] — one pass instead of three.  The row
 * sum is accumulated in 8 interleaved partial sums, so it vectorizes without -ffast-math
 * (the order of additions is fixed, hence the result reproducible).  Double only (the
 * leave-one-out statistics are kept in double). */
void fr_center_square_rows_d(ptrdiff_t m, ptrdiff_t r, double *Z, const double *c,
                             double *Z2, double *rowsum);

#endif /* FASTRIDGE_RIDGE_KERNELS_H */
