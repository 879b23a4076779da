/*
 * Per-sample SGD for a one-input, one-output ReLU network (SPEC §2).
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
 * Kernels return a status code (RELU_SGD_OK or one of the errors below).
 */
#ifndef FASTRIDGE_RELU_SGD_H
#define FASTRIDGE_RELU_SGD_H

#include <stdint.h>

#define RELU_SGD_OK 0
/* the loss 1/2 (f - y)^2 of a step (in double) was NaN/inf; the parameters before it were finite */
#define RELU_SGD_NONFINITE_LOSS 1
/* a parameter became NaN/inf in a step */
#define RELU_SGD_NONFINITE_PARAM 2

/*
 * Run one epoch: n steps, on samples order[0], ..., order[n-1] (order == NULL: 0..n-1).
 *
 * x, y          (n_samples,) data; every order[k] must lie in [0, n_samples).
 * W1, b, W2     (d,) parameters, updated in place.
 * lr            learning rate.
 * record_every  0: no elbow snapshots.  k > 0: after every step that makes the global
 *               step counter a multiple of k, write the elbows -b/W1 (NaN where W1 == 0)
 *               to row (counter / k) of `elbows`, a C-contiguous (rows, d) array.
 * step          in/out: global step counter (steps done before this call / after it).
 * loss_sum      out: sum over the steps of 1/2 (f - y)^2, each measured before its step,
 *               accumulated in double.
 * bad_step      out: on error, the 0-based step within this epoch that failed
 *               (-1 on success).  The parameters are then left as they were when the
 *               failure was found (before the step for a bad loss, after it for a bad
 *               parameter).
 * work          scratch, 3 * d elements (the parameters are copied there at the start,
 *               to replay the epoch step by step if something turns non-finite).
 */
int relu_sgd_epoch(const double *restrict x, const double *restrict y,
                   const int64_t *restrict order, int64_t n,
                   double *restrict W1, double *restrict b, double *restrict W2, int64_t d,
                   double lr, int64_t record_every, int64_t *restrict step,
                   double *restrict elbows, double *restrict loss_sum,
                   int64_t *restrict bad_step, double *restrict work);

int relu_sgd_epoch_f(const float *restrict x, const float *restrict y,
                     const int64_t *restrict order, int64_t n,
                     float *restrict W1, float *restrict b, float *restrict W2, int64_t d,
                     float lr, int64_t record_every, int64_t *restrict step,
                     float *restrict elbows, double *restrict loss_sum,
                     int64_t *restrict bad_step, float *restrict work);

/* out[i] = -b[i] / W1[i], NaN where W1[i] == 0. */
void relu_elbows(const double *restrict W1, const double *restrict b, int64_t d,
                 double *restrict out);
void relu_elbows_f(const float *restrict W1, const float *restrict b, int64_t d,
                   float *restrict out);

#endif /* FASTRIDGE_RELU_SGD_H */
