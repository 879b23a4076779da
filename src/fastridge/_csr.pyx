# cython: language_level=3
"""Cython driver for the CSR loops of ``csrc/csr_kernels.c`` (docs/math.md §1.6, §7).

Internal: :mod:`fastridge._sparse` validates everything (structure via :func:`check`,
dtypes, shapes, finiteness) and allocates the outputs; these functions trust it.  Each
runs under one ``with nogil:`` and returns nothing but what the kernel says.

A CSR matrix is passed as its three arrays ``indptr`` (n+1), ``indices`` (nnz) and
``data`` (nnz): the index arrays int32 or int64 (one type for both), the data float32 or
float64.  Dense operands are float64 (C order, except the F-ordered Gram matrix).
"""
from cython cimport floating
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport free, malloc


ctypedef fused index_t:
    int32_t
    int64_t


cdef extern from "csr_kernels.h" nogil:
    int FR_CSR_CANONICAL
    int FR_CSR_UNSORTED
    int FR_CSR_INVALID
    int fr_csr_check_i32(Py_ssize_t n, Py_ssize_t d, Py_ssize_t nnz, const int32_t *indptr,
                         const int32_t *indices)
    int fr_csr_check_i64(Py_ssize_t n, Py_ssize_t d, Py_ssize_t nnz, const int64_t *indptr,
                         const int64_t *indices)
    void fr_csr_gram_d_i32(Py_ssize_t row0, Py_ssize_t row1, const int32_t *indptr,
                           const int32_t *indices, const double *data, const double *s,
                           int canonical, double *G, Py_ssize_t ldg)
    void fr_csr_gram_d_i64(Py_ssize_t row0, Py_ssize_t row1, const int64_t *indptr,
                           const int64_t *indices, const double *data, const double *s,
                           int canonical, double *G, Py_ssize_t ldg)
    void fr_csr_gram_f_i32(Py_ssize_t row0, Py_ssize_t row1, const int32_t *indptr,
                           const int32_t *indices, const float *data, const double *s,
                           int canonical, double *G, Py_ssize_t ldg)
    void fr_csr_gram_f_i64(Py_ssize_t row0, Py_ssize_t row1, const int64_t *indptr,
                           const int64_t *indices, const float *data, const double *s,
                           int canonical, double *G, Py_ssize_t ldg)
    void fr_csr_normal_d_i32(Py_ssize_t n, Py_ssize_t k, const int32_t *indptr,
                             const int32_t *indices, const double *data, const double *s,
                             const double *shift, const double *P, double *Q, double *tsum,
                             double *t)
    void fr_csr_normal_d_i64(Py_ssize_t n, Py_ssize_t k, const int64_t *indptr,
                             const int64_t *indices, const double *data, const double *s,
                             const double *shift, const double *P, double *Q, double *tsum,
                             double *t)
    void fr_csr_normal_f_i32(Py_ssize_t n, Py_ssize_t k, const int32_t *indptr,
                             const int32_t *indices, const float *data, const double *s,
                             const double *shift, const double *P, double *Q, double *tsum,
                             double *t)
    void fr_csr_normal_f_i64(Py_ssize_t n, Py_ssize_t k, const int64_t *indptr,
                             const int64_t *indices, const float *data, const double *s,
                             const double *shift, const double *P, double *Q, double *tsum,
                             double *t)
    void fr_csr_matmat_d_i32(Py_ssize_t n, Py_ssize_t k, const int32_t *indptr,
                             const int32_t *indices, const double *data, const double *Z,
                             const double *shift, const double *s, double *out)
    void fr_csr_matmat_d_i64(Py_ssize_t n, Py_ssize_t k, const int64_t *indptr,
                             const int64_t *indices, const double *data, const double *Z,
                             const double *shift, const double *s, double *out)
    void fr_csr_matmat_f_i32(Py_ssize_t n, Py_ssize_t k, const int32_t *indptr,
                             const int32_t *indices, const float *data, const double *Z,
                             const double *shift, const double *s, double *out)
    void fr_csr_matmat_f_i64(Py_ssize_t n, Py_ssize_t k, const int64_t *indptr,
                             const int64_t *indices, const float *data, const double *Z,
                             const double *shift, const double *s, double *out)
    void fr_csr_rmatmat_d_i32(Py_ssize_t n, Py_ssize_t k, const int32_t *indptr,
                              const int32_t *indices, const double *data, const double *s,
                              const double *V, double *Z, double *vsum)
    void fr_csr_rmatmat_d_i64(Py_ssize_t n, Py_ssize_t k, const int64_t *indptr,
                              const int64_t *indices, const double *data, const double *s,
                              const double *V, double *Z, double *vsum)
    void fr_csr_rmatmat_f_i32(Py_ssize_t n, Py_ssize_t k, const int32_t *indptr,
                              const int32_t *indices, const float *data, const double *s,
                              const double *V, double *Z, double *vsum)
    void fr_csr_rmatmat_f_i64(Py_ssize_t n, Py_ssize_t k, const int64_t *indptr,
                              const int64_t *indices, const float *data, const double *s,
                              const double *V, double *Z, double *vsum)

    void fr_csr_sums_d_i32(Py_ssize_t n, const int32_t *indptr, const int32_t *indices,
                           const double *data, const double *w, int by_row, double *sum,
                           double *sumsq)
    void fr_csr_sums_d_i64(Py_ssize_t n, const int64_t *indptr, const int64_t *indices,
                           const double *data, const double *w, int by_row, double *sum,
                           double *sumsq)
    void fr_csr_sums_f_i32(Py_ssize_t n, const int32_t *indptr, const int32_t *indices,
                           const float *data, const double *w, int by_row, double *sum,
                           double *sumsq)
    void fr_csr_sums_f_i64(Py_ssize_t n, const int64_t *indptr, const int64_t *indices,
                           const float *data, const double *w, int by_row, double *sum,
                           double *sumsq)

    void fr_csr_transpose_d_i32(Py_ssize_t n, Py_ssize_t d, const int32_t *indptr,
                                const int32_t *indices, const double *data, int32_t *out_indptr,
                                int32_t *out_indices, double *out_data, int32_t *tmp_row,
                                int32_t *tmp_col, double *tmp_data, int32_t *next, int shift)
    void fr_csr_transpose_d_i64(Py_ssize_t n, Py_ssize_t d, const int64_t *indptr,
                                const int64_t *indices, const double *data, int64_t *out_indptr,
                                int64_t *out_indices, double *out_data, int64_t *tmp_row,
                                int64_t *tmp_col, double *tmp_data, int64_t *next, int shift)
    void fr_csr_transpose_f_i32(Py_ssize_t n, Py_ssize_t d, const int32_t *indptr,
                                const int32_t *indices, const float *data, int32_t *out_indptr,
                                int32_t *out_indices, float *out_data, int32_t *tmp_row,
                                int32_t *tmp_col, float *tmp_data, int32_t *next, int shift)
    void fr_csr_transpose_f_i64(Py_ssize_t n, Py_ssize_t d, const int64_t *indptr,
                                const int64_t *indices, const float *data, int64_t *out_indptr,
                                int64_t *out_indices, float *out_data, int64_t *tmp_row,
                                int64_t *tmp_col, float *tmp_data, int64_t *next, int shift)


