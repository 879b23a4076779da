# cython: language_level=3
"""Compiled ridge drivers: Cholesky primal/dual solves and the SVD factorization.

Every function here trusts its caller (``fastridge._solvers``) to have checked shapes,
dtypes, finiteness and the 32-bit LAPACK limits.  The whole computation runs under one
``with nogil:``; LAPACK's ``info`` is returned, never raised.

Layouts: ``X`` is (n, d) and either C-ordered (rows contiguous; seen by column-major BLAS
as the d×n matrix Xᵀ with leading dimension d) or F-ordered (the n×d matrix X with
leading dimension n).  It is never copied: the BLAS transpose flags absorb the layout.
The same holds for ``Y`` (n, k).  Outputs are column-major (F-ordered) buffers.
"""
from cython cimport floating
from libc.math cimport sqrt
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
                       const floating *x, floating *y) noexcept nogil:
    # y = op(A) x
    cdef floating one = 1, zero = 0
    cdef int inc = 1
    if floating is float:
        sgemv(&trans, &m, &n, &one, <float *> a, &lda, <float *> x, &inc, &zero, y, &inc)
    else:
        dgemv(&trans, &m, &n, &one, <double *> a, &lda, <double *> x, &inc, &zero, y, &inc)


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


# ---------------------------------------------------------------------------------------
# Shared pieces of the Cholesky paths
# ---------------------------------------------------------------------------------------

# Status codes beside LAPACK's info (which is > 0 for "not positive definite").
cdef enum:
    ERR_NOMEM = -1000

