# cython: language_level=3
"""Cython driver for the per-sample ReLU SGD kernel of ``csrc/relu_sgd.c`` (docs/math.md §2).

Internal: :func:`fastridge.relu_sgd` validates everything and passes arrays that are
already contiguous, of one float dtype, finite and of matching lengths.  The parameter
arrays are updated in place (the caller passes copies).  The whole call — every epoch —
runs under one ``with nogil:``, in chunks of steps; between chunks the main thread takes
the GIL back for a moment to let Python handle signals (Ctrl-C raises
``KeyboardInterrupt`` there), and any thread reads its stop flag (set by another thread
to end the call early).  A failure of the loop is reported as a status code, never
raised here.
"""
import threading

from cpython.exc cimport PyErr_CheckSignals
from cython cimport floating
from libc.stdint cimport int64_t


cdef extern from "relu_sgd.h" nogil:
    int RELU_SGD_OK
    int RELU_SGD_NONFINITE_LOSS
    int RELU_SGD_NONFINITE_PARAM
    int RELU_SGD_BAD_VARIANT
    int RELU_SGD_AUTO
    int RELU_SGD_BASELINE
    int RELU_SGD_AVX2
    int RELU_SGD_AVX512
    ctypedef struct relu_sgd_pos:
        int64_t step
        int64_t next
        double loss_sum
        double f
        int64_t bad_step
    int relu_sgd_resolve_variant(int variant)
    int relu_sgd_epoch(const double *x, const double *y, const int64_t *order, int64_t n,
                       double *W1, double *b, double *W2, int64_t d, double lr,
                       int64_t record_every, double *elbows, int64_t stop,
                       relu_sgd_pos *pos, double *work, int variant)
    int relu_sgd_epoch_f(const float *x, const float *y, const int64_t *order, int64_t n,
                         float *W1, float *b, float *W2, int64_t d, float lr,
                         int64_t record_every, float *elbows, int64_t stop,
                         relu_sgd_pos *pos, float *work, int variant)
    void relu_elbows(const double *W1, const double *b, int64_t d, double *out)
    void relu_elbows_f(const float *W1, const float *b, int64_t d, float *out)


cdef extern from *:
    """
    /* The stop flag, written by another thread: an atomic load where GCC/Clang have one. */
    static int fastridge_flag_is_set(const int *flag)
    {
    #if defined(__GNUC__)
        return __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
    #else
        return *(const volatile int *)flag != 0;
    #endif
    }
    """
    bint fastridge_flag_is_set(const int *flag) nogil


cdef enum:
    DRIVER_STOPPED = -1


OK = RELU_SGD_OK
NONFINITE_LOSS = RELU_SGD_NONFINITE_LOSS
NONFINITE_PARAM = RELU_SGD_NONFINITE_PARAM
BAD_VARIANT = RELU_SGD_BAD_VARIANT
#: run_epochs returned early because its stop flag was set (a driver status, not the kernel's)
STOPPED = DRIVER_STOPPED
#: The code variants by name (``fastridge.sgd`` checks the names and the CPU).
VARIANTS = {"auto": RELU_SGD_AUTO, "baseline": RELU_SGD_BASELINE, "avx2": RELU_SGD_AVX2,
            "avx512": RELU_SGD_AVX512}


def resolve_variant(int variant):
    """The variant ``variant`` stands for on this CPU (auto: the widest), -1 if none."""
    return relu_sgd_resolve_variant(variant)


def run_epochs(const floating[::1] x, const floating[::1] y, const int64_t[:, ::1] order,
               floating[::1] W1, floating[::1] b, floating[::1] W2, double lr,
               Py_ssize_t epochs, Py_ssize_t record_every, int64_t step,
               floating[:, ::1] elbows, double[::1] loss, floating[::1] work,
               int64_t chunk, int variant, const int[::1] stop_flag=None):
    """Run ``epochs`` epochs of SGD in place; return ``(status, epoch, bad_step, step)``.

    order     (epochs, n) sample order per epoch, or None for 0..n-1 in every epoch.
    elbows    (rows, d) snapshot array (row j = after j*record_every global steps), or
              None with ``record_every == 0``.
    step      global step counter before the call; the returned ``step`` is the one after.
    loss      (epochs,) output: mean loss of each epoch.
    work      (3 * d,) scratch.
    chunk     steps (counted across epochs) between two checks for signals and the stop
              flag, >= 1; the results do not depend on it.
    variant   code variant, a value of VARIANTS.
    stop_flag (1,) C int, or None: when another thread makes it non-zero, the call
              returns STOPPED at its next check (every ``chunk`` steps), the parameters
              left part-way.
    On failure ``status`` is NONFINITE_LOSS, NONFINITE_PARAM or BAD_VARIANT, ``epoch``
    the failing epoch (0-based, relative to this call) and ``bad_step`` the 0-based step
    in it; otherwise ``status == OK``, ``epoch == epochs`` and ``bad_step == -1``.  In the
    main thread a signal's exception (Ctrl-C: ``KeyboardInterrupt``) is raised between
    chunks, the parameters left part-way.
    """
    cdef int64_t n = x.shape[0]
    cdef int64_t d = W1.shape[0]
    cdef const int64_t *order_p = NULL
    cdef const int *stop_p = NULL
    cdef floating *elbows_p = NULL
    cdef int status = RELU_SGD_OK
    # Only the main thread handles signals: elsewhere, never wait for the GIL.
    cdef bint signals = threading.current_thread() is threading.main_thread()
    cdef int64_t stop, budget = chunk  # steps left until the next check
    cdef relu_sgd_pos pos
    cdef Py_ssize_t e, done = 0
    pos.step = step
    pos.bad_step = -1

    if stop_flag is not None:
        stop_p = &stop_flag[0]

    with nogil:
        if elbows is not None:
            elbows_p = &elbows[0, 0]
        for e in range(epochs):
            if order is not None:
                order_p = &order[e, 0]
            pos.next = 0
            pos.loss_sum = 0.0
            while pos.next < n:  # the epoch, cut where the budget runs out
                stop = min(pos.next + budget, n)
                budget -= stop - pos.next
                if floating is double:
                    status = relu_sgd_epoch(&x[0], &y[0], order_p, n, &W1[0], &b[0], &W2[0],
                                            d, lr, record_every, elbows_p, stop, &pos,
                                            &work[0], variant)
                else:
                    status = relu_sgd_epoch_f(&x[0], &y[0], order_p, n, &W1[0], &b[0],
                                              &W2[0], d, <float>lr, record_every, elbows_p,
                                              stop, &pos, &work[0], variant)
                if status != RELU_SGD_OK:
                    break
                if budget == 0:
                    budget = chunk
                    if signals:
                        with gil:
                            PyErr_CheckSignals()  # raises KeyboardInterrupt after Ctrl-C
                    if stop_p != NULL and fastridge_flag_is_set(stop_p):
                        status = DRIVER_STOPPED
                        break
            if status != RELU_SGD_OK:
                break
            loss[e] = pos.loss_sum / n  # mean of 1/2 (f - y)^2 over the epoch
            done += 1
    return status, done, pos.bad_step, pos.step


def elbows(const floating[::1] W1, const floating[::1] b, floating[::1] out):
    """``out[:] = -b / W1`` with NaN where ``W1 == 0`` (in place, returns None)."""
    with nogil:
        if floating is double:
            relu_elbows(&W1[0], &b[0], W1.shape[0], &out[0])
        else:
            relu_elbows_f(&W1[0], &b[0], W1.shape[0], &out[0])
