# cython: language_level=3
"""Compiled ridge drivers: Cholesky primal/dual solves and the SVD factorization.

Every function here trusts its caller (``fastridge._solvers``) to have checked shapes,
dtypes, finiteness and the 32-bit LAPACK limits.  The whole computation runs under one
``with nogil:``; LAPACK's ``info`` is returned, never raised.

Arrays arrive as ``numpy.ndarray`` and are read through raw pointers (no memoryview
acquisition: these drivers are called for 100×10 problems too, where microseconds count).

Layouts: ``X`` is (n, d) and either C-ordered (rows contiguous; seen by column-major BLAS
as the d×n matrix Xᵀ with leading dimension d) or F-ordered (the n×d matrix X with
leading dimension n).  It is never copied: the BLAS transpose flags absorb the layout.
The same holds for ``Y`` (n, k).  Outputs are column-major (F-ordered) buffers.
"""
cimport numpy as cnp
from cython cimport floating
from libc.math cimport isfinite, sqrt
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from scipy.linalg.cython_blas cimport dgemm, dgemv, dsyrk, sgemm, sgemv, ssyrk
from scipy.linalg.cython_lapack cimport (
    dgesdd, dlansy, dpocon, dpotrf, dpotrs,
    sgesdd, slansy, spocon, spotrf, spotrs,
)


# ---------------------------------------------------------------------------------------
# Fused-type wrappers: one name per BLAS/LAPACK routine, s* for float32, d* for float64.
# ---------------------------------------------------------------------------------------

cdef inline void _syrk(char trans, int n, int k, const floating *a, int lda,
                       floating beta, floating *c, int ldc) noexcept nogil:
    # C (upper triangle) = beta C + op(A) op(A)ᵀ,  op(A) = A if trans == 'N' else Aᵀ
    cdef char uplo = c'U'
    cdef floating one = 1
    if floating is float:
        ssyrk(&uplo, &trans, &n, &k, &one, <float *> a, &lda, &beta, c, &ldc)
    else:
        dsyrk(&uplo, &trans, &n, &k, &one, <double *> a, &lda, &beta, c, &ldc)


cdef inline void _gemm(char ta, char tb, int m, int n, int k, const floating *a, int lda,
                       const floating *b, int ldb, floating beta, floating *c,
                       int ldc) noexcept nogil:
    # C = beta C + op(A) op(B)
    cdef floating one = 1
    if floating is float:
        sgemm(&ta, &tb, &m, &n, &k, &one, <float *> a, &lda, <float *> b, &ldb,
              &beta, c, &ldc)
    else:
        dgemm(&ta, &tb, &m, &n, &k, &one, <double *> a, &lda, <double *> b, &ldb,
              &beta, c, &ldc)


cdef inline void _gemv(char trans, int m, int n, const floating *a, int lda,
                       const floating *x, floating beta, floating *y) noexcept nogil:
    # y = beta y + op(A) x
    cdef floating one = 1
    cdef int inc = 1
    if floating is float:
        sgemv(&trans, &m, &n, &one, <float *> a, &lda, <float *> x, &inc, &beta, y, &inc)
    else:
        dgemv(&trans, &m, &n, &one, <double *> a, &lda, <double *> x, &inc, &beta, y, &inc)


cdef inline int _potrf(int n, floating *a) noexcept nogil:
    # upper Cholesky factor in place: A = RᵀR
    cdef char uplo = c'U'
    cdef int info = 0
    if floating is float:
        spotrf(&uplo, &n, a, &n, &info)
    else:
        dpotrf(&uplo, &n, a, &n, &info)
    return info


cdef inline int _potrs(int n, int nrhs, const floating *a, floating *b) noexcept nogil:
    # B = A⁻¹ B from the factor R of A
    cdef char uplo = c'U'
    cdef int info = 0
    if floating is float:
        spotrs(&uplo, &n, &nrhs, <float *> a, &n, b, &n, &info)
    else:
        dpotrs(&uplo, &n, &nrhs, <double *> a, &n, b, &n, &info)
    return info


cdef inline floating _norm1_sym(int n, const floating *a, floating *work) noexcept nogil:
    # ||A||_1 of the symmetric matrix stored in the upper triangle (work: n)
    cdef char norm = c'1', uplo = c'U'
    if floating is float:
        return slansy(&norm, &uplo, &n, <float *> a, &n, work)
    else:
        return dlansy(&norm, &uplo, &n, <double *> a, &n, work)


cdef inline floating _pocon(int n, const floating *r, floating anorm, floating *work,
                            int *iwork) noexcept nogil:
    # estimate of 1 / cond_1(A) from its Cholesky factor (work: 3n, iwork: n)
    cdef char uplo = c'U'
    cdef floating rcond = 0
    cdef int info = 0
    if floating is float:
        spocon(&uplo, &n, <float *> r, &n, &anorm, &rcond, work, iwork, &info)
    else:
        dpocon(&uplo, &n, <double *> r, &n, &anorm, &rcond, work, iwork, &info)
    return rcond