CANONICAL = FR_CSR_CANONICAL
UNSORTED = FR_CSR_UNSORTED
INVALID = FR_CSR_INVALID


cdef inline const double *_opt(const double[::1] a) noexcept nogil:
    """Pointer to an optional vector (None or empty: NULL)."""
    if a is None or a.shape[0] == 0:
        return NULL
    return <const double *> &a[0]


def check(Py_ssize_t d, const index_t[::1] indptr, const index_t[::1] indices):
    """CANONICAL, UNSORTED or INVALID: the structure of the CSR arrays of a (n, d) matrix."""
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t nnz = indices.shape[0]
    cdef int status
    if n < 0:
        return FR_CSR_INVALID
    with nogil:
        if index_t is int32_t:
            status = fr_csr_check_i32(n, d, nnz, &indptr[0], &indices[0] if nnz else NULL)
        else:
            status = fr_csr_check_i64(n, d, nnz, &indptr[0], &indices[0] if nnz else NULL)
    return status


def gram(const index_t[::1] indptr, const index_t[::1] indices, const floating[::1] data,
         const double[::1] s, bint canonical, double[::1, :] G, Py_ssize_t row0,
         Py_ssize_t row1):
    """``G += Σ_{row0 <= i < row1} s_i x_i x_iᵀ`` (upper triangle).

    ``canonical``: the rows are sorted without repeats (:func:`check` said CANONICAL),
    which takes the faster loop; otherwise repeated columns add up, as in scipy.
    """
    cdef const double *sp = _opt(s)
    if data.shape[0] == 0 or row1 <= row0:
        return
    with nogil:
        if floating is double:
            if index_t is int32_t:
                fr_csr_gram_d_i32(row0, row1, &indptr[0], &indices[0], &data[0], sp,
                                  canonical, &G[0, 0], G.shape[0])
            else:
                fr_csr_gram_d_i64(row0, row1, &indptr[0], &indices[0], &data[0], sp,
                                  canonical, &G[0, 0], G.shape[0])
        else:
            if index_t is int32_t:
                fr_csr_gram_f_i32(row0, row1, &indptr[0], &indices[0], &data[0], sp,
                                  canonical, &G[0, 0], G.shape[0])
            else:
                fr_csr_gram_f_i64(row0, row1, &indptr[0], &indices[0], &data[0], sp,
                                  canonical, &G[0, 0], G.shape[0])


