/*
 * Loops over CSR matrices; see csr_kernels.h for the contract of each function.  The
 * body below the #else is instantiated four times (data double/float × index
 * int32/int64) by including this file into itself with T, I and the name suffixes
 * defined; every instantiation runs the same operations in the same order.
 */
#ifndef FR_CSR_TEMPLATE
#include <stddef.h>
#include <stdint.h>

#include "csr_kernels.h"

/* The products of the iterative solver gather x_iᵀp with AVX2 where the CPU has it (GCC
 * function multiversioning; the same operations, FMA-contracted or not). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define FR_CSR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FR_CSR_CLONES
#endif

#define FR_CSR_TEMPLATE
#define T double
#define I int32_t
#define NAME(f) f##_d_i32
#define CHECK_NAME fr_csr_check_i32
#include "csr_kernels.c"
#undef T
#undef I
#undef NAME
#undef CHECK_NAME

#define T double
#define I int64_t
#define NAME(f) f##_d_i64
#define CHECK_NAME fr_csr_check_i64
#include "csr_kernels.c"
#undef T
#undef I
#undef NAME
#undef CHECK_NAME

#define T float
#define I int32_t
#define NAME(f) f##_f_i32
#include "csr_kernels.c"
#undef T
#undef I
#undef NAME

#define T float
#define I int64_t
#define NAME(f) f##_f_i64
#include "csr_kernels.c"
#undef T
#undef I
#undef NAME

#else /* FR_CSR_TEMPLATE: the body */

#ifdef CHECK_NAME
/* The structure check depends on the index type only: instantiated with the doubles. */
int CHECK_NAME(ptrdiff_t n, ptrdiff_t d, ptrdiff_t nnz, const I *restrict indptr,
               const I *restrict indices)
{
    int status = FR_CSR_CANONICAL;
    if (indptr[0] != 0 || (ptrdiff_t)indptr[n] != nnz)
        return FR_CSR_INVALID;
    for (ptrdiff_t i = 0; i < n; i++) {
        ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
        if (stop < start || stop > nnz)
            return FR_CSR_INVALID;
        ptrdiff_t prev = -1;
        for (ptrdiff_t p = start; p < stop; p++) {
            ptrdiff_t j = (ptrdiff_t)indices[p];
            if (j < 0 || j >= d)
                return FR_CSR_INVALID;
            if (j <= prev)
                status = FR_CSR_UNSORTED;
            prev = j;
        }
    }
    return status;
}
#endif

void NAME(fr_csr_gram)(ptrdiff_t row0, ptrdiff_t row1, const I *restrict indptr,
                       const I *restrict indices, const T *restrict data,
                       const double *restrict s, int canonical, double *restrict G,
                       ptrdiff_t ldg)
{
    for (ptrdiff_t i = row0; i < row1; i++) {
        ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
        double si = s ? s[i] : 1.0;
        if (si == 0.0)
            continue;
        if (canonical) {
            /* columns increase along the row, so b = indices[q] >= a = indices[p] for
               p <= q: G[a, b] sits in column b of the upper triangle */
            for (ptrdiff_t q = start; q < stop; q++) {
                double vq = si * (double)data[q];
                double *restrict col = G + (ptrdiff_t)indices[q] * ldg;  /* G[:, b] */
                for (ptrdiff_t p = start; p <= q; p++)
                    col[indices[p]] += (double)data[p] * vq;       /* G[a, b] += s v_a v_b */
            }
            continue;
        }
        /* any order, repeated columns allowed (they add up, as in scipy): each pair of
           entries p < q once, on G[min, max]; two entries of one column are the cross
           term of (v_p + v_q)², so it counts twice */
        for (ptrdiff_t q = start; q < stop; q++) {
            ptrdiff_t cq = (ptrdiff_t)indices[q];
            double vq = si * (double)data[q];
            for (ptrdiff_t p = start; p < q; p++) {
                ptrdiff_t cp = (ptrdiff_t)indices[p];
                ptrdiff_t a = cp < cq ? cp : cq, b = cp < cq ? cq : cp;
                double v = (double)data[p] * vq;
                G[a + b * ldg] += cp == cq ? 2.0 * v : v;
            }
            G[cq + cq * ldg] += (double)data[q] * vq;
        }
    }
}

