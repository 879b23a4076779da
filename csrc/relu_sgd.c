/*
 * Per-sample ReLU SGD (docs/math.md §2); relu_sgd.h states the contract.
 *
 * How it is made fast without -ffast-math or -march=native:
 *
 * - One pass over the parameters per step.  The update of step k and the forward pass of
 *   step k + 1 are fused: each unit is loaded once, updated, stored, and gives at once
 *   its term of f(x_{k+1}).  That term uses z' = W1' x' + b' written as
 *   (W1 x' + b) - c W2 [z > 0] (x x' + 1), which is the same number (b' = b - g,
 *   W1' = W1 - g x, g = c W2 [z > 0]) but waits on c = lr * delta for one FMA instead
 *   of three dependent operations: the loop is bound by this latency, sample after sample.
 * - The forward sum f = sum_i W2[i] relu(z_i) is split into L partial sums (L = 16
 *   doubles or 32 floats: unit i goes to sum i % L), added at the end in a fixed tree.
 *   The order is written in the source, so nothing needs reassociating.
 * - Function multiversioning: on x86-64 with GCC or Clang the epoch loop is compiled
 *   three times, with GCC/Clang generic vectors of 64, 32 and 16 bytes under
 *   `target("avx512f")`, `target("avx2,fma")` and the x86-64 baseline; the exported
 *   functions run the variant their caller names (RELU_SGD_AUTO: the widest one
 *   `__builtin_cpu_supports` allows), so tests can run each one the CPU has.  (GCC's `target_clones` compiles one source for
 *   all targets, but a vector width that does not fit the target is lowered very badly,
 *   and auto-vectorizing the plain loop fails for AVX2.)  The AVX-512 and AVX2 versions
 *   use explicit FMAs in the same places and give the same bits; the baseline version and
 *   the plain C loop (other compilers, other CPUs) use separate multiply and add, so they
 *   round differently.  Nothing else is contracted (-std=c99 means -ffp-contract=off).
 * - Divergence costs nothing per step beyond testing the loss: a chunk of the epoch runs
 *   from a copy of the parameters; if the loss or, at the end, a parameter is not finite,
 *   the chunk is replayed from the copy with a version that checks the parameters after
 *   every step ((p - p) is 0 for a finite p, NaN otherwise) and stops at the exact step.
 * - Chunks: the caller may cut an epoch into chunks of steps (to check for Ctrl-C in
 *   between); the state carried from one to the next (relu_sgd_pos) makes the bits the
 *   same however it is cut.
 * - Elbow snapshots: a count-down tested once per step, never reaching 0 when
 *   record_every == 0.
 * - With AVX-512 and d a multiple of the vector width up to 8 vectors (64 doubles, 128
 *   floats), the unchecked loop keeps W1, b and W2 in registers for the whole epoch
 *   (SGD_STEP_REGS): the same operations in the same order, so the same bits, without
 *   the per-step loads and stores (7-19 % faster for d = 24..64 in paired runs).
 *
 * The macros below read and write the kernel's locals by name: W1, b, W2, d (parameters),
 * xs, c = lr * delta and pivot = xs * x_next + 1 (this step), x_next (the next step's
 * input), f and check (results).
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "relu_sgd.h"
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

/* Partial sums of the forward reduction (two AVX-512 registers of either type). */
#define LANES_D 16
#define LANES_F 32

#if defined(__GNUC__) && defined(__x86_64__)
#define RELU_SGD_X86_VERSIONS 1
#else
#define RELU_SGD_X86_VERSIONS 0
#endif

/* ---------------------------------------------------------------------------------- */
/* Scalar pieces (every build)                                                         */
/* ---------------------------------------------------------------------------------- */

