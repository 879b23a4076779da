/*
 * Reductions of cross-validation residuals (see src/fastridge/_crossval.py).
 *
 * After one GEMM has produced the predictions of c penalties for m rows and kb targets,
 * E[a][i][t] = E[a*sa + i*si + t] (c blocks of m rows stacked: sa = m*si; or the
 * penalties side by side in the columns: sa = kb, si = c*kb), the score of every
 * (penalty a, target t) needs
 *
 *     out[a][t] += sum_{i < m} ((Y[i][t] - E[a][i][t]) * w[a*m + i])^2
 *
 * (Y: the m targets, shared by the c penalties; w: per-row factors, e.g. the inverse
 * leave-one-out denominators 1/(1 - H_ii)).  One pass over E, nothing written but out.
 *
 * Plain C: no Python, no allocation, no globals.  Targets contiguous (t is the fastest
 * index of E, Y and out); strides in elements.  Y == NULL means Y = 0; w == NULL means
 * w = 1.  `_f`: float32 E and Y (the sums are accumulated in double all the same).
 */
#ifndef FASTRIDGE_CV_KERNELS_H
#define FASTRIDGE_CV_KERNELS_H

#include <stdint.h>

void cv_sq_sums(int64_t c, int64_t m, int64_t kb, const double *E, int64_t sa, int64_t si,
                const double *Y, int64_t ldy, const double *w, double *out, int64_t ldo);
void cv_sq_sums_f(int64_t c, int64_t m, int64_t kb, const float *E, int64_t sa, int64_t si,
                  const float *Y, int64_t ldy, const double *w, double *out, int64_t ldo);

#endif