FR_CSR_CLONES
void NAME(fr_csr_normal)(ptrdiff_t n, ptrdiff_t k, const I *restrict indptr,
                         const I *restrict indices, const T *restrict data,
                         const double *restrict s, const double *restrict shift,
                         const double *restrict P, double *restrict Q,
                         double *restrict tsum, double *restrict t)
{
    if (k == 1) {  /* one target: scalars, no scratch */
        double sh = shift ? shift[0] : 0.0, acc = 0.0;
        for (ptrdiff_t i = 0; i < n; i++) {
            ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
            /* t = x_iᵀp − x̄ᵀp, in four partial sums (the loads overlap) */
            double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
            ptrdiff_t p = start;
            for (; p + 4 <= stop; p += 4) {
                t0 += (double)data[p] * P[indices[p]];
                t1 += (double)data[p + 1] * P[indices[p + 1]];
                t2 += (double)data[p + 2] * P[indices[p + 2]];
                t3 += (double)data[p + 3] * P[indices[p + 3]];
            }
            for (; p < stop; p++)
                t0 += (double)data[p] * P[indices[p]];
            double ti = ((t0 + t1) + (t2 + t3)) - sh;
            if (s)
                ti *= s[i];
            acc += ti;
            for (ptrdiff_t p = start; p < stop; p++)
                Q[indices[p]] += (double)data[p] * ti;              /* q += s_i t x_i */
        }
        tsum[0] += acc;
        return;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
        for (ptrdiff_t c = 0; c < k; c++)
            t[c] = shift ? -shift[c] : 0.0;
        for (ptrdiff_t p = start; p < stop; p++) {
            double v = (double)data[p];
            const double *restrict row = P + (ptrdiff_t)indices[p] * k;
            for (ptrdiff_t c = 0; c < k; c++)
                t[c] += v * row[c];                                 /* t = x_iᵀP − x̄ᵀP */
        }
        if (s)
            for (ptrdiff_t c = 0; c < k; c++)
                t[c] *= s[i];
        for (ptrdiff_t c = 0; c < k; c++)
            tsum[c] += t[c];
        for (ptrdiff_t p = start; p < stop; p++) {
            double v = (double)data[p];
            double *restrict row = Q + (ptrdiff_t)indices[p] * k;
            for (ptrdiff_t c = 0; c < k; c++)
                row[c] += v * t[c];                                 /* Q += s_i x_i tᵀ */
        }
    }
}

FR_CSR_CLONES
void NAME(fr_csr_matmat)(ptrdiff_t n, ptrdiff_t k, const I *restrict indptr,
                         const I *restrict indices, const T *restrict data,
                         const double *restrict Z, const double *restrict shift,
                         const double *restrict s, double *restrict out)
{
    if (k == 1) {
        double sh = shift ? shift[0] : 0.0;
        for (ptrdiff_t i = 0; i < n; i++) {
            ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
            double t0 = 0.0, t1 = 0.0;
            ptrdiff_t p = start;
            for (; p + 2 <= stop; p += 2) {
                t0 += (double)data[p] * Z[indices[p]];
                t1 += (double)data[p + 1] * Z[indices[p + 1]];
            }
            if (p < stop)
                t0 += (double)data[p] * Z[indices[p]];
            out[i] = (s ? s[i] : 1.0) * ((t0 + t1) - sh);           /* s_i (x_iᵀz − x̄ᵀz) */
        }
        return;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
        double *restrict o = out + i * k;
        for (ptrdiff_t c = 0; c < k; c++)
            o[c] = shift ? -shift[c] : 0.0;
        for (ptrdiff_t p = start; p < stop; p++) {
            double v = (double)data[p];
            const double *restrict row = Z + (ptrdiff_t)indices[p] * k;
            for (ptrdiff_t c = 0; c < k; c++)
                o[c] += v * row[c];                                 /* x_iᵀZ − x̄ᵀZ */
        }
        if (s)
            for (ptrdiff_t c = 0; c < k; c++)
                o[c] *= s[i];
    }
}