/* One unit: step on (xs, c), then add its term of f(x_next) to ACC and (p - p) to CHK. */
#define SGD_UNIT(T, i, ACC, CHK)                                                           \
    do {                                                                                   \
        const T w1 = W1[i], bi = b[i], w2 = W2[i];                                         \
        const T z = w1 * xs + bi;                                                          \
        const T h = z > 0 ? z : 0;          /* relu(z) */                                  \
        const T g = z > 0 ? c * w2 : 0;     /* lr * gb = lr * delta * W2 * [z > 0] */      \
        const T w2n = w2 - c * h;           /* W2 -= lr * delta * h */                     \
        const T bn = bi - g;                /* b  -= lr * gb */                            \
        const T w1n = w1 - g * xs;          /* W1 -= lr * gb * x */                        \
        const T zn = w1n * x_next + bn;                                                    \
        W1[i] = w1n;                                                                       \
        b[i] = bn;                                                                         \
        W2[i] = w2n;                                                                       \
        (ACC) += w2n * (zn > 0 ? zn : 0);   /* W2' relu(W1' x_next + b') */                \
        if (CHECK) (CHK) += (w1n - w1n) + (bn - bn) + (w2n - w2n);                         \
    } while (0)

/* a[0] = sum of a[0 .. L-1] by halving: a[j] += a[j + h] for h = L/2, ..., 1 (L a power
 * of two, at most 32); clobbers a.  The vector version below adds in the same order. */
#define TREE_SUM(L, a)                                                                     \
    do {                                                                                   \
        int j_;                                                                            \
        if ((L) >= 32) for (j_ = 0; j_ < 16; j_++) (a)[j_] += (a)[j_ + 16];                \
        if ((L) >= 16) for (j_ = 0; j_ < 8; j_++) (a)[j_] += (a)[j_ + 8];                  \
        for (j_ = 0; j_ < 4; j_++) (a)[j_] += (a)[j_ + 4];                                 \
        for (j_ = 0; j_ < 2; j_++) (a)[j_] += (a)[j_ + 2];                                 \
        (a)[0] += (a)[1];                                                                  \
    } while (0)

/* One step over all d units, plain C: sets f = f(x_next) at the new parameters and, if
 * CHECK, check = 0 when they are all finite (NaN otherwise).  Unit i goes to partial
 * sum i % L. */
#define SGD_STEP_SCALAR(T, L)                                                              \
    do {                                                                                   \
        T acc[32], chk[32];                                                                \
        int64_t i, j;                                                                      \
        for (j = 0; j < (L); j++) acc[j] = chk[j] = 0;                                     \
        for (i = 0; i + (L) <= d; i += (L)) {                                              \
            for (j = 0; j < (L); j++) SGD_UNIT(T, i + j, acc[j], chk[j]);                  \
        }                                                                                  \
        for (j = 0; i < d; i++, j++) SGD_UNIT(T, i, acc[j], chk[j]);                       \
        TREE_SUM(L, acc);                                                                  \
        f = acc[0];                                                                        \
        if (CHECK) {                                                                       \
            for (j = 1; j < (L); j++) chk[0] += chk[j];                                    \
            check = chk[0];                                                                \
        }                                                                                  \
    } while (0)

/* ---------------------------------------------------------------------------------- */
/* Vector pieces (GCC/Clang generic vectors; V holds W lanes of T, M is its mask type)  */
/* ---------------------------------------------------------------------------------- */

#if RELU_SGD_X86_VERSIONS
typedef double v8d __attribute__((vector_size(64)));
typedef int64_t m8d __attribute__((vector_size(64)));
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t m4d __attribute__((vector_size(32)));
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t m2d __attribute__((vector_size(16)));
typedef float v16f __attribute__((vector_size(64)));
typedef int32_t m16f __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t m8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t m4f __attribute__((vector_size(16)));
typedef float v2f __attribute__((vector_size(8)));

/* SGD_UNIT for the W units at W1 + i, with vectors; FMA(a, b, c) = a * b + c and
 * FNMA(a, b, c) = c - a * b, fused where the CPU has FMA. */