cdef inline int _gesdd(int m, int n, floating *a, floating *s, floating *u, floating *vt,
                       floating *work, int lwork, int *iwork) noexcept nogil:
    # thin SVD A = U diag(s) Vᵀ (A is destroyed); lwork = -1 is a workspace query
    cdef char jobz = c'S'
    cdef int r = m if m < n else n
    cdef int info = 0
    if floating is float:
        sgesdd(&jobz, &m, &n, a, &m, s, u, &m, vt, &r, work, &lwork, iwork, &info)
    else:
        dgesdd(&jobz, &m, &n, a, &m, s, u, &m, vt, &r, work, &lwork, iwork, &info)
    return info


cdef extern from "ridge_kernels.h" nogil:
    double fr_chol_rcond_d(int n, const double *R, int ldr, double anorm, double *T)
    float fr_chol_rcond_f(int n, const float *R, int ldr, float anorm, float *T)
    double fr_sym_norm1_d(int n, const double *A, int lda, double *colsum)
    float fr_sym_norm1_f(int n, const float *A, int lda, float *colsum)
    void fr_center_square_rows_d(long m, long r, double *Z, const double *c, double *Z2,
                                 double *rowsum)


# Up to this size the condition estimate is the explicit-inverse bound of
# ridge_kernels.c (n³/6 flops); above it LAPACK's ?pocon (O(n²)) is cheaper.
cdef enum:
    SMALL_CONDEST = 32


cdef inline floating _anorm(int n, const floating *a, floating *work) noexcept nogil:
    # ||A||_1 of the symmetric matrix in the upper triangle of a (work: n)
    if n <= SMALL_CONDEST:
        if floating is float:
            return fr_sym_norm1_f(n, a, n, work)
        else:
            return fr_sym_norm1_d(n, a, n, work)
    return _norm1_sym(n, a, work)


cdef inline floating _rcond(int n, const floating *r, floating anorm, floating *work,
                            int *iwork) noexcept nogil:
    # estimate of 1 / cond_1(A) from the Cholesky factor r (work: max(3n, n² if small))
    if n <= SMALL_CONDEST:
        if floating is float:
            return fr_chol_rcond_f(n, r, n, anorm, work)
        else:
            return fr_chol_rcond_d(n, r, n, anorm, work)
    return _pocon(n, r, anorm, work, iwork)


cdef inline size_t _condest_work(int n) noexcept nogil:
    # entries of work space that _anorm and _rcond need
    return <size_t> n * n if n <= SMALL_CONDEST and n * n > 3 * n else <size_t> 3 * n


# ---------------------------------------------------------------------------------------
# Shared pieces of the Cholesky paths
# ---------------------------------------------------------------------------------------

# Status codes beside LAPACK's info (which is > 0 for "not positive definite").
cdef enum:
    ERR_NOMEM = -1000
    # The Gram diagonal holds Σ x² per column (row, for the dual): it is NaN/inf exactly
    # when that column holds a NaN/inf (or the sum overflows).  Checking it costs nothing,
    # where a separate finiteness pass over a large X costs as much as X.T @ y.
    ERR_NONFINITE = -1001

cdef int _factor_and_solve(int m, int k, floating *gram, const double *alphas,
                           int n_alpha, const int *group, floating *rhs, bint estimate,
                           int *failed_alpha, double *rcond_min) noexcept nogil:
    """Solve (gram + α_g I) A = rhs[:, group == g] for every α_g, in place in ``rhs``.

    Allocates its own work space: a copy of ``gram`` per α when there are several (one
    α factors ``gram`` in place), the gathered columns, and the condition estimate's.
    Returns 0, ?potrf's info (``failed_alpha`` says for which α), ERR_NONFINITE or
    ERR_NOMEM.
    """
    cdef floating *work_gram = gram
    cdef floating *tmp = NULL
    cdef floating *cwork = <floating *> malloc(_condest_work(m) * sizeof(floating))
    cdef int *iwork = <int *> malloc(<size_t> m * sizeof(int))
    cdef int info = ERR_NOMEM
    if n_alpha > 1:
        work_gram = <floating *> malloc(<size_t> m * m * sizeof(floating))
        tmp = <floating *> malloc(<size_t> m * k * sizeof(floating))
    if cwork != NULL and iwork != NULL and work_gram != NULL and (n_alpha == 1 or tmp != NULL):
        info = _solve_groups(m, k, gram, work_gram, n_alpha > 1, alphas, n_alpha, group,
                             rhs, tmp, estimate, cwork, iwork, failed_alpha, rcond_min)
    if n_alpha > 1:
        free(work_gram)
    free(tmp); free(cwork); free(iwork)
    return info


