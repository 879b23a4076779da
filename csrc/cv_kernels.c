/* Reductions of cross-validation residuals: see cv_kernels.h. */
#include "cv_kernels.h"

#include <stddef.h>

#define SQ_SUMS_BODY                                                                 \
    for (int64_t a = 0; a < c; a++) {                                                \
        double *restrict o = out + a * ldo;                                          \
        for (int64_t i = 0; i < m; i++) {                                            \
            const T *restrict e = E + a * sa + i * si;                               \
            const double wi = w ? w[a * m + i] : 1.0;                                \
            if (Y) {                                                                 \
                const T *restrict y = Y + i * ldy;                                   \
                for (int64_t t = 0; t < kb; t++) {                                   \
                    const double r = ((double)y[t] - (double)e[t]) * wi;             \
                    o[t] += r * r;                                                   \
                }                                                                    \
            } else {                                                                 \
                for (int64_t t = 0; t < kb; t++) {                                   \
                    const double r = (double)e[t] * wi;                              \
                    o[t] += r * r;                                                   \
                }                                                                    \
            }                                                                        \
        }                                                                            \
    }

void cv_sq_sums(int64_t c, int64_t m, int64_t kb, const double *E, int64_t sa, int64_t si,
                const double *Y, int64_t ldy, const double *w, double *out, int64_t ldo)
{
#define T double
    SQ_SUMS_BODY
#undef T
}

void cv_sq_sums_f(int64_t c, int64_t m, int64_t kb, const float *E, int64_t sa, int64_t si,
                  const float *Y, int64_t ldy, const double *w, double *out, int64_t ldo)
{
#define T float
    SQ_SUMS_BODY
#undef T
}