#define SGD_BLOCK(V, M, FMA, FNMA, i, ACC, CHK)                                            \
    do {                                                                                   \
        const V xs_v = xs - (V){0}, c_v = c - (V){0}, x_next_v = x_next - (V){0};          \
        V w1, bi, w2, z, h, w2a, g, w1n, bn, w2n, zn;                                      \
        M active;                                                                          \
        memcpy(&w1, W1 + (i), sizeof w1);                                                  \
        memcpy(&bi, b + (i), sizeof bi);                                                   \
        memcpy(&w2, W2 + (i), sizeof w2);                                                  \
        z = FMA(w1, xs_v, bi);                                                             \
        active = z > 0;                      /* ReLU'(z), with ReLU'(0) = 0 */             \
        h = (V)((M)z & active);              /* relu(z) */                                 \
        w2a = (V)((M)w2 & active);           /* W2 [z > 0] */                              \
        g = c * w2a;                         /* lr * gb */                                 \
        w2n = FNMA(c_v, h, w2);              /* W2 -= lr * delta * h */                    \
        bn = bi - g;                         /* b  -= lr * gb */                           \
        w1n = FNMA(g, xs_v, w1);             /* W1 -= lr * gb * x */                       \
        memcpy(W1 + (i), &w1n, sizeof w1n);                                                \
        memcpy(b + (i), &bn, sizeof bn);                                                   \
        memcpy(W2 + (i), &w2n, sizeof w2n);                                                \
        /* z' = W1' x_next + b' = (W1 x_next + b) - c W2 [z > 0] (x x_next + 1) */         \
        zn = FNMA(c_v, w2a * pivot, FMA(w1, x_next_v, bi));                                \
        (ACC) = FMA(w2n, (V)((M)zn & (zn > 0)), (ACC)); /* += W2' relu(z') */              \
        if (CHECK) (CHK) += (w1n - w1n) + (bn - bn) + (w2n - w2n);                         \
    } while (0)

/* OUT = low half + high half of vector IN, as a vector of type VH. */
#define HALVES(VH, IN, OUT)                                                                \
    do {                                                                                   \
        VH lo_, hi_;                                                                       \
        memcpy(&lo_, &(IN), sizeof lo_);                                                   \
        memcpy(&hi_, (const char *)&(IN) + sizeof lo_, sizeof hi_);                        \
        (OUT) = lo_ + hi_;                                                                 \
    } while (0)

/* s = tree sum of the lanes of one vector, in TREE_SUM's order. */
#define HSUM_V2D(v, s) ((s) = (v)[0] + (v)[1])
#define HSUM_V4D(v, s) do { v2d t_; HALVES(v2d, v, t_); HSUM_V2D(t_, s); } while (0)
#define HSUM_V8D(v, s) do { v4d u_; HALVES(v4d, v, u_); HSUM_V4D(u_, s); } while (0)
#define HSUM_V2F(v, s) ((s) = (v)[0] + (v)[1])
#define HSUM_V4F(v, s) do { v2f t_; HALVES(v2f, v, t_); HSUM_V2F(t_, s); } while (0)
#define HSUM_V8F(v, s) do { v4f u_; HALVES(v4f, v, u_); HSUM_V4F(u_, s); } while (0)
#define HSUM_V16F(v, s) do { v8f w_; HALVES(v8f, v, w_); HSUM_V8F(w_, s); } while (0)

/* SGD_STEP_SCALAR with N = L / W vector accumulators: lane l of accumulator a holds
 * partial sum a * W + l, and the accumulators are added in TREE_SUM's order, so the
 * totals are the same bits. */
#define SGD_STEP_VECTOR(T, L, V, M, HSUM, FMA, FNMA)                                                  \
    do {                                                                                   \
        enum { W_ = sizeof(V) / sizeof(T), N_ = (L) / (sizeof(V) / sizeof(T)) };           \
        V vacc[8], vchk[8];                                                                \
        int64_t i, a, l;                                                                   \
        for (a = 0; a < 8; a++) vacc[a] = vchk[a] = (V){0};                                \
        for (i = 0; i + (L) <= d; i += (L)) {                                              \
            for (a = 0; a < N_; a++) SGD_BLOCK(V, M, FMA, FNMA, i + a * W_, vacc[a], vchk[a]);        \
        }                                                                                  \
        /* the last d % L units: whole vectors, then single lanes */                       \
        for (a = 0; i + W_ <= d; i += W_, a++) SGD_BLOCK(V, M, FMA, FNMA, i, vacc[a], vchk[a]);       \
        for (l = 0; i < d; i++, l++) SGD_UNIT(T, i, vacc[a][l], vchk[a][l]);               \
        if (N_ >= 8) for (a = 0; a < 4; a++) vacc[a] += vacc[a + 4];                       \
        if (N_ >= 4) for (a = 0; a < 2; a++) vacc[a] += vacc[a + 2];                       \
        if (N_ >= 2) vacc[0] += vacc[1];                                                   \
        HSUM(vacc[0], f);                                                                  \
        if (CHECK) {                                                                       \
            for (a = 1; a < N_; a++) vchk[0] += vchk[a];                                   \
            HSUM(vchk[0], check);                                                          \
        }                                                                                  \
    } while (0)