def normal(const index_t[::1] indptr, const index_t[::1] indices, const floating[::1] data,
           const double[::1] s, const double[::1] shift, const double[:, ::1] P,
           double[:, ::1] Q, double[::1] tsum):
    """``Q += Σ s_i x_i t_iᵀ``, ``tsum += Σ s_i t_i`` with ``t_i = x_iᵀP − shift``.

    One pass over the rows; then ``XcᵀSXc P = Q − x̄ tsumᵀ``.  Returns -1 when the
    scratch could not be allocated, else 0.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1, k = P.shape[1]
    cdef const double *sp = _opt(s)
    cdef const double *shp = _opt(shift)
    cdef double *t
    if data.shape[0] == 0:
        return 0
    t = <double *> malloc(k * sizeof(double))
    if t == NULL:
        return -1
    with nogil:
        if floating is double:
            if index_t is int32_t:
                fr_csr_normal_d_i32(n, k, &indptr[0], &indices[0], &data[0], sp, shp,
                                    &P[0, 0], &Q[0, 0], &tsum[0], t)
            else:
                fr_csr_normal_d_i64(n, k, &indptr[0], &indices[0], &data[0], sp, shp,
                                    &P[0, 0], &Q[0, 0], &tsum[0], t)
        else:
            if index_t is int32_t:
                fr_csr_normal_f_i32(n, k, &indptr[0], &indices[0], &data[0], sp, shp,
                                    &P[0, 0], &Q[0, 0], &tsum[0], t)
            else:
                fr_csr_normal_f_i64(n, k, &indptr[0], &indices[0], &data[0], sp, shp,
                                    &P[0, 0], &Q[0, 0], &tsum[0], t)
    free(t)
    return 0


def matmat(const index_t[::1] indptr, const index_t[::1] indices, const floating[::1] data,
           const double[:, ::1] Z, const double[::1] shift, const double[::1] s,
           double[:, ::1] out):
    """``out[i, :] = s_i (x_iᵀZ − shift)`` for every row (overwrites ``out``)."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, k = Z.shape[1]
    cdef const double *sp = _opt(s)
    cdef const double *shp = _opt(shift)
    cdef const void *dp = NULL
    cdef const void *ip = NULL
    if data.shape[0]:
        dp = &data[0]
        ip = &indices[0]
    with nogil:
        if floating is double:
            if index_t is int32_t:
                fr_csr_matmat_d_i32(n, k, &indptr[0], <const int32_t *> ip,
                                    <const double *> dp, &Z[0, 0], shp, sp, &out[0, 0])
            else:
                fr_csr_matmat_d_i64(n, k, &indptr[0], <const int64_t *> ip,
                                    <const double *> dp, &Z[0, 0], shp, sp, &out[0, 0])
        else:
            if index_t is int32_t:
                fr_csr_matmat_f_i32(n, k, &indptr[0], <const int32_t *> ip,
                                    <const float *> dp, &Z[0, 0], shp, sp, &out[0, 0])
            else:
                fr_csr_matmat_f_i64(n, k, &indptr[0], <const int64_t *> ip,
                                    <const float *> dp, &Z[0, 0], shp, sp, &out[0, 0])


