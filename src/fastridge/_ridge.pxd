# cython: language_level=3
"""Declarations shared by the ridge driver ``_ridge.pyx``: SciPy's BLAS/LAPACK, the C kernels
of ``csrc/ridge_kernels.h``, and one fused-type wrapper per routine (s* for float32, d*
for float64).  Cython includes this file in ``_ridge.pyx`` automatically."""
from cython cimport floating
from libc.stddef cimport ptrdiff_t

from scipy.linalg.cython_blas cimport dgemm, dgemv, dsyrk, sgemm, sgemv, ssyrk
from scipy.linalg.cython_lapack cimport (
    dgesdd, dpocon, dpotrf, dpotrs, sgesdd, spocon, spotrf, spotrs,
)


cdef extern from "ridge_kernels.h" nogil:
    # Parameters named and documented in csrc/ridge_kernels.h; sizes are ptrdiff_t.
    int FR_RIDGE_NOMEM, FR_RIDGE_NONFINITE
    ptrdiff_t fr_block_size(ptrdiff_t, ptrdiff_t, ptrdiff_t)
    int fr_all_finite_d(ptrdiff_t, const double *, ptrdiff_t)
    int fr_all_finite_f(ptrdiff_t, const float *, ptrdiff_t)
    void fr_fill_centred_d(ptrdiff_t, ptrdiff_t, const double *, ptrdiff_t, ptrdiff_t,
                           const double *, const double *, int, double *, ptrdiff_t)
    void fr_fill_centred_f(ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t,
                           const float *, const float *, int, float *, ptrdiff_t)
    double fr_centring_growth_d(ptrdiff_t, ptrdiff_t, ptrdiff_t, const double *, ptrdiff_t,
                                const double *, ptrdiff_t, ptrdiff_t, const double *,
                                const double *, double)
    double fr_centring_growth_f(ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t,
                                const float *, ptrdiff_t, ptrdiff_t, const float *,
                                const float *, double)
    void fr_sub_outer_d(ptrdiff_t, ptrdiff_t, double, const double *, const double *,
                        double *, ptrdiff_t, int)
    void fr_sub_outer_f(ptrdiff_t, ptrdiff_t, float, const float *, const float *, float *,
                        ptrdiff_t, int)
    void fr_sub_mean_colsum_d(ptrdiff_t, ptrdiff_t, ptrdiff_t, const double *, ptrdiff_t,
                              const double *, double *, ptrdiff_t)
    void fr_sub_mean_colsum_f(ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t,
                              const float *, float *, ptrdiff_t)
    void fr_scale_sym_d(ptrdiff_t, const double *, double *, ptrdiff_t)
    void fr_scale_sym_f(ptrdiff_t, const float *, float *, ptrdiff_t)
    void fr_scale_rows_d(ptrdiff_t, ptrdiff_t, const double *, double *, ptrdiff_t)
    void fr_scale_rows_f(ptrdiff_t, ptrdiff_t, const float *, float *, ptrdiff_t)
    void fr_center_kernel_d(ptrdiff_t, double *, ptrdiff_t, const double *, double)
    void fr_center_kernel_f(ptrdiff_t, float *, ptrdiff_t, const float *, float)
    void fr_add_diag_d(ptrdiff_t, double, double *, ptrdiff_t)
    void fr_add_diag_f(ptrdiff_t, float, float *, ptrdiff_t)
    ptrdiff_t fr_gather_cols_d(ptrdiff_t, ptrdiff_t, const int *, int, const double *,
                               ptrdiff_t, double *, ptrdiff_t)
    ptrdiff_t fr_gather_cols_f(ptrdiff_t, ptrdiff_t, const int *, int, const float *,
                               ptrdiff_t, float *, ptrdiff_t)
    ptrdiff_t fr_scatter_cols_d(ptrdiff_t, ptrdiff_t, const int *, int, const double *,
                                ptrdiff_t, double *, ptrdiff_t)
    ptrdiff_t fr_scatter_cols_f(ptrdiff_t, ptrdiff_t, const int *, int, const float *,
                                ptrdiff_t, float *, ptrdiff_t)
    void fr_add_transposed_d(ptrdiff_t, ptrdiff_t, double, const double *, ptrdiff_t,
                             double *, ptrdiff_t)
    void fr_add_transposed_f(ptrdiff_t, ptrdiff_t, float, const float *, ptrdiff_t, float *,
                             ptrdiff_t)
    double fr_sym_norm1_d(ptrdiff_t, const double *, ptrdiff_t, double *)
    float fr_sym_norm1_f(ptrdiff_t, const float *, ptrdiff_t, float *)
    double fr_chol_rcond_d(ptrdiff_t, const double *, ptrdiff_t, double, double *)
    float fr_chol_rcond_f(ptrdiff_t, const float *, ptrdiff_t, float, float *)
    void fr_center_square_rows_d(ptrdiff_t, ptrdiff_t, double *, const double *, double *,
                                 double *)



# One fused name per BLAS/LAPACK routine (s* for float32, d* for float64).