/* Register-resident parameters, for d = NB * (lanes of V) with NB <= 8 (AVX-512: up to
 * 64 doubles or 128 floats, 24 of the 32 vector registers): the same arithmetic as
 * SGD_BLOCK in the same order, two accumulators as SGD_STEP_VECTOR has for L = 2 W, so
 * the same bits, but nothing is loaded or stored per step (about 15 % faster at
 * d = 64).  Used with CHECK == 0 only; REGS_LOAD declares w1r, br, w2r. */
#define REGS_LOAD(V, NB)                                                                   \
    V w1r[NB], br[NB], w2r[NB];                                                            \
    do {                                                                                   \
        int a_;                                                                            \
        for (a_ = 0; a_ < (NB); a_++) {                                                    \
            memcpy(&w1r[a_], (const char *)W1 + a_ * sizeof(V), sizeof(V));                \
            memcpy(&br[a_], (const char *)b + a_ * sizeof(V), sizeof(V));                  \
            memcpy(&w2r[a_], (const char *)W2 + a_ * sizeof(V), sizeof(V));                \
        }                                                                                  \
    } while (0)

#define REGS_SYNC(V, NB)                                                                   \
    do {                                                                                   \
        int a_;                                                                            \
        for (a_ = 0; a_ < (NB); a_++) {                                                    \
            memcpy((char *)W1 + a_ * sizeof(V), &w1r[a_], sizeof(V));                      \
            memcpy((char *)b + a_ * sizeof(V), &br[a_], sizeof(V));                        \
            memcpy((char *)W2 + a_ * sizeof(V), &w2r[a_], sizeof(V));                      \
        }                                                                                  \
    } while (0)

#define SGD_STEP_REGS(V, M, NB, HSUM, FMA, FNMA)                                           \
    do {                                                                                   \
        const V xs_v = xs - (V){0}, c_v = c - (V){0}, x_next_v = x_next - (V){0};          \
        V acc0 = (V){0}, acc1 = (V){0};                                                    \
        int a;                                                                             \
        _Pragma("GCC unroll 8")                                                            \
        for (a = 0; a < (NB); a++) {                                                       \
            const V z = FMA(w1r[a], xs_v, br[a]);                                          \
            const M active = z > 0;              /* ReLU'(z), with ReLU'(0) = 0 */         \
            const V h = (V)((M)z & active);      /* relu(z) */                             \
            const V w2a = (V)((M)w2r[a] & active);                                         \
            const V g = c * w2a;                 /* lr * gb */                             \
            const V zn = FNMA(c_v, w2a * pivot, FMA(w1r[a], x_next_v, br[a]));             \
            w2r[a] = FNMA(c_v, h, w2r[a]);       /* W2 -= lr * delta * h */                \
            br[a] = br[a] - g;                   /* b  -= lr * gb */                       \
            w1r[a] = FNMA(g, xs_v, w1r[a]);      /* W1 -= lr * gb * x */                   \
            if (a % 2 == 0)                      /* += W2' relu(z'), unit i to sum i % L */ \
                acc0 = FMA(w2r[a], (V)((M)zn & (zn > 0)), acc0);                           \
            else                                                                           \
                acc1 = FMA(w2r[a], (V)((M)zn & (zn > 0)), acc1);                           \
        }                                                                                  \
        acc0 += acc1;                                                                      \
        HSUM(acc0, f);                                                                     \
    } while (0)
#endif

/* ---------------------------------------------------------------------------------- */
/* The epoch loop                                                                      */
/* ---------------------------------------------------------------------------------- */

