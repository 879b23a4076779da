/*
 * Plain-C loops over a sparse matrix in CSR form (fastridge._csr; docs/math.md §1.6, §7):
 * the Gram matrix accumulated over the nonzeros, and the matrix–vector products of the
 * iterative solver, with the intercept's centring and the sample weights folded in so
 * that no centred or weighted copy of X is ever made.
 *
 * A CSR matrix X (n×d) is `indptr` (n+1), `indices` and `data` (nnz): row i holds the
 * entries data[p] at columns indices[p] for indptr[i] <= p < indptr[i+1].  The same
 * arrays read as CSR describe Xᵀ when they are X's CSC arrays, so every kernel serves
 * both sides (XᵀX from CSR arrays, XXᵀ from CSC ones).  The caller guarantees a valid
 * structure (fr_csr_check_* says whether it is): indptr non-decreasing from 0 to nnz,
 * 0 <= indices < d, and, where a kernel says "canonical", strictly increasing columns
 * within each row (sorted, no duplicates); the others take rows in any order, with
 * repeated columns adding up.
 *
 * No Python, no allocation, no globals, no printing.  Dense operands are double
 * whatever the data's type (sums of products are accumulated in double); dense
 * matrices of k columns are row-major (C order), entry (j, c) at [j·k + c]; the Gram
 * matrix is column-major (LAPACK's order), entry (a, b) at [a + b·ldg], upper triangle.
 * Name suffixes: data type `_d` (double) / `_f` (float), index type `_i32` / `_i64`;
 * one body (csr_kernels.c) instantiated four times.
 */
#ifndef FASTRIDGE_CSR_KERNELS_H
#define FASTRIDGE_CSR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* fr_csr_check_*: what the structure is. */
#define FR_CSR_CANONICAL 0  /* valid; every row's columns strictly increasing          */
#define FR_CSR_UNSORTED 1   /* valid; some row unsorted or with a repeated column        */
#define FR_CSR_INVALID (-1) /* indptr not non-decreasing from 0 to nnz, or an index
                               outside [0, d): no kernel may read it                     */

int fr_csr_check_i32(ptrdiff_t n, ptrdiff_t d, ptrdiff_t nnz, const int32_t *indptr,
                     const int32_t *indices);
int fr_csr_check_i64(ptrdiff_t n, ptrdiff_t d, ptrdiff_t nnz, const int64_t *indptr,
                     const int64_t *indices);

/*
 * fr_csr_gram_*: G += Σ_i s_i x_i x_iᵀ over rows row0 <= i < row1, upper triangle
 *     (a <= b) of the column-major d×d matrix G with leading dimension ldg; s = NULL: all
 *     weights 1.  `canonical` (the rows are, per fr_csr_check_*) takes the fast loop;
 *     otherwise rows in any order and with repeated columns give the Gram matrix of the
 *     summed entries.  Cost Σ_i nnz_i(nnz_i + 1)/2 updates.
 */
#define FR_CSR_DECLARE(T, TS, I, IS)                                                       \
    void fr_csr_gram_##TS##_##IS(ptrdiff_t row0, ptrdiff_t row1, const I *indptr,          \
                                 const I *indices, const T *data, const double *s,         \
                                 int canonical, double *G, ptrdiff_t ldg);                  \
    void fr_csr_normal_##TS##_##IS(ptrdiff_t n, ptrdiff_t k, const I *indptr,              \
                                   const I *indices, const T *data, const double *s,       \
                                   const double *shift, const double *P, double *Q,        \
                                   double *tsum, double *t);                               \
    void fr_csr_matmat_##TS##_##IS(ptrdiff_t n, ptrdiff_t k, const I *indptr,              \
                                   const I *indices, const T *data, const double *Z,       \
                                   const double *shift, const double *s, double *out);     \
    void fr_csr_rmatmat_##TS##_##IS(ptrdiff_t n, ptrdiff_t k, const I *indptr,             \
                                    const I *indices, const T *data, const double *s,      \
                                    const double *V, double *Z, double *vsum);   \
    void fr_csr_sums_##TS##_##IS(ptrdiff_t n, const I *indptr, const I *indices,           \
                                 const T *data, const double *w, int by_row, double *sum,  \
                                 double *sumsq);                                            \
    void fr_csr_transpose_##TS##_##IS(ptrdiff_t n, ptrdiff_t d, const I *indptr,            \
                                      const I *indices, const T *data, I *out_indptr,      \
                                      I *out_indices, T *out_data, I *tmp_row, I *tmp_col, \
                                      T *tmp_data, I *next, int shift);
/*
 * fr_csr_normal_*: the centred, weighted normal-equations product in one pass over X,
 *     t_i = x_iᵀP − shift        (k values; shift = x̄ᵀP, or NULL for no centring)
 *     Q  += Σ_i s_i x_i t_iᵀ,     tsum += Σ_i s_i t_i
 * so that XcᵀSXc P = Q − x̄ tsumᵀ (the caller subtracts).  P, Q d×k row-major, t scratch
 * of k doubles, s NULL: weights 1.  Q and tsum are accumulated into (zero them first).
 *
 * fr_csr_matmat_*: out[i, :] = s_i (x_iᵀZ − shift), the gather X Z (n×k, row-major),
 *     centred by shift (k, or NULL) and scaled by s (n, or NULL).
 *
 * fr_csr_rmatmat_*: Z += Σ_i s_i x_i V[i, :] and vsum += Σ_i s_i V[i, :], the scatter
 *     XᵀSV (d×k, row-major, accumulated into); XcᵀSV = Z − x̄ vsumᵀ.
 *
 * fr_csr_sums_*: weighted sums and sums of squares of the entries, accumulated into.
 *     by_row = 0: per column, sum[j] += Σ_i w_i X[i, j], sumsq[j] += Σ_i w_i X[i, j]²
 *     (w indexed by row; d entries); by_row = 1: per row, sum[i] += Σ_j w_j X[i, j],
 *     sumsq[i] += Σ_j w_j X[i, j]² (w indexed by column; n entries).  w NULL: 1.
 *
 * fr_csr_transpose_*: the CSR arrays of Xᵀ (d×n; X's CSC arrays): out_indptr (d+1),
 *     out_indices and out_data (nnz).  Entries keep their row order within each column
 *     (sorted rows stay sorted, repeats stay repeated).  Two passes through scratch
 *     tmp_row, tmp_col, tmp_data (nnz each) and next (max(d, blocks) entries): first to
 *     blocks of 2^shift columns, then within each block, so that no pass writes to
 *     more than a few places at once (the one-pass scatter misses the cache on every
 *     entry when d is large).
 */
FR_CSR_DECLARE(double, d, int32_t, i32)
FR_CSR_DECLARE(double, d, int64_t, i64)
FR_CSR_DECLARE(float, f, int32_t, i32)
FR_CSR_DECLARE(float, f, int64_t, i64)
#undef FR_CSR_DECLARE

#endif
