# cython: language_level=3
"""Compiled pairwise kernels: one ?gemm/?syrk (or the L1 loop) and one finishing pass.

Internal: :mod:`fastridge.kernels` validates everything (dtypes, shapes, layouts,
finiteness, parameters, 32-bit BLAS limits) and allocates the output.  The whole
computation runs under one ``with nogil:``; a status is returned, never raised.

Layouts: ``X`` (m, d) and ``Y`` (n, d) are C- or F-ordered, read in place (the BLAS
transpose flags absorb the layout; the L1 loop reads X by columns and copies a C-ordered
X once).  ``K`` (m, n) is F-ordered (column-major, as LAPACK wants it).
"""
cimport numpy as cnp
from cython cimport floating
from libc.stdlib cimport free, malloc

from scipy.linalg.cython_blas cimport dgemm, dsyrk, sgemm, ssyrk

cnp.import_array()


cdef extern from "pairwise_kernels.h" nogil:
    int FR_KERNEL_LINEAR
    int FR_KERNEL_POLY
    int FR_KERNEL_RBF
    int FR_KERNEL_LAPLACIAN
    int FR_KERNEL_COSINE
    int FR_KERNEL_SIGMOID
    void fr_row_sqnorms_d(Py_ssize_t m, Py_ssize_t d, const double *X, Py_ssize_t rs,
                          Py_ssize_t cs, double *sq)
    void fr_row_sqnorms_f(Py_ssize_t m, Py_ssize_t d, const float *X, Py_ssize_t rs,
                          Py_ssize_t cs, float *sq)
    void fr_inv_sqrt_or_zero_d(Py_ssize_t m, double *v)
    void fr_inv_sqrt_or_zero_f(Py_ssize_t m, float *v)
    void fr_kernel_finish_d(int kind, Py_ssize_t m, Py_ssize_t n, double *K, Py_ssize_t ldk,
                            const double *a, const double *b, double gamma, double coef0,
                            double degree, int upper)
    void fr_kernel_finish_f(int kind, Py_ssize_t m, Py_ssize_t n, float *K, Py_ssize_t ldk,
                            const float *a, const float *b, float gamma, float coef0,
                            double degree, int upper)
    void fr_l1_distances_d(Py_ssize_t m, Py_ssize_t n, Py_ssize_t d, const double *X,
                           Py_ssize_t ldx, const double *Y, Py_ssize_t y_rs, Py_ssize_t y_cs,
                           double *K, Py_ssize_t ldk, int upper)
    void fr_l1_distances_f(Py_ssize_t m, Py_ssize_t n, Py_ssize_t d, const float *X,
                           Py_ssize_t ldx, const float *Y, Py_ssize_t y_rs, Py_ssize_t y_cs,
                           float *K, Py_ssize_t ldk, int upper)
    int fr_all_finite_kernel_d(Py_ssize_t m, Py_ssize_t n, const double *K, Py_ssize_t ldk,
                               int upper)
    int fr_all_finite_kernel_f(Py_ssize_t m, Py_ssize_t n, const float *K, Py_ssize_t ldk,
                               int upper)
    void fr_mirror_upper_d(Py_ssize_t n, double *K, Py_ssize_t ldk)
    void fr_mirror_upper_f(Py_ssize_t n, float *K, Py_ssize_t ldk)


#: The kinds the finishing pass knows, by the public kernel names.
KINDS = {"linear": FR_KERNEL_LINEAR, "poly": FR_KERNEL_POLY, "rbf": FR_KERNEL_RBF,
         "laplacian": FR_KERNEL_LAPLACIAN, "cosine": FR_KERNEL_COSINE,
         "sigmoid": FR_KERNEL_SIGMOID}

cdef enum:
    STATUS_OK = 0
    STATUS_NOMEM = -1
    STATUS_NONFINITE = -2

OK = STATUS_OK
NOMEM = STATUS_NOMEM
NONFINITE = STATUS_NONFINITE


cdef inline void _inner(bint sym, int m, int n, int d, const floating *X, bint x_c,
                        const floating *Y, bint y_c, floating *K) noexcept nogil:
    # K = X Yᵀ (m×n), or its upper triangle X Xᵀ when sym; X C-ordered is Xᵀ (d×m, ld d)
    # to column-major BLAS, F-ordered X itself (m×d, ld m); likewise Y.
    cdef char uplo = c'U'
    cdef char ta = c'T' if x_c else c'N'
    cdef char tb = c'N' if y_c else c'T'
    cdef int ldx = d if x_c else m
    cdef int ldy = d if y_c else n
    cdef floating one = 1, zero = 0
    if sym:
        if floating is float:
            ssyrk(&uplo, &ta, &m, &d, &one, <float *> X, &ldx, &zero, K, &m)
        else:
            dsyrk(&uplo, &ta, &m, &d, &one, <double *> X, &ldx, &zero, K, &m)
    else:
        if floating is float:
            sgemm(&ta, &tb, &m, &n, &d, &one, <float *> X, &ldx, <float *> Y, &ldy,
                  &zero, K, &m)
        else:
            dgemm(&ta, &tb, &m, &n, &d, &one, <double *> X, &ldx, <double *> Y, &ldy,
                  &zero, K, &m)