/*
 * Written once for element type T; STEP is one of the SGD_STEP_* above with its
 * arguments.  Runs steps pos->next .. stop - 1 of the epoch (a chunk; relu_sgd.h).
 * With CHECK == 0 only the loss is checked at each step (the caller checks the
 * parameters at the end and, if needed, replays the chunk with CHECK == 1 to find the
 * step that went wrong); with CHECK == 1 the parameters are checked after each step.
 * LOAD and SYNC are empty, except for the register-resident STEP (SGD_STEP_REGS): LOAD
 * copies the parameters into registers, SYNC writes them back (before an elbow snapshot
 * and at the end).
 *
 * Chunks change no bit: the last step of a chunk looks ahead at the next chunk's first
 * sample like any other step, and f (the prediction for that sample, computed in the
 * fused form z' = (W1 x' + b) - c W2 [z > 0] (x x' + 1)) and the running loss sum are
 * carried in pos; only step 0 of an epoch computes f directly.
 */
#define DEFINE_RELU_SGD_EPOCH(ATTR, NAME, T, CHECK_, STEP, LOAD, SYNC)                     \
    ATTR int NAME(const T *restrict x, const T *restrict y, const int64_t *restrict order,  \
                  int64_t n, T *restrict W1, T *restrict b, T *restrict W2, int64_t d,     \
                  T lr, int64_t record_every, T *restrict elbows, int64_t stop,            \
                  relu_sgd_pos *restrict pos)                                              \
    {                                                                                      \
        enum { CHECK = CHECK_ };                                                           \
        const int64_t step0 = pos->step, start = pos->next;                                \
        /* steps left until the next elbow snapshot (-1: never) and where it goes */       \
        int64_t until_snapshot = record_every > 0 ? record_every - step0 % record_every : -1; \
        T *restrict snapshot =                                                             \
            record_every > 0 ? elbows + (step0 / record_every + 1) * d : NULL;             \
        double lsum = pos->loss_sum;                                                       \
        int status = RELU_SGD_OK;                                                          \
        int64_t k = start;                                                                 \
        T f = (T)pos->f, check = 0;                                                        \
        LOAD;                                                                              \
                                                                                           \
        if (start == 0 && stop > 0) {                                                      \
            /* f = f(x_first): a step with c = 0 leaves every parameter as it is */        \
            const T xs = 0, c = 0, x_next = x[order ? order[0] : 0], pivot = 1;            \
            (void)pivot; /* unused by the plain C loop */                                  \
            STEP;                                                                          \
        }                                                                                  \
        for (k = start; k < stop; k++) {                                                   \
            const int64_t s = order ? order[k] : k;                                        \
            /* the next step's sample (the epoch's last step looks at its own, unused) */  \
            const int64_t s_next = k + 1 < n ? (order ? order[k + 1] : k + 1) : s;         \
            const T xs = x[s], x_next = x[s_next];                                         \
            const T delta = f - y[s];                                                      \
            const T c = lr * delta; /* lr * dloss/df */                                    \
            const T pivot = xs * x_next + 1;                                               \
            (void)pivot; /* unused by the plain C loop */                                  \
            const double loss = 0.5 * (double)delta * (double)delta;                       \
            if (!isfinite(loss)) {                                                         \
                status = RELU_SGD_NONFINITE_LOSS;                                          \
                break;                                                                     \
            }                                                                              \
            lsum += loss;                                                                  \
            STEP;                                                                          \
            if (CHECK && check != 0) { /* NaN: a new parameter is NaN or inf */            \
                status = RELU_SGD_NONFINITE_PARAM;                                         \
                break;                                                                     \
            }                                                                              \
            if (--until_snapshot == 0) {                                                   \
                int64_t i;                                                                 \
                SYNC;                                                                      \
                for (i = 0; i < d; i++) snapshot[i] = W1[i] != 0 ? -b[i] / W1[i] : (T)NAN; \
                snapshot += d;                                                             \
                until_snapshot = record_every;                                             \
            }                                                                              \
        }                                                                                  \
        SYNC;                                                                              \
        pos->step = step0 + (status == RELU_SGD_NONFINITE_PARAM ? k + 1 : k) - start;      \
        pos->next = k;                                                                     \
        pos->loss_sum = lsum;                                                              \
        pos->f = (double)f;                                                                \
        pos->bad_step = status == RELU_SGD_OK ? -1 : k;                                    \
        return status;                                                                     \
    }

