/*
 * Per-sample SGD for a one-input, one-output ReLU network (docs/math.md §2).
 *
 *     f(x) = sum_i W2[i] * relu(W1[i] * x + b[i]),   loss = 1/2 (f(x) - y)^2
 *
 * One step on (x, y), all gradients at the old parameters, ReLU'(0) = 0:
 *
 *     z = W1*x + b;  h = max(z, 0);  f = W2.h;  delta = f - y
 *     W2 -= lr*delta*h;   b -= lr*delta*W2_old*[z > 0];   W1 -= lr*delta*W2_old*[z > 0]*x
 *
 * Plain C: no Python, no allocation, no printing, no globals.  The parameters are three
 * contiguous arrays of length d, updated in place.  `_f` suffix: float32 version.
 * Kernels return a status code (RELU_SGD_OK or one of the errors below).  The code
 * variant (instruction set) is an argument, so callers can test each one.
 */
#ifndef FASTRIDGE_RELU_SGD_H
#define FASTRIDGE_RELU_SGD_H

#include <stdint.h>

#define RELU_SGD_OK 0
/* the loss 1/2 (f - y)^2 of a step (in double) was NaN/inf; the parameters before it were finite */
#define RELU_SGD_NONFINITE_LOSS 1
/* a parameter became NaN/inf in a step */
#define RELU_SGD_NONFINITE_PARAM 2
/* the requested variant is not compiled in, or this CPU cannot run it (nothing was done) */
#define RELU_SGD_BAD_VARIANT 3

/*
 * Variants: the same loop compiled for different instruction sets (see relu_sgd.c).
 * AVX2 and AVX-512 use fused multiply-adds and give the same bits as each other; the
 * baseline rounds each product separately.  All agree with the math to rounding.
 */
#define RELU_SGD_AUTO 0     /* the widest variant this CPU supports */
#define RELU_SGD_BASELINE 1 /* x86-64 baseline (SSE2 vectors); the plain C loop elsewhere */
#define RELU_SGD_AVX2 2     /* AVX2 + FMA, x86-64 with GCC or Clang only */
#define RELU_SGD_AVX512 3   /* AVX-512F, x86-64 with GCC or Clang only */

/* The variant that `variant` stands for on this CPU (RELU_SGD_AUTO: the widest one
 * supported), or -1 if it is unknown, not compiled in, or not supported by this CPU. */
int relu_sgd_resolve_variant(int variant);

/*
 * Where an epoch stands between calls of relu_sgd_epoch.  An epoch may be run in
 * several calls (chunks of steps); the result is the same, to the bit, however it is cut.
 * Before the first call of an epoch set next = 0 and loss_sum = 0 (f is then computed);
 * keep the struct untouched between the calls of one epoch.
 */
typedef struct {
    int64_t step;     /* in/out: global step counter, across epochs (drives the snapshots) */
    int64_t next;     /* in/out: the epoch's next step, 0 .. n */
    double loss_sum;  /* in/out: sum over the epoch's steps so far of 1/2 (f - y)^2, each
                         measured before its step, accumulated in double */
    double f;         /* in/out: f(x[order[next]]) at the current parameters (for float
                         data, a float stored exactly) */
    int64_t bad_step; /* out: on error, the 0-based step within the epoch that failed, else -1 */
} relu_sgd_pos;

/*
 * Run steps pos->next, ..., stop - 1 of an epoch of n steps on samples order[0], ...,
 * order[n-1] (order == NULL: 0..n-1), with the code of `variant` (RELU_SGD_AUTO or one
 * that relu_sgd_resolve_variant accepts; otherwise RELU_SGD_BAD_VARIANT is returned).
 *
 * x, y          (n_samples,) data; every order[k] must lie in [0, n_samples).
 * W1, b, W2     (d,) parameters, updated in place.
 * lr            learning rate.
 * record_every  0: no elbow snapshots.  k > 0: after every step that makes the global
 *               step counter a multiple of k, write the elbows -b/W1 (NaN where W1 == 0)
 *               to row (counter / k) of `elbows`, a C-contiguous (rows, d) array.
 * stop          end of this chunk: pos->next <= stop <= n.
 * pos           in/out, see relu_sgd_pos; on success pos->next == stop.  On error,
 *               pos->bad_step is the failing step and the parameters are left as they
 *               were when the failure was found (before the step for a bad loss, after
 *               it for a bad parameter).
 * work          scratch, 3 * d elements (the parameters are copied there at the start,
 *               to replay the chunk step by step if something turns non-finite).
 */
int relu_sgd_epoch(const double *restrict x, const double *restrict y,
                   const int64_t *restrict order, int64_t n,
                   double *restrict W1, double *restrict b, double *restrict W2, int64_t d,
                   double lr, int64_t record_every, double *restrict elbows, int64_t stop,
                   relu_sgd_pos *restrict pos, double *restrict work, int variant);

int relu_sgd_epoch_f(const float *restrict x, const float *restrict y,
                     const int64_t *restrict order, int64_t n,
                     float *restrict W1, float *restrict b, float *restrict W2, int64_t d,
                     float lr, int64_t record_every, float *restrict elbows, int64_t stop,
                     relu_sgd_pos *restrict pos, float *restrict work, int variant);

/* out[i] = -b[i] / W1[i], NaN where W1[i] == 0. */
void relu_elbows(const double *restrict W1, const double *restrict b, int64_t d,
                 double *restrict out);
void relu_elbows_f(const float *restrict W1, const float *restrict b, int64_t d,
                   float *restrict out);

#endif /* FASTRIDGE_RELU_SGD_H */