cdef int _solve_groups(int m, int k, const floating *gram, floating *work_gram,
                       bint copy_gram, const double *alphas, int n_alpha,
                       const int *group, floating *rhs, floating *tmp,
                       bint estimate, floating *cwork, int *iwork,
                       int *failed_alpha, double *rcond_min) noexcept nogil:
    """Solve (gram + α_g I) A = rhs[:, group == g] for every α_g, in place in ``rhs``.

    ``gram`` (m×m, upper triangle) is factored in ``work_gram`` (the same buffer when
    ``copy_gram`` is false, which is allowed only for a single α).  ``rhs`` is m×k
    column-major; with several α its columns are gathered into ``tmp`` per group.
    """
    cdef Py_ssize_t i, j, c, nc
    cdef int g, info
    cdef floating anorm = 0, rcond
    for i in range(m):
        if not isfinite(gram[i * m + i]):
            return ERR_NONFINITE
    for g in range(n_alpha):
        if copy_gram:
            memcpy(work_gram, gram, <size_t> m * m * sizeof(floating))
        for i in range(m):
            work_gram[i * m + i] += <floating> alphas[g]        # G + αI
        if estimate:
            anorm = _anorm(m, work_gram, cwork)
        info = _potrf(m, work_gram)                               # G + αI = RᵀR
        if info != 0:
            failed_alpha[0] = g
            return info
        if estimate:
            rcond = _rcond(m, work_gram, anorm, cwork, iwork)
            if rcond < rcond_min[0]:
                rcond_min[0] = rcond
        if n_alpha == 1:
            info = _potrs(m, k, work_gram, rhs)                   # rhs = (G + αI)⁻¹ rhs
        else:
            nc = 0
            for j in range(k):                                    # tmp = rhs[:, group == g]
                if group[j] == g:
                    memcpy(tmp + nc * m, rhs + j * m, m * sizeof(floating))
                    nc += 1
            info = _potrs(m, <int> nc, work_gram, tmp)
            c = 0
            for j in range(k):                                    # rhs[:, group == g] = tmp
                if group[j] == g:
                    memcpy(rhs + j * m, tmp + c * m, m * sizeof(floating))
                    c += 1
        if info != 0:
            failed_alpha[0] = g
            return info
    return 0


cdef void _xt_times(bint x_c, int n, int d, int k, const floating *X, int ldx,
                    const floating *B, int ldb, bint b_c, floating beta,
                    floating *out) noexcept nogil:
    # out (d×k) = beta out + Xᵀ B: X (n×d) C-ordered (x_c, as Xᵀ with leading dim ldx)
    # or column-major (ldx); B (n×k) likewise (b_c); a single column is contiguous.
    # With more targets than features, BLAS runs faster (13–50 % here) with the long side
    # as the GEMM's rows: Bᵀ X goes to a k×d buffer, then is transposed into out.
    cdef char ta = c'N' if x_c else c'T'
    cdef floating *tmp = NULL
    cdef Py_ssize_t i, j
    if k == 1:
        if x_c:
            _gemv(c'N', d, n, X, ldx, B, beta, out)
        else:
            _gemv(c'T', n, d, X, ldx, B, beta, out)
        return
    if k > d:
        tmp = <floating *> malloc(<size_t> k * d * sizeof(floating))
    if tmp != NULL:
        _gemm(c'N' if b_c else c'T', c'T' if x_c else c'N', k, d, n, B, ldb, X, ldx, 0,
              tmp, k)                                              # tmp = Bᵀ X, k×d
        for i in range(d):
            for j in range(k):                                     # out = beta out + tmpᵀ
                out[j * d + i] = (tmp[i * k + j] if beta == 0
                                  else beta * out[j * d + i] + tmp[i * k + j])
        free(tmp)
    elif b_c:
        _gemm(ta, c'T', d, k, n, X, ldx, B, ldb, beta, out, d)
    else:
        _gemm(ta, c'N', d, k, n, X, ldx, B, ldb, beta, out, d)