/*
 * The exported chunk of an epoch: run FAST (no per-step parameter check) from a copy of
 * the parameters in work (3 * d); if it fails or leaves a non-finite parameter, restore
 * the copy and replay with CHECKED, which stops at the exact step.  Both compute the
 * same bits.  (Once non-finite, a parameter stays so: checking at the end of each chunk
 * finds the chunk where it happened.)
 */
#define DEFINE_RELU_SGD_CHECKED_EPOCH(ATTR, NAME, T, FAST, CHECKED)                        \
    ATTR int NAME(const T *restrict x, const T *restrict y, const int64_t *restrict order,  \
                  int64_t n, T *restrict W1, T *restrict b, T *restrict W2, int64_t d,     \
                  T lr, int64_t record_every, T *restrict elbows, int64_t stop,            \
                  relu_sgd_pos *restrict pos, T *restrict work)                            \
    {                                                                                      \
        const relu_sgd_pos pos0 = *pos;                                                    \
        T finite = 0;                                                                      \
        int64_t i;                                                                         \
        int status;                                                                        \
        memcpy(work, W1, (size_t)d * sizeof(T));                                           \
        memcpy(work + d, b, (size_t)d * sizeof(T));                                        \
        memcpy(work + 2 * d, W2, (size_t)d * sizeof(T));                                   \
        status = FAST(x, y, order, n, W1, b, W2, d, lr, record_every, elbows, stop, pos);  \
        for (i = 0; i < d; i++) finite += (W1[i] - W1[i]) + (b[i] - b[i]) + (W2[i] - W2[i]); \
        if (status == RELU_SGD_OK && finite == 0) return status;                           \
        memcpy(W1, work, (size_t)d * sizeof(T));                                           \
        memcpy(b, work + d, (size_t)d * sizeof(T));                                        \
        memcpy(W2, work + 2 * d, (size_t)d * sizeof(T));                                   \
        *pos = pos0;                                                                       \
        return CHECKED(x, y, order, n, W1, b, W2, d, lr, record_every, elbows, stop, pos); \
    }

#define RELU_SGD_ARGS x, y, order, n, W1, b, W2, d, lr, record_every, elbows, stop, pos, work

#if RELU_SGD_X86_VERSIONS
#define AVX512 static __attribute__((target("avx512f")))
#define AVX2 static __attribute__((target("avx2,fma")))
#define SSE2 static
#define VERSIONS(ISA, SUFFIX, VD, MD, HSUM_D, FMA_D, FNMA_D, VF, MF, HSUM_F, FMA_F, FNMA_F)                                  \
    DEFINE_RELU_SGD_EPOCH(ISA, fast_##SUFFIX, double, 0,                                       \
                          SGD_STEP_VECTOR(double, LANES_D, VD, MD, HSUM_D, FMA_D, FNMA_D), , )                    \
    DEFINE_RELU_SGD_EPOCH(ISA, checked_##SUFFIX, double, 1,                                    \
                          SGD_STEP_VECTOR(double, LANES_D, VD, MD, HSUM_D, FMA_D, FNMA_D), , )                    \
    DEFINE_RELU_SGD_EPOCH(ISA, fast_f_##SUFFIX, float, 0,                                      \
                          SGD_STEP_VECTOR(float, LANES_F, VF, MF, HSUM_F, FMA_F, FNMA_F), , )                     \
    DEFINE_RELU_SGD_EPOCH(ISA, checked_f_##SUFFIX, float, 1,                                   \
                          SGD_STEP_VECTOR(float, LANES_F, VF, MF, HSUM_F, FMA_F, FNMA_F), , )