def rmatmat(const index_t[::1] indptr, const index_t[::1] indices, const floating[::1] data,
            const double[::1] s, const double[:, ::1] V, double[:, ::1] Z, double[::1] vsum):
    """``Z += Σ s_i x_i V[i, :]``, ``vsum += Σ s_i V[i, :]`` (the scatter ``XᵀSV``)."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, k = V.shape[1]
    cdef const double *sp = _opt(s)
    cdef const void *dp = NULL
    cdef const void *ip = NULL
    if data.shape[0]:
        dp = &data[0]
        ip = &indices[0]
    with nogil:
        if floating is double:
            if index_t is int32_t:
                fr_csr_rmatmat_d_i32(n, k, &indptr[0], <const int32_t *> ip,
                                     <const double *> dp, sp, &V[0, 0], &Z[0, 0], &vsum[0])
            else:
                fr_csr_rmatmat_d_i64(n, k, &indptr[0], <const int64_t *> ip,
                                     <const double *> dp, sp, &V[0, 0], &Z[0, 0], &vsum[0])
        else:
            if index_t is int32_t:
                fr_csr_rmatmat_f_i32(n, k, &indptr[0], <const int32_t *> ip,
                                     <const float *> dp, sp, &V[0, 0], &Z[0, 0], &vsum[0])
            else:
                fr_csr_rmatmat_f_i64(n, k, &indptr[0], <const int64_t *> ip,
                                     <const float *> dp, sp, &V[0, 0], &Z[0, 0], &vsum[0])


def sums(const index_t[::1] indptr, const index_t[::1] indices, const floating[::1] data,
         const double[::1] w, bint by_row, double[::1] total, double[::1] total_sq):
    """Weighted sums and sums of squares of the entries, accumulated into ``total`` and
    ``total_sq``: per column with ``w`` by row (``by_row=False``), or per row with ``w``
    by column (``by_row=True``); ``w`` None: 1."""
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef const double *wp = _opt(w)
    if data.shape[0] == 0:
        return
    with nogil:
        if floating is double:
            if index_t is int32_t:
                fr_csr_sums_d_i32(n, &indptr[0], &indices[0], &data[0], wp, by_row,
                                  &total[0], &total_sq[0])
            else:
                fr_csr_sums_d_i64(n, &indptr[0], &indices[0], &data[0], wp, by_row,
                                  &total[0], &total_sq[0])
        else:
            if index_t is int32_t:
                fr_csr_sums_f_i32(n, &indptr[0], &indices[0], &data[0], wp, by_row,
                                  &total[0], &total_sq[0])
            else:
                fr_csr_sums_f_i64(n, &indptr[0], &indices[0], &data[0], wp, by_row,
                                  &total[0], &total_sq[0])


def transpose(Py_ssize_t d, const index_t[::1] indptr, const index_t[::1] indices,
              const floating[::1] data, index_t[::1] out_indptr, index_t[::1] out_indices,
              floating[::1] out_data, index_t[::1] tmp_row, index_t[::1] tmp_col,
              floating[::1] tmp_data, index_t[::1] next, int shift):
    """The CSR arrays of Xᵀ (X's CSC arrays) into ``out_*``, through the scratch arrays
    (``tmp_*``: nnz entries; ``next``: max(d, d >> shift + 1) entries)."""
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t nnz = indices.shape[0]
    if nnz == 0:
        out_indptr[:] = 0
        return
    with nogil:
        if floating is double:
            if index_t is int32_t:
                fr_csr_transpose_d_i32(n, d, &indptr[0], &indices[0], &data[0],
                                       &out_indptr[0], &out_indices[0], &out_data[0],
                                       &tmp_row[0], &tmp_col[0], &tmp_data[0], &next[0], shift)
            else:
                fr_csr_transpose_d_i64(n, d, &indptr[0], &indices[0], &data[0],
                                       &out_indptr[0], &out_indices[0], &out_data[0],
                                       &tmp_row[0], &tmp_col[0], &tmp_data[0], &next[0], shift)
        else:
            if index_t is int32_t:
                fr_csr_transpose_f_i32(n, d, &indptr[0], &indices[0], &data[0],
                                       &out_indptr[0], &out_indices[0], &out_data[0],
                                       &tmp_row[0], &tmp_col[0], &tmp_data[0], &next[0], shift)
            else:
                fr_csr_transpose_f_i64(n, d, &indptr[0], &indices[0], &data[0],
                                       &out_indptr[0], &out_indices[0], &out_data[0],
                                       &tmp_row[0], &tmp_col[0], &tmp_data[0], &next[0], shift)