cdef inline void _sqnorms(int m, int d, const floating *X, bint x_c,
                          floating *out) noexcept nogil:
    # out[i] = ‖x_i‖²
    if floating is float:
        fr_row_sqnorms_f(m, d, X, d if x_c else 1, 1 if x_c else m, out)
    else:
        fr_row_sqnorms_d(m, d, X, d if x_c else 1, 1 if x_c else m, out)


cdef int _kernel(int kind, bint sym, bint full, int m, int n, int d, const floating *X,
                 bint x_c, const floating *Y, bint y_c, floating gamma, floating coef0,
                 double degree, floating *K) noexcept nogil:
    cdef floating *a = NULL
    cdef floating *b = NULL
    cdef floating *xf = NULL
    cdef const floating *xcol = X
    cdef Py_ssize_t i, f
    cdef int ok
    if sym:
        Y, y_c, n = X, x_c, m
    if kind == FR_KERNEL_LAPLACIAN:
        if x_c:                                                    # xf = X in F order
            xf = <floating *> malloc(<size_t> m * d * sizeof(floating))
            if xf == NULL:
                return STATUS_NOMEM
            for i in range(m):
                for f in range(d):
                    xf[i + f * m] = X[i * d + f]
            xcol = xf
        if floating is float:                                      # K = L1 distances
            fr_l1_distances_f(m, n, d, xcol, m, Y, d if y_c else 1, 1 if y_c else n, K, m,
                              sym)
        else:
            fr_l1_distances_d(m, n, d, xcol, m, Y, d if y_c else 1, 1 if y_c else n, K, m,
                              sym)
        free(xf)
    else:
        _inner(sym, m, n, d, X, x_c, Y, y_c, K)                    # K = X Yᵀ
    if kind == FR_KERNEL_RBF or kind == FR_KERNEL_COSINE:
        a = <floating *> malloc(<size_t> m * sizeof(floating))
        b = a if sym else <floating *> malloc(<size_t> n * sizeof(floating))
        if a == NULL or b == NULL:
            free(a)
            if not sym:
                free(b)
            return STATUS_NOMEM
        _sqnorms(m, d, X, x_c, a)                                  # a = ‖x_i‖²
        if not sym:
            _sqnorms(n, d, Y, y_c, b)                              # b = ‖y_j‖²
        if kind == FR_KERNEL_COSINE:
            if floating is float:                                  # a, b = 1/‖·‖
                fr_inv_sqrt_or_zero_f(m, a)
                if not sym:
                    fr_inv_sqrt_or_zero_f(n, b)
            else:
                fr_inv_sqrt_or_zero_d(m, a)
                if not sym:
                    fr_inv_sqrt_or_zero_d(n, b)
    if floating is float:                                          # K = k(K, a, b)
        fr_kernel_finish_f(kind, m, n, K, m, a, b, gamma, coef0, degree, sym)
        ok = fr_all_finite_kernel_f(m, n, K, m, sym)
    else:
        fr_kernel_finish_d(kind, m, n, K, m, a, b, gamma, coef0, degree, sym)
        ok = fr_all_finite_kernel_d(m, n, K, m, sym)
    free(a)
    if not sym:
        free(b)
    if sym and full:
        if floating is float:                                      # lower = upperᵀ
            fr_mirror_upper_f(m, K, m)
        else:
            fr_mirror_upper_d(m, K, m)
    return STATUS_OK if ok else STATUS_NONFINITE


def kernel_matrix(int kind, cnp.ndarray X, cnp.ndarray Y, double gamma, double coef0,
                  double degree, bint full, cnp.ndarray K):
    """Fill ``K`` with the kernel between the rows of X and Y; return a status.

    ``kind`` a value of :data:`KINDS`; ``X`` (m, d) and ``Y`` (n, d) C- or F-contiguous
    of one float dtype, or ``Y`` empty (size 0) for Y = X: then K is symmetric and only
    its upper triangle is computed, copied onto the lower one when ``full``.  ``K`` (m, n)
    F-contiguous of X's dtype.  Returns :data:`OK`, :data:`NOMEM` or :data:`NONFINITE`
    (some kernel value is NaN/inf: the inner products overflowed).
    """
    cdef bint sym = cnp.PyArray_SIZE(Y) == 0
    cdef int m = <int> X.shape[0], d = <int> X.shape[1]
    cdef int n = m if sym else <int> Y.shape[0]
    cdef bint x_c = cnp.PyArray_IS_C_CONTIGUOUS(X)
    cdef bint y_c = sym or cnp.PyArray_IS_C_CONTIGUOUS(Y)
    cdef const void *xp = cnp.PyArray_DATA(X)
    cdef const void *yp = NULL if sym else cnp.PyArray_DATA(Y)
    cdef void *kp = cnp.PyArray_DATA(K)
    cdef int status
    with nogil:
        if cnp.PyArray_TYPE(X) == cnp.NPY_FLOAT:
            status = _kernel(kind, sym, full, m, n, d, <const float *> xp, x_c,
                             <const float *> yp, y_c, <float> gamma, <float> coef0, degree,
                             <float *> kp)
        else:
            status = _kernel(kind, sym, full, m, n, d, <const double *> xp, x_c,
                             <const double *> yp, y_c, gamma, coef0, degree, <double *> kp)
    return status