void NAME(fr_csr_rmatmat)(ptrdiff_t n, ptrdiff_t k, const I *restrict indptr,
                          const I *restrict indices, const T *restrict data,
                          const double *restrict s, const double *restrict V,
                          double *restrict Z, double *restrict vsum)
{
    if (k == 1) {
        double acc = 0.0;
        for (ptrdiff_t i = 0; i < n; i++) {
            ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
            double vi = (s ? s[i] : 1.0) * V[i];
            acc += vi;
            for (ptrdiff_t p = start; p < stop; p++)
                Z[indices[p]] += (double)data[p] * vi;              /* z += s_i v_i x_i */
        }
        vsum[0] += acc;
        return;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
        double si = s ? s[i] : 1.0;
        const double *restrict vi = V + i * k;
        for (ptrdiff_t c = 0; c < k; c++)
            vsum[c] += si * vi[c];
        for (ptrdiff_t p = start; p < stop; p++) {
            double v = si * (double)data[p];
            double *restrict row = Z + (ptrdiff_t)indices[p] * k;
            for (ptrdiff_t c = 0; c < k; c++)
                row[c] += v * vi[c];                                /* Z += s_i x_i V[i]ᵀ */
        }
    }
}

void NAME(fr_csr_transpose)(ptrdiff_t n, ptrdiff_t d, const I *restrict indptr,
                            const I *restrict indices, const T *restrict data,
                            I *restrict out_indptr, I *restrict out_indices,
                            T *restrict out_data, I *restrict tmp_row, I *restrict tmp_col,
                            T *restrict tmp_data, I *restrict next, int shift)
{
    ptrdiff_t nnz = (ptrdiff_t)indptr[n];
    ptrdiff_t nblocks = ((d - 1) >> shift) + 1;
    /* out_indptr = column counts, then their running sums */
    for (ptrdiff_t j = 0; j <= d; j++)
        out_indptr[j] = 0;
    for (ptrdiff_t p = 0; p < nnz; p++)
        out_indptr[indices[p] + 1]++;
    for (ptrdiff_t j = 0; j < d; j++)
        out_indptr[j + 1] += out_indptr[j];
    /* pass 1: entries to their block of 2^shift columns, in row order (a few streams of
       writes instead of one random write per entry); block b fills exactly the range of
       the output its columns will occupy */
    for (ptrdiff_t b = 0; b < nblocks; b++)
        next[b] = out_indptr[b << shift];
    for (ptrdiff_t i = 0; i < n; i++)
        for (ptrdiff_t p = (ptrdiff_t)indptr[i]; p < (ptrdiff_t)indptr[i + 1]; p++) {
            ptrdiff_t q = (ptrdiff_t)next[indices[p] >> shift]++;
            tmp_row[q] = (I)i;
            tmp_col[q] = indices[p];
            tmp_data[q] = data[p];
        }
    /* pass 2: within each block, to the final place (writes stay inside the block's range) */
    for (ptrdiff_t j = 0; j < d; j++)
        next[j] = out_indptr[j];
    for (ptrdiff_t q = 0; q < nnz; q++) {
        ptrdiff_t r = (ptrdiff_t)next[tmp_col[q]]++;
        out_indices[r] = tmp_row[q];
        out_data[r] = tmp_data[q];
    }
}

void NAME(fr_csr_sums)(ptrdiff_t n, const I *restrict indptr, const I *restrict indices,
                       const T *restrict data, const double *restrict w, int by_row,
                       double *restrict sum, double *restrict sumsq)
{
    for (ptrdiff_t i = 0; i < n; i++) {
        ptrdiff_t start = (ptrdiff_t)indptr[i], stop = (ptrdiff_t)indptr[i + 1];
        if (by_row) {  /* per row, each entry weighted by w[its column] */
            double s1 = 0.0, s2 = 0.0;
            for (ptrdiff_t p = start; p < stop; p++) {
                double v = (double)data[p], wv = w ? w[indices[p]] * v : v;
                s1 += wv;
                s2 += wv * v;
            }
            sum[i] += s1;
            sumsq[i] += s2;
        } else {       /* per column, each entry weighted by w[its row] */
            double wi = w ? w[i] : 1.0;
            for (ptrdiff_t p = start; p < stop; p++) {
                double v = (double)data[p], wv = wi * v;
                sum[indices[p]] += wv;
                sumsq[indices[p]] += wv * v;
            }
        }
    }
}

#endif /* FR_CSR_TEMPLATE */
