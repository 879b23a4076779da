/*
 * Plain-C loops of the pairwise kernels (fastridge.kernels): everything between the
 * driver's ?gemm/?syrk (fastridge._pairwise, through SciPy's cython_blas) and the finished
 * kernel matrix.  The formulas and gamma defaults are scikit-learn's pairwise kernels,
 * listed in the docstring of fastridge/kernels.py; the kernel is the dual view's XXᵀ
 * (docs/math.md §1.6) with the rows mapped to features.
 *
 * No Python, no allocation, no globals, no printing.  The kernel matrix K (m×n) is
 * column-major with leading dimension ldk: K[i + j·ldk] = k(x_i, y_j).  `upper`: X and Y
 * are the same points (m == n) and only the upper triangle i <= j is read and written
 * (the lower one is left as it was), as ?syrk and ?potrf/?syevd with uplo = 'U' use it.
 * A matrix read in the caller's layout takes a row stride and a column stride (rs, cs,
 * in elements): X (m, d) C-ordered has rs = d, cs = 1, F-ordered rs = 1, cs = m.
 * `_d`: double; `_f`: float, one body instantiated twice (pairwise_kernels.c), the same
 * operations in the same order.  Sizes are ptrdiff_t; the BLAS-facing driver keeps them
 * within int (checked in Python).
 */
#ifndef FASTRIDGE_PAIRWISE_KERNELS_H
#define FASTRIDGE_PAIRWISE_KERNELS_H

#include <stddef.h>

/* What fr_kernel_finish_* turns the inner products (or L1 distances) into. */
#define FR_KERNEL_LINEAR 0    /* k = ⟨x, y⟩                              (nothing to do) */
#define FR_KERNEL_POLY 1      /* k = (γ⟨x, y⟩ + c0)^degree                                */
#define FR_KERNEL_RBF 2       /* k = exp(−γ max(‖x‖² − 2⟨x, y⟩ + ‖y‖², 0)); a, b = ‖·‖²  */
#define FR_KERNEL_LAPLACIAN 3 /* k = exp(−γ ‖x − y‖₁); K holds the L1 distances         */
#define FR_KERNEL_COSINE 4    /* k = ⟨x, y⟩ · a_i · b_j; a, b = 1/‖·‖ (0 for a zero row)  */
#define FR_KERNEL_SIGMOID 5   /* k = tanh(γ⟨x, y⟩ + c0)                                  */

/* sq[i] = Σ_f X[i, f]² for the m×d matrix X read with strides (rs, cs). */
void fr_row_sqnorms_d(ptrdiff_t m, ptrdiff_t d, const double *X, ptrdiff_t rs,
                      ptrdiff_t cs, double *sq);
void fr_row_sqnorms_f(ptrdiff_t m, ptrdiff_t d, const float *X, ptrdiff_t rs,
                      ptrdiff_t cs, float *sq);

/* v[i] ← 1/√v[i] for v[i] > 0, else 0: squared norms to the cosine kernel's scales
 * (scikit-learn's `normalize` leaves a zero row zero). */
void fr_inv_sqrt_or_zero_d(ptrdiff_t m, double *v);
void fr_inv_sqrt_or_zero_f(ptrdiff_t m, float *v);

/* One pass over K (m×n, ld ldk) that turns its entries into kernel values, in place:
 * `kind` one of FR_KERNEL_*; a (m,) and b (n,) the per-row quantities the kind names
 * (NULL where it names none); gamma, coef0, degree as scikit-learn's.  An integral
 * |degree| <= 64 is applied by repeated squaring, any other by pow().  With `upper`
 * (the same points on both sides) only i <= j is touched and the rbf kernel's diagonal
 * is exactly 1 (distance 0, as scikit-learn sets it). */
void fr_kernel_finish_d(int kind, ptrdiff_t m, ptrdiff_t n, double *K, ptrdiff_t ldk,
                        const double *a, const double *b, double gamma, double coef0,
                        double degree, int upper);
void fr_kernel_finish_f(int kind, ptrdiff_t m, ptrdiff_t n, float *K, ptrdiff_t ldk,
                        const float *a, const float *b, float gamma, float coef0,
                        double degree, int upper);

/* K[i + j·ldk] = Σ_f |X[i, f] − Y[j, f]| (L1 distances), X (m×d) column-major with
 * leading dimension ldx (its columns contiguous, so the loop runs down them), Y (n×d)
 * read with strides (y_rs, y_cs).  `upper`: i <= j only (Y holds X's points).  Features
 * are added in order 0..d−1 for every pair; tiles of rows of X are kept in cache. */
void fr_l1_distances_d(ptrdiff_t m, ptrdiff_t n, ptrdiff_t d, const double *X,
                       ptrdiff_t ldx, const double *Y, ptrdiff_t y_rs, ptrdiff_t y_cs,
                       double *K, ptrdiff_t ldk, int upper);
void fr_l1_distances_f(ptrdiff_t m, ptrdiff_t n, ptrdiff_t d, const float *X,
                       ptrdiff_t ldx, const float *Y, ptrdiff_t y_rs, ptrdiff_t y_cs,
                       float *K, ptrdiff_t ldk, int upper);

/* 1 when every entry of K (m×n, ld ldk; with `upper` the triangle i <= j) is finite,
 * else 0 (x − x is 0 for finite x and NaN otherwise; four partial sums). */
int fr_all_finite_kernel_d(ptrdiff_t m, ptrdiff_t n, const double *K, ptrdiff_t ldk,
                           int upper);
int fr_all_finite_kernel_f(ptrdiff_t m, ptrdiff_t n, const float *K, ptrdiff_t ldk,
                           int upper);

/* Copy the strict upper triangle of the n×n K (ld ldk) onto the lower one, in tiles. */
void fr_mirror_upper_d(ptrdiff_t n, double *K, ptrdiff_t ldk);
void fr_mirror_upper_f(ptrdiff_t n, float *K, ptrdiff_t ldk);

#endif /* FASTRIDGE_PAIRWISE_KERNELS_H */
