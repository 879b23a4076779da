/*
 * Reductions of cross-validation residuals (see src/fastridge/_crossval.py).
 *
 * After one GEMM has produced the predictions of c penalties stacked as c blocks of m
 * rows, E (c*m rows, kb columns), the score of every (penalty a, target t) needs
 *
 *     out[a][t] += sum_{i < m} ((Y[i][t] - E[a*m + i][t]) * w[a*m + i])^2
 *
 * (Y: the m targets, shared by the c blocks; w: per-row factors, e.g. the inverse
 * leave-one-out denominators 1/(1 - H_ii)).  One pass over E, nothing written but out.
 *
 * Plain C: no Python, no allocation, no globals.  Row-major layouts, leading dimensions
 * in elements.  Y == NULL means Y = 0; w == NULL means w = 1.  `_f`: float32 E and Y
 * (the sums are accumulated in double all the same).
 */
#ifndef FASTRIDGE_CV_KERNELS_H
#define FASTRIDGE_CV_KERNELS_H

#include <stdint.h>

void cv_sq_sums(int64_t c, int64_t m, int64_t kb, const double *E, int64_t lde,
                const double *Y, int64_t ldy, const double *w, double *out, int64_t ldo);
void cv_sq_sums_f(int64_t c, int64_t m, int64_t kb, const float *E, int64_t lde,
                  const float *Y, int64_t ldy, const double *w, double *out, int64_t ldo);

#endif