cdef void _plain_gram(int n, int d, int k, const floating *X, bint x_c, const floating *Y,
                      bint y_c, floating beta, floating *G, floating *B) noexcept nogil:
    """G = beta G + XᵀX (upper triangle), B = beta B + XᵀY.

    When G and B are small enough to stay in cache, X is taken in row blocks of about
    1 MiB and each block is multiplied into B right after ?syrk has read it, while it
    is still in cache: X is read from memory once instead of twice.  (With a large G
    the blocks would re-read G from memory instead, so it is one ?syrk and one ?gemm.)
    """
    cdef int ldx = d if x_c else n
    cdef int ldy = k if y_c else n
    cdef char trans = c'N' if x_c else c'T'
    cdef int rows = <int> ((1 << 20) // (<size_t> d * sizeof(floating)))
    cdef int r0 = 0, m
    cdef floating b = beta
    if rows < 64:
        rows = 64
    if (<size_t> d * (d + k) * sizeof(floating) > (1 << 19)) or n < 2 * rows:
        _syrk(trans, d, n, X, ldx, beta, G, d)                     # G = X.T @ X (upper)
        _xt_times(x_c, n, d, k, X, ldx, Y, ldy, y_c, beta, B)      # B = X.T @ Y
        return
    while r0 < n:
        m = rows if r0 + rows <= n else n - r0
        _syrk(trans, d, m, X + (<size_t> r0 * d if x_c else r0), ldx, b, G, d)
        _xt_times(x_c, m, d, k, X + (<size_t> r0 * d if x_c else r0), ldx,
                  Y + (<size_t> r0 * k if y_c else r0), ldy, y_c, b, B)
        b = 1
        r0 += m


# ---------------------------------------------------------------------------------------
# Drivers: typed implementations on raw pointers, then the def entry points that pick
# float32/float64 from the array type.
# ---------------------------------------------------------------------------------------

cnp.import_array()


cdef inline floating _at(const floating *a, bint c_order, Py_ssize_t rows,
                         Py_ssize_t cols, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    # a[i, j] of a C- or F-ordered (rows, cols) array
    return a[i * cols + j] if c_order else a[j * rows + i]


cdef inline int _block_size(int total, int width, int other) noexcept nogil:
    # rows (or columns) per block of a (block × width) work buffer: about as large as
    # the (other × other) Gram itself, at least 256 KiB-worth, at least 16, at most total
    cdef long target = <long> other * other
    if target < 262144:
        target = 262144
    cdef long bs = target // width
    if bs < 16:
        bs = 16
    return <int> (bs if bs < total else total)


cdef double _correction_growth(int n, int d, int k, const floating *G, const floating *Y,
                              bint y_c, const floating *xmean, const floating *ymean,
                              double limit) noexcept nogil:
    """Whether XcᵀXc = XᵀX − n x̄x̄ᵀ (and XcᵀYc = XᵀY − n x̄ȳᵀ) may be formed by subtraction:
    0 when not, else the growth factor ``1 + max ρ²`` of the rounding error it brings.

    The subtraction's rounding error, relative to the scale σ_i σ_j n of the centred
    entry, is about eps · (1 + ρ_i ρ_j) with ρ = |mean| / standard deviation per column
    (of X, and of Y for the cross block): (1 + max ρ²) times that of exact centring, and
    the solution's error grows by the same factor.  Allowed while ρ² ≤ ``limit``
    (:func:`fastridge._policy.centring_limit`); the caller divides its condition estimate by the factor,
    so ``solver="auto"`` still falls back where the loss would matter.  Larger means
    relative to the spread need exact (blockwise) centring.
    """
    cdef double spread, shift, yy, worst = 0
    cdef Py_ssize_t i, j
    for j in range(d):
        shift = <double> n * xmean[j] * xmean[j]
        spread = G[j * d + j] - shift                              # Σ (x − x̄)², roughly
        if not (shift <= limit * spread):
            return 0
        if shift > worst * spread:
            worst = shift / spread
    for j in range(k):
        yy = 0
        for i in range(n):
            yy += _at(Y, y_c, n, k, i, j) * _at(Y, y_c, n, k, i, j)
        shift = <double> n * ymean[j] * ymean[j]
        if not (shift <= limit * (yy - shift)):
            return 0
        if shift > worst * (yy - shift):
            worst = shift / (yy - shift)
    return 1 + worst


cdef int _gram(int n, int d, int k, const floating *X, bint x_c, const floating *Y,
               bint y_c, const floating *sw, const floating *xmean, const floating *ymean,
               floating beta, double shift_limit, floating *G, floating *B,
               double *growth) noexcept nogil:
    """G = beta G + ZᵀZ (upper triangle) and B = beta B + ZᵀV with Z = S^½(X − 1x̄ᵀ),
    V = S^½(Y − 1ȳᵀ); S, x̄, ȳ optional (NULL).  Returns 0 or ERR_NOMEM.  ``growth``
    (may be NULL) receives the error growth ``1 + max ρ²`` of the rank-one centring when
    it was used, else 0."""
    cdef floating *xb = NULL
    cdef floating *yb = NULL
    cdef int info = 0, bs, m, r0, i, j
    cdef floating s, b
    cdef double grow
    if growth != NULL:
        growth[0] = 0
    if sw == NULL and xmean == NULL and ymean == NULL:
        _plain_gram(n, d, k, X, x_c, Y, y_c, beta, G, B)          # G, B = XᵀX, XᵀY
        return 0
    if sw == NULL and xmean != NULL and ymean != NULL and beta == 0:
        # Centring as a rank-one correction of the plain Gram, at the plain Gram's speed,
        # where that is safe; otherwise fall through to exact blockwise centring.
        _plain_gram(n, d, k, X, x_c, Y, y_c, 0, G, B)              # G, B = XᵀX, XᵀY
        grow = _correction_growth(n, d, k, G, Y, y_c, xmean, ymean, shift_limit)
        if grow > 0:
            if growth != NULL:
                growth[0] = grow
            for j in range(d):                                     # G −= n x̄ x̄ᵀ (upper)
                for i in range(j + 1):
                    G[j * d + i] -= n * xmean[i] * xmean[j]
            for j in range(k):                                     # B −= n x̄ ȳᵀ
                for i in range(d):
                    B[j * d + i] -= n * xmean[i] * ymean[j]
            return 0
    # Row blocks of √s ∘ (X − x̄) in a small buffer: neither a weighted nor a centred
    # copy of X is made, and centring before multiplying is exact (no XᵀX − n x̄x̄ᵀ
    # cancellation when the means are large).
    bs = _block_size(n, d + k, d)
    xb = <floating *> malloc(<size_t> bs * d * sizeof(floating))
    yb = <floating *> malloc(<size_t> bs * k * sizeof(floating))
    if xb == NULL or yb == NULL:
        info = ERR_NOMEM
    else:
        r0 = 0
        while r0 < n:
            m = bs if r0 + bs <= n else n - r0
            for i in range(m):
                s = sqrt(sw[r0 + i]) if sw != NULL else 1
                for j in range(d):                                 # xb = √s (X[r] − x̄)
                    xb[j * m + i] = s * (_at(X, x_c, n, d, r0 + i, j)
                                         - (xmean[j] if xmean != NULL else 0))
                for j in range(k):                                 # yb = √s (Y[r] − ȳ)
                    yb[j * m + i] = s * (_at(Y, y_c, n, k, r0 + i, j)
                                         - (ymean[j] if ymean != NULL else 0))
            b = beta if r0 == 0 else 1
            _syrk(c'T', d, m, xb, m, b, G, d)                      # G += xb.T @ xb
            _gemm(c'T', c'N', d, k, m, xb, m, yb, m, b, B, d)      # B += xb.T @ yb
            r0 += m
    free(xb); free(yb)
    return info


cdef int _primal(int n, int d, int k, const floating *X, bint x_c, const floating *Y,
                 bint y_c, const double *alphas, int n_alpha, const int *group,
                 const floating *sw, const floating *xmean, const floating *ymean,
                 bint estimate, double shift_limit, floating *W, int *failed,
                 double *rcond_min) noexcept nogil:
    cdef floating *G = <floating *> malloc(<size_t> d * d * sizeof(floating))
    cdef int info = ERR_NOMEM
    cdef double growth = 0
    if G != NULL:
        info = _gram(n, d, k, X, x_c, Y, y_c, sw, xmean, ymean, 0, shift_limit, G, W,  # G, W = XᵀX, XᵀY
                     &growth)
    if info == 0:
        info = _factor_and_solve(d, k, G, alphas, n_alpha, group, W, estimate, failed,
                                 rcond_min)
        # A rank-one centring multiplied the rounding error by `growth`: report the
        # condition as that much worse, so the caller's fallback test accounts for it.
        if growth > 1:
            rcond_min[0] /= growth
    free(G)
    return info


cdef int _dual(int n, int d, int k, const floating *X, bint x_c, const floating *Y,
               bint y_c, const double *alphas, int n_alpha, const int *group,
               const floating *sw, const floating *xmean, const floating *ymean,
               bint estimate, floating *W, int *failed, double *rcond_min) noexcept nogil:
    cdef int ldx = d if x_c else n
    cdef floating *K = <floating *> malloc(<size_t> n * n * sizeof(floating))
    cdef floating *A = <floating *> malloc(<size_t> n * k * sizeof(floating))
    cdef floating *xb = NULL
    cdef int info = 0, i, j, bc, m, c0
    cdef floating colsum

    if K == NULL or A == NULL:
        info = ERR_NOMEM
    elif xmean == NULL:
        _syrk(c'T' if x_c else c'N', n, d, X, ldx, 0, K, n)        # K = X @ X.T (upper)
    else:
        # K = (X − 1x̄ᵀ)(X − 1x̄ᵀ)ᵀ accumulated over centred column blocks (no copy of X).
        bc = _block_size(d, n, n)
        xb = <floating *> malloc(<size_t> n * bc * sizeof(floating))
        if xb == NULL:
            info = ERR_NOMEM
        else:
            c0 = 0
            while c0 < d:
                m = bc if c0 + bc <= d else d - c0
                for j in range(m):                                 # xb = X[:, c] − x̄[c]
                    for i in range(n):
                        xb[j * n + i] = _at(X, x_c, n, d, i, c0 + j) - xmean[c0 + j]
                _syrk(c'N', n, m, xb, n, 0 if c0 == 0 else 1, K, n)  # K += xb @ xb.T
                c0 += m
    if info == 0:
        for j in range(k):                                         # A = √s ∘ (Y − ȳ)
            for i in range(n):
                A[j * n + i] = ((_at(Y, y_c, n, k, i, j) - (ymean[j] if ymean != NULL else 0))
                                * (sqrt(sw[i]) if sw != NULL else 1))
        if sw != NULL:
            for j in range(n):                                     # K = S^½ K S^½
                for i in range(j + 1):
                    K[j * n + i] *= sqrt(sw[i] * sw[j])
        info = _factor_and_solve(n, k, K, alphas, n_alpha, group, A, estimate, failed,
                                 rcond_min)
        if info == 0:
            if sw != NULL:
                for j in range(k):                                 # A = √s ∘ A
                    for i in range(n):
                        A[j * n + i] *= sqrt(sw[i])
            _xt_times(x_c, n, d, k, X, d if x_c else n, A, n, False, 0, W)  # W = X.T @ A
            if xmean != NULL:
                for j in range(k):                                 # W −= x̄ (1ᵀA)
                    colsum = 0
                    for i in range(n):
                        colsum += A[j * n + i]
                    for i in range(d):
                        W[j * d + i] -= xmean[i] * colsum
    free(K); free(A); free(xb)
    return info


cdef int _cholesky(bint dual, int n, int d, int k, const floating *X, bint x_c,
                   const floating *Y, bint y_c, const double *alphas, int n_alpha,
                   const int *group, const floating *sw, const floating *xmean,
                   const floating *ymean, bint estimate, double shift_limit, floating *W,
                   int *failed, double *rcond_min) noexcept nogil:
    if dual:
        return _dual(n, d, k, X, x_c, Y, y_c, alphas, n_alpha, group, sw, xmean, ymean,
                     estimate, W, failed, rcond_min)
    return _primal(n, d, k, X, x_c, Y, y_c, alphas, n_alpha, group, sw, xmean, ymean,
                   estimate, shift_limit, W, failed, rcond_min)


cdef int _svd(int n, int d, const floating *X, bint x_c, const floating *sqrt_sw,
              const floating *xmean, floating *U, floating *s, floating *Vt) noexcept nogil:
    cdef floating *A = NULL
    cdef floating *work = NULL
    cdef int *iwork = NULL
    cdef floating query = 0
    cdef int info = 0, lwork, i, j
    cdef int r = n if n < d else d

    A = <floating *> malloc(<size_t> n * d * sizeof(floating))
    iwork = <int *> malloc(<size_t> 8 * r * sizeof(int))
    if A == NULL or iwork == NULL:
        info = ERR_NOMEM
    else:
        for j in range(d):                                         # A = √s (X − x̄), F order
            for i in range(n):
                A[j * n + i] = ((_at(X, x_c, n, d, i, j) - (xmean[j] if xmean != NULL else 0))
                                * (sqrt_sw[i] if sqrt_sw != NULL else 1))
        info = _gesdd(n, d, A, s, U, Vt, &query, -1, iwork)
        lwork = <int> query + 1
        work = <floating *> malloc(<size_t> lwork * sizeof(floating))
        if work == NULL:
            info = ERR_NOMEM
        elif info == 0:
            info = _gesdd(n, d, A, s, U, Vt, work, lwork, iwork)
    free(A); free(work); free(iwork)
    return info


cdef inline const void *_data(cnp.ndarray a):
    # raw data pointer, NULL for an empty (absent) array
    return cnp.PyArray_DATA(a) if cnp.PyArray_SIZE(a) > 0 else NULL


def cholesky_solve(bint dual, cnp.ndarray X, cnp.ndarray Y, cnp.ndarray alphas,
                   cnp.ndarray group, cnp.ndarray sw, cnp.ndarray xmean, cnp.ndarray ymean,
                   bint estimate, double shift_limit):
    """Ridge by Cholesky for every target; returns ``(coef, info, failed_alpha, rcond)``.

    primal (``dual=False``): solve (XᵀSX + αI) W = XᵀSY with the d×d Gram matrix.
    dual: W = XᵀS^½ (S^½XXᵀS^½ + αI)⁻¹ S^½Y with the n×n kernel; weighted ridge is plain
    ridge on (S^½X, S^½Y), so the weights scale K symmetrically and X is never copied.

    ``X`` (n, d) and ``Y`` (n,) or (n, k) are C- or F-contiguous float32/float64 of one
    dtype; ``coef`` is a new (d,) or F-ordered (d, k) array of that dtype.  ``alphas``
    (float64) holds the distinct penalties and ``group[j]`` (int32) the index in
    ``alphas`` of target j (ignored for a single α).  ``sw`` is empty or the (n,) sample
    weights.  ``xmean`` (d,) and ``ymean`` (k,) are empty or the means to centre X and Y
    by (fit with intercept) — applied blockwise, X is never copied, or as a rank-one
    subtraction from the plain Gram where every column's ρ² ≤ ``shift_limit``
    (:func:`fastridge._policy.centring_limit`).  With ``estimate``
    the reciprocal condition number of the factored matrix
    is estimated (``rcond``; 1.0 otherwise); where the primal Gram was centred by the
    rank-one subtraction, it is divided by that subtraction's error growth ``1 + max ρ²``
    (ρ = |mean| / spread per column), so a caller that falls back below a threshold
    also covers the rounding the shortcut added.  ``info`` > 0 is ?potrf's leading minor (for
    ``alphas[failed_alpha]``), ``ERR_NOMEM`` a failed allocation, ``ERR_NONFINITE`` a
    NaN/inf on the Gram diagonal (X holds NaN/inf, or its squares overflow).
    """
    cdef int n = <int> X.shape[0], d = <int> X.shape[1]
    cdef int y_nd = cnp.PyArray_NDIM(Y)
    cdef int k = 1 if y_nd == 1 else <int> Y.shape[1]
    cdef int n_alpha = <int> alphas.shape[0]
    cdef int typenum = cnp.PyArray_TYPE(X)
    cdef cnp.npy_intp dims[2]
    dims[0] = d
    dims[1] = k
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(y_nd, dims, typenum, 1)
    cdef bint x_c = cnp.PyArray_IS_C_CONTIGUOUS(X)
    cdef bint y_c = y_nd == 1 or cnp.PyArray_IS_C_CONTIGUOUS(Y)
    cdef const double *ap = <const double *> cnp.PyArray_DATA(alphas)
    cdef const int *gp = <const int *> _data(group) if n_alpha > 1 else NULL
    cdef const void *xp = cnp.PyArray_DATA(X)
    cdef const void *yp = cnp.PyArray_DATA(Y)
    cdef const void *sp = _data(sw)
    cdef const void *mxp = _data(xmean)
    cdef const void *myp = _data(ymean)
    cdef void *wp = cnp.PyArray_DATA(out)
    cdef int info, failed = -1
    cdef double rcond_min = 1.0
    cdef bint single = typenum == cnp.NPY_FLOAT
    with nogil:
        if single:
            info = _cholesky(
                dual, n, d, k, <const float *> xp, x_c, <const float *> yp, y_c, ap, n_alpha,
                gp, <const float *> sp, <const float *> mxp, <const float *> myp,
                estimate, shift_limit, <float *> wp, &failed, &rcond_min)
        else:
            info = _cholesky(
                dual, n, d, k, <const double *> xp, x_c, <const double *> yp, y_c, ap, n_alpha,
                gp, <const double *> sp, <const double *> mxp, <const double *> myp,
                estimate, shift_limit, <double *> wp, &failed, &rcond_min)
    return out, info, failed, rcond_min


NOMEM = ERR_NOMEM
NONFINITE = ERR_NONFINITE


def gram_update(cnp.ndarray X, cnp.ndarray Y, cnp.ndarray sw, cnp.ndarray xmean,
                cnp.ndarray ymean, cnp.ndarray G, cnp.ndarray B, bint accumulate,
                double shift_limit):
    """Sufficient statistics of one block of rows, for streaming and distributed ridge.

    With Z = S^½(X − 1x̄ᵀ) and V = S^½(Y − 1ȳᵀ) (``sw``, ``xmean``, ``ymean`` empty when
    absent): ``G`` (d, d, F-ordered) receives ZᵀZ in its UPPER triangle only (the lower
    one is left as it was) and ``B`` (d, k, F-ordered) receives ZᵀV — added to their
    contents when ``accumulate``, else overwriting them.  ``X`` (n, d) and ``Y`` (n, k)
    are C- or F-contiguous of G's dtype.  Returns ``(info, growth)``: info 0 or ``NOMEM``;
    growth 0 unless the centring was applied as ``XᵀX − n x̄x̄ᵀ`` (unweighted, not
    accumulating, every column's ρ² ≤ ``shift_limit``), then that subtraction's rounding-error
    growth ``1 + max ρ²`` (ρ = |mean| / spread per column).
    """
    cdef int n = <int> X.shape[0], d = <int> X.shape[1]
    cdef int k = 1 if cnp.PyArray_NDIM(Y) == 1 else <int> Y.shape[1]
    cdef bint x_c = cnp.PyArray_IS_C_CONTIGUOUS(X)
    cdef bint y_c = cnp.PyArray_NDIM(Y) == 1 or cnp.PyArray_IS_C_CONTIGUOUS(Y)
    cdef const void *xp = cnp.PyArray_DATA(X)
    cdef const void *yp = cnp.PyArray_DATA(Y)
    cdef const void *sp = _data(sw)
    cdef const void *mxp = _data(xmean)
    cdef const void *myp = _data(ymean)
    cdef void *gp = cnp.PyArray_DATA(G)
    cdef void *bp = cnp.PyArray_DATA(B)
    cdef int info
    cdef double growth = 0
    with nogil:
        if cnp.PyArray_TYPE(X) == cnp.NPY_FLOAT:
            info = _gram(n, d, k, <const float *> xp, x_c, <const float *> yp, y_c,
                         <const float *> sp, <const float *> mxp, <const float *> myp,
                         1 if accumulate else 0, shift_limit, <float *> gp, <float *> bp,
                         &growth)
        else:
            info = _gram(n, d, k, <const double *> xp, x_c, <const double *> yp, y_c,
                         <const double *> sp, <const double *> mxp, <const double *> myp,
                         1 if accumulate else 0, shift_limit, <double *> gp, <double *> bp,
                         &growth)
    return info, growth


def svd_factor(cnp.ndarray X, cnp.ndarray sqrt_sw, cnp.ndarray xmean, cnp.ndarray U,
               cnp.ndarray s, cnp.ndarray Vt):
    """Thin SVD of S^½(X − 1x̄ᵀ) with ?gesdd (``sqrt_sw``, ``xmean`` empty when absent).

    Writes U (n, r), s (r,) descending and Vt (r, d), r = min(n, d), all F-ordered in
    X's dtype.  X is copied once into a column-major work buffer (?gesdd destroys its
    input).  Returns ?gesdd's info (> 0: no convergence) or ``ERR_NOMEM``.
    """
    cdef int n = <int> X.shape[0], d = <int> X.shape[1]
    cdef bint x_c = cnp.PyArray_IS_C_CONTIGUOUS(X)
    cdef const void *xp = cnp.PyArray_DATA(X)
    cdef const void *sp = _data(sqrt_sw)
    cdef const void *mxp = _data(xmean)
    cdef void *up = cnp.PyArray_DATA(U)
    cdef void *sv = cnp.PyArray_DATA(s)
    cdef void *vp = cnp.PyArray_DATA(Vt)
    cdef int info
    with nogil:
        if cnp.PyArray_TYPE(X) == cnp.NPY_FLOAT:
            info = _svd(n, d, <const float *> xp, x_c, <const float *> sp, <const float *> mxp,
                        <float *> up,
                        <float *> sv, <float *> vp)
        else:
            info = _svd(n, d, <const double *> xp, x_c, <const double *> sp,
                        <const double *> mxp, <double *> up,
                        <double *> sv, <double *> vp)
    return info


cdef inline bint _all_finite(const floating *a, Py_ssize_t size) noexcept nogil:
    # x * 0 is 0 for finite x and NaN for ±inf/NaN; four sums so the loop pipelines
    cdef floating s0 = 0, s1 = 0, s2 = 0, s3 = 0
    cdef Py_ssize_t i = 0
    while i + 4 <= size:
        s0 += a[i] * 0
        s1 += a[i + 1] * 0
        s2 += a[i + 2] * 0
        s3 += a[i + 3] * 0
        i += 4
    while i < size:
        s0 += a[i] * 0
        i += 1
    return (s0 + s1 + s2 + s3) == 0


def center_kernel(cnp.ndarray K, cnp.ndarray a, double mu):
    """Double-centre a kernel in place: ``K ← K − a1ᵀ − 1aᵀ + mu·11ᵀ`` on the UPPER
    triangle of the F-ordered float64 (n, n) ``K``; ``a`` (n,) float64.

    With ``K = XXᵀ``, ``a = X x̄`` and ``mu = x̄ᵀx̄`` this gives ``(X − 1x̄ᵀ)(X − 1x̄ᵀ)ᵀ``
    in one pass over K (the caller decides when that subtraction is accurate enough).
    """
    cdef Py_ssize_t n = K.shape[0], i, j
    cdef double *kp = <double *> cnp.PyArray_DATA(K)
    cdef const double *ap = <const double *> cnp.PyArray_DATA(a)
    cdef double shift
    with nogil:
        for j in range(n):
            shift = ap[j] - mu
            for i in range(j + 1):
                kp[j * n + i] -= ap[i] + shift
    return None


def center_square_rows(cnp.ndarray Z, cnp.ndarray c, cnp.ndarray Z2, cnp.ndarray rowsum):
    """One pass over the C-contiguous float64 (m, r) ``Z``: ``Z −= c`` (each row; ``c``
    (r,), skipped when empty), ``Z2 = Z²`` (elementwise, (m, r) C-contiguous) and
    ``rowsum[i] = Σ_j Z2[i, j]`` ((m,)).
    """
    cdef Py_ssize_t m = Z.shape[0], r = Z.shape[1]
    cdef double *zp = <double *> cnp.PyArray_DATA(Z)
    cdef double *z2 = <double *> cnp.PyArray_DATA(Z2)
    cdef double *sp = <double *> cnp.PyArray_DATA(rowsum)
    cdef const double *cp = <const double *> _data(c)
    with nogil:
        fr_center_square_rows_d(m, r, zp, cp, z2, sp)
    return None


def all_finite(cnp.ndarray a):
    """True when the contiguous float32/float64 array ``a`` holds no NaN or infinity."""
    cdef Py_ssize_t size = cnp.PyArray_SIZE(a)
    cdef const void *p = cnp.PyArray_DATA(a)
    cdef bint ok
    with nogil:
        if cnp.PyArray_TYPE(a) == cnp.NPY_FLOAT:
            ok = _all_finite(<const float *> p, size)
        else:
            ok = _all_finite(<const double *> p, size)
    return ok


def ready_array(object a, int ndim_lo, int ndim_hi, int type_num, bint check_finite):
    """Fast-path check of user input: 1 when ``a`` can be used as it is, 0 when it needs
    the general conversion, -1 when it is ready but holds NaN or infinity.

    Ready means: exactly ``numpy.ndarray``, float32/float64 (``type_num`` -1 for either,
    else that NumPy type number), ndim in [ndim_lo, ndim_hi], non-empty, C- or
    F-contiguous, native byte order and aligned.  Costs well under a microsecond for small arrays.
    """
    if not cnp.PyArray_CheckExact(a):
        return 0
    cdef cnp.ndarray arr = <cnp.ndarray> a
    cdef int t = cnp.PyArray_TYPE(arr)
    cdef int nd = cnp.PyArray_NDIM(arr)
    if t != cnp.NPY_FLOAT and t != cnp.NPY_DOUBLE:
        return 0
    if (type_num >= 0 and t != type_num) or nd < ndim_lo or nd > ndim_hi:
        return 0
    if cnp.PyArray_SIZE(arr) == 0:
        return 0
    if not (cnp.PyArray_IS_C_CONTIGUOUS(arr) or cnp.PyArray_IS_F_CONTIGUOUS(arr)):
        return 0
    if not (cnp.PyArray_ISNOTSWAPPED(arr) and cnp.PyArray_ISALIGNED(arr)):
        return 0
    if check_finite and not all_finite(arr):
        return -1
    return 1