/* The exported epochs of one ISA, over its fastest unchecked loops FAST_D and FAST_F. */
#define EPOCHS(ISA, SUFFIX, FAST_D, FAST_F)                                                \
    DEFINE_RELU_SGD_CHECKED_EPOCH(ISA, epoch_##SUFFIX, double, FAST_D, checked_##SUFFIX)   \
    DEFINE_RELU_SGD_CHECKED_EPOCH(ISA, epoch_f_##SUFFIX, float, FAST_F, checked_f_##SUFFIX)

/* a * b + c with one rounding (FMA), and c - a * b */
#define FMA512D(a, b, c) _mm512_fmadd_pd(a, b, c)
#define FNMA512D(a, b, c) _mm512_fnmadd_pd(a, b, c)
#define FMA512F(a, b, c) _mm512_fmadd_ps(a, b, c)
#define FNMA512F(a, b, c) _mm512_fnmadd_ps(a, b, c)
#define FMA256D(a, b, c) _mm256_fmadd_pd(a, b, c)
#define FNMA256D(a, b, c) _mm256_fnmadd_pd(a, b, c)
#define FMA256F(a, b, c) _mm256_fmadd_ps(a, b, c)
#define FNMA256F(a, b, c) _mm256_fnmadd_ps(a, b, c)
#define MULADD(a, b, c) ((a) * (b) + (c))
#define MULSUB(a, b, c) ((c) - (a) * (b))
VERSIONS(AVX512, avx512, v8d, m8d, HSUM_V8D, FMA512D, FNMA512D, v16f, m16f, HSUM_V16F, FMA512F, FNMA512F)

/* AVX-512 epochs with the parameters in registers, for d = 8, 16, ..., 64 (double) and
 * 16, 32, ..., 128 (float); fast_regs_* picks one or falls back to fast_avx512. */
#define REGS_EPOCHS(NB)                                                                    \
    DEFINE_RELU_SGD_EPOCH(AVX512, fast_r##NB##_avx512, double, 0,                          \
                          SGD_STEP_REGS(v8d, m8d, NB, HSUM_V8D, FMA512D, FNMA512D),        \
                          REGS_LOAD(v8d, NB), REGS_SYNC(v8d, NB))                          \
    DEFINE_RELU_SGD_EPOCH(AVX512, fast_f_r##NB##_avx512, float, 0,                         \
                          SGD_STEP_REGS(v16f, m16f, NB, HSUM_V16F, FMA512F, FNMA512F),     \
                          REGS_LOAD(v16f, NB), REGS_SYNC(v16f, NB))
REGS_EPOCHS(1) REGS_EPOCHS(2) REGS_EPOCHS(3) REGS_EPOCHS(4)
REGS_EPOCHS(5) REGS_EPOCHS(6) REGS_EPOCHS(7) REGS_EPOCHS(8)

#define FAST_ARGS x, y, order, n, W1, b, W2, d, lr, record_every, elbows, stop, pos
#define DEFINE_FAST_REGS(NAME, T, LANES, R, GENERIC)                                        \
    AVX512 int NAME(const T *restrict x, const T *restrict y, const int64_t *restrict order, \
                    int64_t n, T *restrict W1, T *restrict b, T *restrict W2, int64_t d,   \
                    T lr, int64_t record_every, T *restrict elbows, int64_t stop,          \
                    relu_sgd_pos *restrict pos)                                            \
    {                                                                                      \
        switch (d % (LANES) == 0 ? d / (LANES) : 0) {                                      \
        case 1: return R##1_avx512(FAST_ARGS);                                             \
        case 2: return R##2_avx512(FAST_ARGS);                                             \
        case 3: return R##3_avx512(FAST_ARGS);                                             \
        case 4: return R##4_avx512(FAST_ARGS);                                             \
        case 5: return R##5_avx512(FAST_ARGS);                                             \
        case 6: return R##6_avx512(FAST_ARGS);                                             \
        case 7: return R##7_avx512(FAST_ARGS);                                             \
        case 8: return R##8_avx512(FAST_ARGS);                                             \
        default: return GENERIC(FAST_ARGS);                                                \
        }                                                                                  \
    }
DEFINE_FAST_REGS(fast_regs_avx512, double, 8, fast_r, fast_avx512)
DEFINE_FAST_REGS(fast_regs_f_avx512, float, 16, fast_f_r, fast_f_avx512)
EPOCHS(AVX512, avx512, fast_regs_avx512, fast_regs_f_avx512)
VERSIONS(AVX2, avx2, v4d, m4d, HSUM_V4D, FMA256D, FNMA256D, v8f, m8f, HSUM_V8F, FMA256F, FNMA256F)
EPOCHS(AVX2, avx2, fast_avx2, fast_f_avx2)
VERSIONS(SSE2, sse2, v2d, m2d, HSUM_V2D, MULADD, MULSUB, v4f, m4f, HSUM_V4F, MULADD, MULSUB)
EPOCHS(SSE2, sse2, fast_sse2, fast_f_sse2)

int relu_sgd_resolve_variant(int variant)
{
    const int avx512 = __builtin_cpu_supports("avx512f") != 0;
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    switch (variant) {
    case RELU_SGD_AUTO:
        return avx512 ? RELU_SGD_AVX512 : avx2 ? RELU_SGD_AVX2 : RELU_SGD_BASELINE;
    case RELU_SGD_BASELINE: return variant;
    case RELU_SGD_AVX2: return avx2 ? variant : -1;
    case RELU_SGD_AVX512: return avx512 ? variant : -1;
    default: return -1;
    }
}

/* The exported epochs: call the chunk function of the chosen variant (one resolution
 * per call, a few nanoseconds next to a chunk of steps). */
#define DISPATCH(NAME, T, SUFFIX)                                                          \
    int NAME(const T *restrict x, const T *restrict y, const int64_t *restrict order,      \
             int64_t n, T *restrict W1, T *restrict b, T *restrict W2, int64_t d, T lr,    \
             int64_t record_every, T *restrict elbows, int64_t stop,                       \
             relu_sgd_pos *restrict pos, T *restrict work, int variant)                    \
    {                                                                                      \
        switch (relu_sgd_resolve_variant(variant)) {                                       \
        case RELU_SGD_AVX512: return epoch##SUFFIX##avx512(RELU_SGD_ARGS);                 \
        case RELU_SGD_AVX2: return epoch##SUFFIX##avx2(RELU_SGD_ARGS);                     \
        case RELU_SGD_BASELINE: return epoch##SUFFIX##sse2(RELU_SGD_ARGS);                 \
        default: return RELU_SGD_BAD_VARIANT;                                              \
        }                                                                                  \
    }
DISPATCH(relu_sgd_epoch, double, _)
DISPATCH(relu_sgd_epoch_f, float, _f_)
#else
DEFINE_RELU_SGD_EPOCH(static, fast_d, double, 0, SGD_STEP_SCALAR(double, LANES_D), , )
DEFINE_RELU_SGD_EPOCH(static, checked_d, double, 1, SGD_STEP_SCALAR(double, LANES_D), , )
DEFINE_RELU_SGD_CHECKED_EPOCH(static, epoch_d, double, fast_d, checked_d)
DEFINE_RELU_SGD_EPOCH(static, fast_f, float, 0, SGD_STEP_SCALAR(float, LANES_F), , )
DEFINE_RELU_SGD_EPOCH(static, checked_f, float, 1, SGD_STEP_SCALAR(float, LANES_F), , )
DEFINE_RELU_SGD_CHECKED_EPOCH(static, epoch_f, float, fast_f, checked_f)

/* Only the plain C loop is compiled: it is the baseline. */
int relu_sgd_resolve_variant(int variant)
{
    return variant == RELU_SGD_AUTO || variant == RELU_SGD_BASELINE ? RELU_SGD_BASELINE : -1;
}

#define DISPATCH(NAME, T, IMPL)                                                            \
    int NAME(const T *restrict x, const T *restrict y, const int64_t *restrict order,      \
             int64_t n, T *restrict W1, T *restrict b, T *restrict W2, int64_t d, T lr,    \
             int64_t record_every, T *restrict elbows, int64_t stop,                       \
             relu_sgd_pos *restrict pos, T *restrict work, int variant)                    \
    {                                                                                      \
        if (relu_sgd_resolve_variant(variant) < 0) return RELU_SGD_BAD_VARIANT;            \
        return IMPL(RELU_SGD_ARGS);                                                        \
    }
DISPATCH(relu_sgd_epoch, double, epoch_d)
DISPATCH(relu_sgd_epoch_f, float, epoch_f)
#endif

void relu_elbows(const double *restrict W1, const double *restrict b, int64_t d,
                 double *restrict out)
{
    int64_t i;
    for (i = 0; i < d; i++) out[i] = W1[i] != 0 ? -b[i] / W1[i] : (double)NAN;
}

void relu_elbows_f(const float *restrict W1, const float *restrict b, int64_t d,
                   float *restrict out)
{
    int64_t i;
    for (i = 0; i < d; i++) out[i] = W1[i] != 0 ? -b[i] / W1[i] : (float)NAN;
}
