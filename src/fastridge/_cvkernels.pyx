# cython: language_level=3
"""Cython driver for the cross-validation reductions of ``csrc/cv_kernels.c``.

Internal: the callers in ``_crossval.py`` and ``_spectral.py`` pass arrays of matching
shapes (checked only by the memoryviews' types).  Runs without the GIL.
"""
from cython cimport floating
from libc.stdint cimport int64_t


cdef extern from "cv_kernels.h" nogil:
    void cv_sq_sums(int64_t c, int64_t m, int64_t kb, const double *E, int64_t sa,
                    int64_t si, const double *Y, int64_t ldy, const double *w,
                    double *out, int64_t ldo)
    void cv_sq_sums_f(int64_t c, int64_t m, int64_t kb, const float *E, int64_t sa,
                      int64_t si, const float *Y, int64_t ldy, const double *w,
                      double *out, int64_t ldo)


def sq_sums(const floating[:, :, :] E, const floating[:, ::1] Y, const double[::1] w,
            double[:, ::1] out):
    """``out[a, t] += Σ_i ((Y[i, t] − E[a, i, t]) · w[a·m + i])²``.

    ``E`` (c, m, kb) with unit stride along t (any strides along a and i: stacked
    blocks, or a (m, c, kb) array passed as ``E.transpose(1, 0, 2)``); ``Y`` (m, kb) or
    an empty (0, kb) array for Y = 0; ``w`` (c·m,) or empty for w = 1; ``out`` (c, kb).
    """
    cdef int64_t c = E.shape[0], m = E.shape[1], kb = E.shape[2]
    cdef const floating *yp = &Y[0, 0] if Y.shape[0] else NULL
    cdef const double *wp = &w[0] if w.shape[0] else NULL
    if c == 0 or kb == 0 or m == 0:
        return
    if kb > 1 and E.strides[2] != sizeof(floating):
        raise ValueError("E must have unit stride along its last axis")
    with nogil:
        if floating is float:
            cv_sq_sums_f(c, m, kb, &E[0, 0, 0], E.strides[0] // sizeof(float),
                         E.strides[1] // sizeof(float), yp, Y.shape[1], wp, &out[0, 0],
                         out.shape[1])
        else:
            cv_sq_sums(c, m, kb, &E[0, 0, 0], E.strides[0] // sizeof(double),
                       E.strides[1] // sizeof(double), yp, Y.shape[1], wp, &out[0, 0],
                       out.shape[1])
