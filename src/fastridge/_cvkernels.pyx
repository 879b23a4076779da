# cython: language_level=3
"""Cython driver for the cross-validation reductions of ``csrc/cv_kernels.c``.

Internal: the callers in ``_crossval.py`` and ``_ridgecv.py`` pass C-contiguous arrays
of matching shapes (checked only by the memoryviews' types).  Runs without the GIL.
"""
from cython cimport floating
from libc.stdint cimport int64_t


cdef extern from "cv_kernels.h" nogil:
    void cv_sq_sums(int64_t c, int64_t m, int64_t kb, const double *E, int64_t lde,
                    const double *Y, int64_t ldy, const double *w, double *out,
                    int64_t ldo)
    void cv_sq_sums_f(int64_t c, int64_t m, int64_t kb, const float *E, int64_t lde,
                      const float *Y, int64_t ldy, const double *w, double *out,
                      int64_t ldo)


def sq_sums(const floating[:, ::1] E, const floating[:, ::1] Y, const double[::1] w,
            double[:, ::1] out):
    """``out[a, t] += Σ_i ((Y[i, t] − E[a·m + i, t]) · w[a·m + i])²``.

    ``E`` (c·m, kb) stacked blocks, ``Y`` (m, kb) or an empty (0, kb) array for Y = 0,
    ``w`` (c·m,) or empty for w = 1, ``out`` (c, kb); m = E.shape[0] // out.shape[0].
    """
    cdef int64_t c = out.shape[0], kb = out.shape[1]
    cdef int64_t m = E.shape[0] // c if c else 0
    cdef const floating *yp = &Y[0, 0] if Y.shape[0] else NULL
    cdef const double *wp = &w[0] if w.shape[0] else NULL
    if c == 0 or kb == 0 or m == 0:
        return
    with nogil:
        if floating is float:
            cv_sq_sums_f(c, m, kb, &E[0, 0], E.shape[1], yp, Y.shape[1], wp, &out[0, 0],
                         out.shape[1])
        else:
            cv_sq_sums(c, m, kb, &E[0, 0], E.shape[1], yp, Y.shape[1], wp, &out[0, 0],
                       out.shape[1])