cdef int _factor_and_solve(int m, int k, const floating *gram, floating *work_gram,
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
    cdef floating anorm, rcond
    for g in range(n_alpha):
        if copy_gram:
            memcpy(work_gram, gram, <size_t> m * m * sizeof(floating))
        for i in range(m):
            work_gram[i * m + i] += <floating> alphas[g]        # G + αI
        if estimate:
            anorm = _norm1_sym(m, work_gram, cwork)
        info = _potrf(m, work_gram)                               # G + αI = RᵀR
        if info != 0:
            failed_alpha[0] = g
            return info
        if estimate:
            rcond = _pocon(m, work_gram, anorm, cwork, iwork)
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


cdef void _xt_times(bint x_c, int n, int d, int k, const floating *X, const floating *B,
                    int ldb, bint b_c, floating *out) noexcept nogil:
    # out (d×k) = Xᵀ B  with B (n×k) C-ordered (b_c) or column-major with leading dim ldb
    cdef char ta = c'N' if x_c else c'T'
    cdef int ldx = d if x_c else n
    if k == 1:
        if x_c:
            _gemv(c'N', d, n, X, ldx, B, out)
        else:
            _gemv(c'T', n, d, X, ldx, B, out)
    elif b_c:
        _gemm(ta, c'T', d, k, n, X, ldx, B, k, 0, out, d)
    else:
        _gemm(ta, c'N', d, k, n, X, ldx, B, ldb, 0, out, d)


# ---------------------------------------------------------------------------------------
# Drivers
# ---------------------------------------------------------------------------------------

def cholesky_primal(const floating[:, :] X, bint x_c, const floating[:, :] Y, bint y_c,
                    const double[::1] alphas, const int[::1] group,
                    const floating[::1] sw, bint estimate, floating[::1, :] out):
    """Solve (XᵀSX + αI) W = XᵀSY for every target; W is written to ``out`` (d, k).

    ``alphas`` holds the distinct penalties; ``group[j]`` is the index in ``alphas`` of
    target j (ignored when there is one α).  ``sw`` is empty or the (n,) sample weights.
    With ``estimate`` the reciprocal condition number of XᵀSX + αI is estimated (?pocon).
    Returns ``(info, failed_alpha_index, rcond_min)``: info > 0 is ?potrf's leading minor,
    ``ERR_NOMEM`` a failed allocation.
    """
    cdef int n = X.shape[0], d = X.shape[1], k = Y.shape[1]
    cdef int n_alpha = alphas.shape[0]
    cdef bint weighted = sw.shape[0] > 0
    cdef int ldx = d if x_c else n
    cdef const floating *xp = &X[0, 0]
    cdef const floating *yp = &Y[0, 0]
    cdef floating *wp = &out[0, 0]
    cdef floating *G = NULL
    cdef floating *W = NULL
    cdef floating *tmp = NULL
    cdef floating *xb = NULL
    cdef floating *yb = NULL
    cdef floating *cwork = NULL
    cdef int *iwork = NULL
    cdef int info = 0, failed = -1, bs, m, r0, i, j
    cdef double rcond_min = 1.0
    cdef floating s, beta

    with nogil:
        G = <floating *> malloc(<size_t> d * d * sizeof(floating))
        cwork = <floating *> malloc(<size_t> 3 * d * sizeof(floating))
        iwork = <int *> malloc(<size_t> d * sizeof(int))
        if n_alpha > 1:
            W = <floating *> malloc(<size_t> d * d * sizeof(floating))
            tmp = <floating *> malloc(<size_t> d * k * sizeof(floating))
        if G == NULL or cwork == NULL or iwork == NULL or (n_alpha > 1 and (W == NULL or tmp == NULL)):
            info = ERR_NOMEM
        elif not weighted:
            _syrk(c'N' if x_c else c'T', d, n, xp, ldx, 0, G, d)    # G = X.T @ X (upper)
            _xt_times(x_c, n, d, k, xp, yp, n, y_c, wp)              # W = X.T @ Y
        else:
            # Weighted Gram accumulated over row blocks of √s ∘ X: no weighted copy of X.
            bs = 262144 // (d + k)
            if bs < 16:
                bs = 16
            if bs > n:
                bs = n
            xb = <floating *> malloc(<size_t> bs * d * sizeof(floating))
            yb = <floating *> malloc(<size_t> bs * k * sizeof(floating))
            if xb == NULL or yb == NULL:
                info = ERR_NOMEM
            else:
                r0 = 0
                while r0 < n:
                    m = bs if r0 + bs <= n else n - r0
                    for i in range(m):                               # xb = √s[r] * X[r, :]
                        s = sqrt(sw[r0 + i])
                        for j in range(d):
                            xb[j * m + i] = s * X[r0 + i, j]
                        for j in range(k):                           # yb = √s[r] * Y[r, :]
                            yb[j * m + i] = s * Y[r0 + i, j]
                    beta = 0 if r0 == 0 else 1
                    _syrk(c'T', d, m, xb, m, beta, G, d)             # G += xb.T @ xb
                    _gemm(c'T', c'N', d, k, m, xb, m, yb, m, beta, wp, d)  # W += xb.T @ yb
                    r0 += m
        if info == 0:
            info = _factor_and_solve(d, k, G, W if n_alpha > 1 else G, n_alpha > 1,
                                     &alphas[0], n_alpha, &group[0] if n_alpha > 1 else NULL,
                                     wp, tmp, estimate, cwork, iwork, &failed, &rcond_min)
        free(G); free(W); free(tmp); free(xb); free(yb); free(cwork); free(iwork)
    return info, failed, rcond_min


def cholesky_dual(const floating[:, :] X, bint x_c, const floating[:, :] Y, bint y_c,
                  const double[::1] alphas, const int[::1] group,
                  const floating[::1] sw, bint estimate, floating[::1, :] out):
    """Dual solve W = XᵀS^½ (S^½XXᵀS^½ + αI)⁻¹ S^½Y, written to ``out`` (d, k).

    Same arguments and return value as :func:`cholesky_primal`; the factored matrix is the
    n×n kernel K = XXᵀ.  Weighted ridge is plain ridge on (S^½X, S^½Y), so the weights
    scale K symmetrically and X itself is never copied.
    """
    cdef int n = X.shape[0], d = X.shape[1], k = Y.shape[1]
    cdef int n_alpha = alphas.shape[0]
    cdef bint weighted = sw.shape[0] > 0
    cdef int ldx = d if x_c else n
    cdef const floating *xp = &X[0, 0]
    cdef floating *wp = &out[0, 0]
    cdef floating *K = NULL
    cdef floating *Kw = NULL
    cdef floating *A = NULL
    cdef floating *tmp = NULL
    cdef floating *cwork = NULL
    cdef int *iwork = NULL
    cdef int info = 0, failed = -1, i, j
    cdef double rcond_min = 1.0

    with nogil:
        K = <floating *> malloc(<size_t> n * n * sizeof(floating))
        A = <floating *> malloc(<size_t> n * k * sizeof(floating))
        cwork = <floating *> malloc(<size_t> 3 * n * sizeof(floating))
        iwork = <int *> malloc(<size_t> n * sizeof(int))
        if n_alpha > 1:
            Kw = <floating *> malloc(<size_t> n * n * sizeof(floating))
            tmp = <floating *> malloc(<size_t> n * k * sizeof(floating))
        if K == NULL or A == NULL or cwork == NULL or iwork == NULL or (n_alpha > 1 and (Kw == NULL or tmp == NULL)):
            info = ERR_NOMEM
        else:
            _syrk(c'T' if x_c else c'N', n, d, xp, ldx, 0, K, n)      # K = X @ X.T (upper)
            for j in range(k):                                       # A = √s ∘ Y (column-major)
                for i in range(n):
                    A[j * n + i] = Y[i, j] * (sqrt(sw[i]) if weighted else 1)
            if weighted:
                for j in range(n):                                   # K = S^½ K S^½
                    for i in range(j + 1):
                        K[j * n + i] *= sqrt(sw[i] * sw[j])
            info = _factor_and_solve(n, k, K, Kw if n_alpha > 1 else K, n_alpha > 1,
                                     &alphas[0], n_alpha, &group[0] if n_alpha > 1 else NULL,
                                     A, tmp, estimate, cwork, iwork, &failed, &rcond_min)
            if info == 0:
                if weighted:
                    for j in range(k):                               # A = √s ∘ A
                        for i in range(n):
                            A[j * n + i] *= sqrt(sw[i])
                _xt_times(x_c, n, d, k, xp, A, n, False, wp)         # W = X.T @ A
        free(K); free(Kw); free(A); free(tmp); free(cwork); free(iwork)
    return info, failed, rcond_min


def svd_factor(const floating[:, :] X, const floating[::1] sqrt_sw,
               floating[::1, :] U, floating[::1] s, floating[::1, :] Vt):
    """Thin SVD of S^½X (or X when ``sqrt_sw`` is empty) with ?gesdd.

    Writes U (n, r), s (r,) descending and Vt (r, d), r = min(n, d).  X is copied once
    into a column-major work buffer (?gesdd destroys its input).  Returns ?gesdd's info
    (> 0: no convergence) or ``ERR_NOMEM``.
    """
    cdef int n = X.shape[0], d = X.shape[1]
    cdef bint weighted = sqrt_sw.shape[0] > 0
    cdef floating *A = NULL
    cdef floating *work = NULL
    cdef int *iwork = NULL
    cdef floating query = 0
    cdef int info = 0, lwork, i, j
    cdef int r = n if n < d else d

    with nogil:
        A = <floating *> malloc(<size_t> n * d * sizeof(floating))
        iwork = <int *> malloc(<size_t> 8 * r * sizeof(int))
        if A == NULL or iwork == NULL:
            info = ERR_NOMEM
        else:
            for j in range(d):                                       # A = √s ∘ X, column-major
                for i in range(n):
                    A[j * n + i] = X[i, j] * (sqrt_sw[i] if weighted else 1)
            info = _gesdd(n, d, A, &s[0], &U[0, 0], &Vt[0, 0], &query, -1, iwork)
            lwork = <int> query + 1
            work = <floating *> malloc(<size_t> lwork * sizeof(floating))
            if work == NULL:
                info = ERR_NOMEM
            elif info == 0:
                info = _gesdd(n, d, A, &s[0], &U[0, 0], &Vt[0, 0], work, lwork, iwork)
        free(A); free(work); free(iwork)
    return info