cdef inline void _syrk(char trans, int n, int k, const floating *a, int lda,
                       floating beta, floating *c, int ldc) noexcept nogil:
    # C (upper) = beta C + op(A) op(A)ᵀ,  op(A) = A if trans == 'N' else Aᵀ
    cdef char uplo = c'U'
    cdef floating one = 1
    if floating is float:
        ssyrk(&uplo, &trans, &n, &k, &one, <float *> a, &lda, &beta, c, &ldc)
    else:
        dsyrk(&uplo, &trans, &n, &k, &one, <double *> a, &lda, &beta, c, &ldc)


cdef inline void _gemm(char ta, char tb, int m, int n, int k, const floating *a, int lda,
                       const floating *b, int ldb, floating beta, floating *c,
                       int ldc) noexcept nogil:
    # C = beta C + op(A) op(B)
    cdef floating one = 1
    if floating is float:
        sgemm(&ta, &tb, &m, &n, &k, &one, <float *> a, &lda, <float *> b, &ldb,
              &beta, c, &ldc)
    else:
        dgemm(&ta, &tb, &m, &n, &k, &one, <double *> a, &lda, <double *> b, &ldb,
              &beta, c, &ldc)


cdef inline void _gemv(char trans, int m, int n, const floating *a, int lda,
                       const floating *x, floating beta, floating *y) noexcept nogil:
    # y = beta y + op(A) x
    cdef floating one = 1
    cdef int inc = 1
    if floating is float:
        sgemv(&trans, &m, &n, &one, <float *> a, &lda, <float *> x, &inc, &beta, y, &inc)
    else:
        dgemv(&trans, &m, &n, &one, <double *> a, &lda, <double *> x, &inc, &beta, y, &inc)


cdef inline int _potrf(int n, floating *a) noexcept nogil:
    # upper Cholesky factor in place: A = RᵀR
    cdef char uplo = c'U'
    cdef int info = 0
    if floating is float:
        spotrf(&uplo, &n, a, &n, &info)
    else:
        dpotrf(&uplo, &n, a, &n, &info)
    return info


cdef inline int _potrs(int n, int nrhs, const floating *a, floating *b) noexcept nogil:
    # B = A⁻¹ B from the factor R of A
    cdef char uplo = c'U'
    cdef int info = 0
    if floating is float:
        spotrs(&uplo, &n, &nrhs, <float *> a, &n, b, &n, &info)
    else:
        dpotrs(&uplo, &n, &nrhs, <double *> a, &n, b, &n, &info)
    return info


cdef inline int _gesdd(int m, int n, floating *a, floating *s, floating *u, floating *vt,
                       floating *work, int lwork, int *iwork) noexcept nogil:
    # thin SVD A = U diag(s) Vᵀ (A is destroyed); lwork = -1 is a workspace query
    cdef char jobz = c'S'
    cdef int r = m if m < n else n
    cdef int info = 0
    if floating is float:
        sgesdd(&jobz, &m, &n, a, &m, s, u, &m, vt, &r, work, &lwork, iwork, &info)
    else:
        dgesdd(&jobz, &m, &n, a, &m, s, u, &m, vt, &r, work, &lwork, iwork, &info)
    return info


# Up to this order the condition estimate is ridge_kernels.c's explicit-inverse bound
# (n³/6 flops); above it LAPACK's ?pocon (O(n²)) is cheaper.
cdef enum:
    SMALL_CONDEST = 32


cdef inline floating _rcond(int n, const floating *r, floating anorm, floating *work,
                            int *iwork) noexcept nogil:
    # estimate of 1 / cond_1(A) from its Cholesky factor r (work: max(3n, n² if small))
    cdef char uplo = c'U'
    cdef floating rcond = 0
    cdef int info = 0
    if n <= SMALL_CONDEST:
        if floating is float:
            return fr_chol_rcond_f(n, r, n, anorm, work)
        else:
            return fr_chol_rcond_d(n, r, n, anorm, work)
    if floating is float:
        spocon(&uplo, &n, <float *> r, &n, &anorm, &rcond, work, iwork, &info)
    else:
        dpocon(&uplo, &n, <double *> r, &n, &anorm, &rcond, work, iwork, &info)
    return rcond


cdef inline size_t _condest_work(int n) noexcept nogil:
    # entries of work space that fr_sym_norm1 and _rcond need
    return <size_t> n * n if n <= SMALL_CONDEST and n * n > 3 * n else <size_t> 3 * n


cdef inline void _fill(ptrdiff_t m, ptrdiff_t w, const floating *X, ptrdiff_t rs,
                       ptrdiff_t cs, const floating *mean, const floating *weight,
                       bint root, floating *out, ptrdiff_t ldo) noexcept nogil:
    if floating is float:
        fr_fill_centred_f(m, w, X, rs, cs, mean, weight, root, out, ldo)
    else:
        fr_fill_centred_d(m, w, X, rs, cs, mean, weight, root, out, ldo)
