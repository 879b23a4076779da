# cython: language_level=3
"""Cython driver for the per-sample ReLU SGD kernel of ``csrc/relu_sgd.c`` (SPEC §2).

Internal: :func:`fastridge.relu_sgd` validates everything and passes arrays that are
already contiguous, of one float dtype, finite and of matching lengths.  The parameter
arrays are updated in place (the caller passes copies).  The whole call — every epoch —
runs under one ``with nogil:``; a failure is reported as a status code, never raised here.
"""
from cython cimport floating
from libc.stdint cimport int64_t


cdef extern from "relu_sgd.h" nogil:
    int RELU_SGD_OK
    int RELU_SGD_NONFINITE_LOSS
    int RELU_SGD_NONFINITE_PARAM
    int relu_sgd_epoch(const double *x, const double *y, const int64_t *order, int64_t n,
                       double *W1, double *b, double *W2, int64_t d, double lr,
                       int64_t record_every, int64_t *step, double *elbows,
                       double *loss_sum, int64_t *bad_step, double *work)
    int relu_sgd_epoch_f(const float *x, const float *y, const int64_t *order, int64_t n,
                         float *W1, float *b, float *W2, int64_t d, float lr,
                         int64_t record_every, int64_t *step, float *elbows,
                         double *loss_sum, int64_t *bad_step, float *work)
    void relu_elbows(const double *W1, const double *b, int64_t d, double *out)
    void relu_elbows_f(const float *W1, const float *b, int64_t d, float *out)


OK = RELU_SGD_OK
NONFINITE_LOSS = RELU_SGD_NONFINITE_LOSS
NONFINITE_PARAM = RELU_SGD_NONFINITE_PARAM


def run_epochs(const floating[::1] x, const floating[::1] y, const int64_t[:, ::1] order,
               floating[::1] W1, floating[::1] b, floating[::1] W2, double lr,
               Py_ssize_t epochs, Py_ssize_t record_every, int64_t step,
               floating[:, ::1] elbows, double[::1] loss, floating[::1] work):
    """Run ``epochs`` epochs of SGD in place; return ``(status, epoch, bad_step, step)``.

    order     (epochs, n) sample order per epoch, or None for 0..n-1 in every epoch.
    elbows    (rows, d) snapshot array (row j = after j*record_every global steps), or
              None with ``record_every == 0``.
    step      global step counter before the call; the returned ``step`` is the one after.
    loss      (epochs,) output: mean loss of each epoch.
    work      (3 * d,) scratch.
    On failure ``status`` is NONFINITE_LOSS or NONFINITE_PARAM, ``epoch`` the failing
    epoch (0-based, relative to this call) and ``bad_step`` the 0-based step in it;
    otherwise ``status == OK``, ``epoch == epochs`` and ``bad_step == -1``.
    """
    cdef int64_t n = x.shape[0]
    cdef int64_t d = W1.shape[0]
    cdef const int64_t *order_p = NULL
    cdef floating *elbows_p = NULL
    cdef int status = RELU_SGD_OK
    cdef int64_t bad_step = -1
    cdef double loss_sum = 0.0
    cdef Py_ssize_t e, done = 0

    with nogil:
        if elbows is not None:
            elbows_p = &elbows[0, 0]
        for e in range(epochs):
            if order is not None:
                order_p = &order[e, 0]
            if floating is double:
                status = relu_sgd_epoch(&x[0], &y[0], order_p, n, &W1[0], &b[0], &W2[0],
                                        d, lr, record_every, &step, elbows_p,
                                        &loss_sum, &bad_step, &work[0])
            else:
                status = relu_sgd_epoch_f(&x[0], &y[0], order_p, n, &W1[0], &b[0], &W2[0],
                                          d, <float>lr, record_every, &step, elbows_p,
                                          &loss_sum, &bad_step, &work[0])
            if status != RELU_SGD_OK:
                break
            loss[e] = loss_sum / n  # mean of 1/2 (f - y)^2 over the epoch
            done += 1
    return status, done, bad_step, step


def elbows(const floating[::1] W1, const floating[::1] b, floating[::1] out):
    """``out[:] = -b / W1`` with NaN where ``W1 == 0`` (in place, returns None)."""
    with nogil:
        if floating is double:
            relu_elbows(&W1[0], &b[0], W1.shape[0], &out[0])
        else:
            relu_elbows_f(&W1[0], &b[0], W1.shape[0], &out[0])
