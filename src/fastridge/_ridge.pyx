# cython: language_level=3
"""Compiled ridge drivers: Cholesky primal/dual solves, Gram statistics, the SVD.

Callers (``fastridge._solvers``, ``_spectral``, ``_sufficient_stats``, ``_validation``)
have checked shapes, dtypes, finiteness and the 32-bit LAPACK limits.  Each driver is:
arrays in, one ``with nogil:``, a status out (LAPACK's ``info``, ``NOMEM``,
``NONFINITE``) that the caller turns into an exception.  Inside, BLAS/LAPACK calls
(SciPy's ``cython_blas``/``cython_lapack``) alternate with the plain-C kernels of
``csrc/ridge_kernels.c`` (contracts in ``ridge_kernels.h``): no loop over array elements
is left here.  ``center_kernel`` and ``center_square_rows`` take typed memoryviews that
state their layouts.  ``cholesky_solve``, ``gram_update``, ``svd_factor`` and
``all_finite`` read raw pointers from ``numpy.ndarray``: a memoryview costs ~1.7k
instructions to acquire, and these run on small problems where that shows (seven are 7 %
of a 100×10 ``Ridge.fit``; measured +3.5 % on a 100×10 ``partial_fit``, +6 % on a 100×10
``solver="svd"`` fit); ``all_finite`` also takes any number of dimensions.

X (n, d) is C-ordered (to column-major BLAS the d×n matrix Xᵀ, leading dimension d; to
the kernels row stride d, column stride 1) or F-ordered (X, leading dimension n; strides
1, n), never copied; likewise Y (n,) or (n, k).  Outputs are column-major.  The math:
docs/math.md §1.6-1.7 (dual, weights), §7 (centring without a copy), §8.3 (rcond).
"""
cimport numpy as cnp
from cython cimport floating
from libc.stddef cimport ptrdiff_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

cnp.import_array()

# Status codes beside LAPACK's info, as csrc/ridge_kernels.h defines them.
NOMEM = FR_RIDGE_NOMEM
NONFINITE = FR_RIDGE_NONFINITE


cdef int _factor_and_solve(int m, int k, floating *gram, const double *alphas,
                           int n_alpha, const int *group, floating *rhs, bint estimate,
                           int *failed_alpha, double *rcond_min) noexcept nogil:
    """Solve (gram + α_g I) A = rhs[:, group == g] for every α_g, in place in ``rhs``.

    ``gram`` (m×m, upper triangle) is factored in place for a single α, else in a copy
    per α, with the columns of ``rhs`` (m×k) of that α gathered into a work buffer.
    Returns 0, ?potrf's info (``failed_alpha`` says for which α), NONFINITE or NOMEM.
    """
    cdef bint several = n_alpha > 1
    cdef floating *work = gram
    cdef floating *tmp = NULL
    cdef floating *cwork = <floating *> malloc(_condest_work(m) * sizeof(floating))
    cdef int *iwork = <int *> malloc(<size_t> m * sizeof(int))
    cdef int g, info = FR_RIDGE_NOMEM
    cdef ptrdiff_t nc = k
    cdef floating anorm = 0, rcond
    cdef bint finite
    if floating is float:                                           # diag(gram) finite?
        finite = fr_all_finite_f(m, gram, m + 1)
    else:
        finite = fr_all_finite_d(m, gram, m + 1)
    if several:
        work = <floating *> malloc(<size_t> m * m * sizeof(floating))
        tmp = <floating *> malloc(<size_t> m * k * sizeof(floating))
    if cwork == NULL or iwork == NULL or work == NULL or (several and tmp == NULL):
        g = n_alpha                                                 # info stays NOMEM
    elif not finite:
        info, g = FR_RIDGE_NONFINITE, n_alpha
    else:
        info, g = 0, 0
    while g < n_alpha:
        if several:
            memcpy(work, gram, <size_t> m * m * sizeof(floating))
            if floating is float:                                   # tmp = rhs[:, g's]
                nc = fr_gather_cols_f(m, k, group, g, rhs, m, tmp, m)
            else:
                nc = fr_gather_cols_d(m, k, group, g, rhs, m, tmp, m)
        if floating is float:                                       # G + αI
            fr_add_diag_f(m, <float> alphas[g], work, m)
        else:
            fr_add_diag_d(m, alphas[g], work, m)
        if estimate:                                                # ||G + αI||_1
            if floating is float:
                anorm = fr_sym_norm1_f(m, work, m, cwork)
            else:
                anorm = fr_sym_norm1_d(m, work, m, cwork)
        info = _potrf(m, work)                                      # G + αI = RᵀR
        if info == 0 and estimate:
            rcond = _rcond(m, work, anorm, cwork, iwork)
            if rcond < rcond_min[0]:
                rcond_min[0] = rcond
        if info == 0:
            info = _potrs(m, <int> nc, work, tmp if several else rhs)  # = (G + αI)⁻¹ rhs
        if info != 0:
            failed_alpha[0] = g
            break
        if several:
            if floating is float:                                   # rhs[:, g's] = tmp
                fr_scatter_cols_f(m, k, group, g, tmp, m, rhs, m)
            else:
                fr_scatter_cols_d(m, k, group, g, tmp, m, rhs, m)
        g += 1
    if several:
        free(work)
    free(tmp); free(cwork); free(iwork)
    return info


cdef void _xt_times(bint x_c, int n, int d, int k, const floating *X, int ldx,
                    const floating *B, int ldb, bint b_c, floating beta,
                    floating *out) noexcept nogil:
    # out (d×k) = beta out + Xᵀ B: X (n×d) C-ordered (x_c, as Xᵀ with leading dim ldx)
    # or column-major (ldx); B (n×k) likewise (b_c); a single column is contiguous.
    # With more targets than features, BLAS runs faster (13–50 % here) with the long side
    # as the GEMM's rows: Bᵀ X goes to a k×d buffer, then is transposed into out.
    cdef floating *tmp = NULL
    if k == 1:
        _gemv(c'N' if x_c else c'T', d if x_c else n, n if x_c else d, X, ldx, B, beta,
              out)                                                  # out = X.T @ b
        return
    if k > d:
        tmp = <floating *> malloc(<size_t> k * d * sizeof(floating))
    if tmp != NULL:
        _gemm(c'N' if b_c else c'T', c'T' if x_c else c'N', k, d, n, B, ldb, X, ldx, 0,
              tmp, k)                                               # tmp = B.T @ X, k×d
        if floating is float:                                       # out = beta out + tmp.T
            fr_add_transposed_f(d, k, beta, tmp, k, out, d)
        else:
            fr_add_transposed_d(d, k, beta, tmp, k, out, d)
        free(tmp)
    else:
        _gemm(c'N' if x_c else c'T', c'T' if b_c else c'N', d, k, n, X, ldx, B, ldb, beta,
              out, d)                                               # out = X.T @ B


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
        _syrk(trans, d, n, X, ldx, beta, G, d)                      # G = X.T @ X (upper)
        _xt_times(x_c, n, d, k, X, ldx, Y, ldy, y_c, beta, B)       # B = X.T @ Y
        return
    while r0 < n:
        m = rows if r0 + rows <= n else n - r0
        _syrk(trans, d, m, X + (<size_t> r0 * d if x_c else r0), ldx, b, G, d)
        _xt_times(x_c, m, d, k, X + (<size_t> r0 * d if x_c else r0), ldx,
                  Y + (<size_t> r0 * k if y_c else r0), ldy, y_c, b, B)
        b = 1
        r0 += m


cdef int _gram(int n, int d, int k, const floating *X, bint x_c, const floating *Y,
               bint y_c, const floating *sw, const floating *xmean, const floating *ymean,
               floating beta, double shift_limit, floating *G, floating *B,
               double *growth) noexcept nogil:
    """G = beta G + ZᵀZ (upper triangle) and B = beta B + ZᵀV with Z = S^½(X − 1x̄ᵀ),
    V = S^½(Y − 1ȳᵀ); S, x̄, ȳ optional (NULL).  Returns 0 or NOMEM.  ``growth[0]``
    receives the error growth ``1 + max ρ²`` of the rank-one centring (docs/math.md §7.2)
    when it was used, else 0."""
    cdef floating *xb = NULL
    cdef floating *yb = NULL
    cdef ptrdiff_t x_rs = d if x_c else 1, x_cs = 1 if x_c else n
    cdef ptrdiff_t y_rs = k if y_c else 1, y_cs = 1 if y_c else n
    cdef int info = 0, bs = fr_block_size(n, d + k, d), m, r0 = 0
    growth[0] = 0
    if sw == NULL and xmean == NULL and ymean == NULL:
        _plain_gram(n, d, k, X, x_c, Y, y_c, beta, G, B)           # G, B = XᵀX, XᵀY
        return 0
    if sw == NULL and xmean != NULL and ymean != NULL and beta == 0:
        # Centring as a rank-one correction of the plain Gram, at the plain Gram's speed,
        # where that is safe; otherwise fall through to exact blockwise centring.
        _plain_gram(n, d, k, X, x_c, Y, y_c, 0, G, B)               # G, B = XᵀX, XᵀY
        if floating is float:
            growth[0] = fr_centring_growth_f(n, d, k, G, d, Y, y_rs, y_cs, xmean, ymean,
                                             shift_limit)
        else:
            growth[0] = fr_centring_growth_d(n, d, k, G, d, Y, y_rs, y_cs, xmean, ymean,
                                             shift_limit)
        if growth[0] > 0:
            if floating is float:
                fr_sub_outer_f(d, d, n, xmean, xmean, G, d, True)   # G −= n x̄ x̄ᵀ (upper)
                fr_sub_outer_f(d, k, n, xmean, ymean, B, d, False)  # B −= n x̄ ȳᵀ
            else:
                fr_sub_outer_d(d, d, n, xmean, xmean, G, d, True)
                fr_sub_outer_d(d, k, n, xmean, ymean, B, d, False)
            return 0
    # Row blocks of √s ∘ (X − x̄) in a small buffer: neither a weighted nor a centred
    # copy of X is made, and centring before multiplying is exact (no XᵀX − n x̄x̄ᵀ
    # cancellation when the means are large).
    xb = <floating *> malloc(<size_t> bs * d * sizeof(floating))
    yb = <floating *> malloc(<size_t> bs * k * sizeof(floating))
    if xb == NULL or yb == NULL:
        info = FR_RIDGE_NOMEM
    else:
        while r0 < n:
            m = bs if r0 + bs <= n else n - r0
            _fill(m, d, X + r0 * x_rs, x_rs, x_cs, xmean, sw + r0 if sw != NULL else NULL,
                  True, xb, m)                                      # xb = √s (X[r] − x̄)
            _fill(m, k, Y + r0 * y_rs, y_rs, y_cs, ymean, sw + r0 if sw != NULL else NULL,
                  True, yb, m)                                      # yb = √s (Y[r] − ȳ)
            _syrk(c'T', d, m, xb, m, beta if r0 == 0 else 1, G, d)  # G += xb.T @ xb
            _gemm(c'T', c'N', d, k, m, xb, m, yb, m, beta if r0 == 0 else 1, B,
                  d)                                                # B += xb.T @ yb
            r0 += m
    free(xb); free(yb)
    return info


cdef int _primal(int n, int d, int k, const floating *X, bint x_c, const floating *Y,
                 bint y_c, const double *alphas, int n_alpha, const int *group,
                 const floating *sw, const floating *xmean, const floating *ymean,
                 bint estimate, double shift_limit, floating *W, int *failed,
                 double *rcond_min) noexcept nogil:
    cdef floating *G = <floating *> malloc(<size_t> d * d * sizeof(floating))
    cdef int info = FR_RIDGE_NOMEM
    cdef double growth = 0
    if G != NULL:                                                   # G, W = XᵀX, XᵀY
        info = _gram(n, d, k, X, x_c, Y, y_c, sw, xmean, ymean, 0, shift_limit, G, W,
                     &growth)
    if info == 0:
        info = _factor_and_solve(d, k, G, alphas, n_alpha, group, W, estimate, failed,
                                 rcond_min)                         # W = (G + αI)⁻¹ W
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
    cdef ptrdiff_t x_rs = d if x_c else 1, x_cs = 1 if x_c else n
    cdef floating *K = <floating *> malloc(<size_t> n * n * sizeof(floating))
    cdef floating *A = <floating *> malloc(<size_t> n * k * sizeof(floating))
    cdef floating *xb = NULL
    cdef int info = 0, bc = fr_block_size(d, n, n), m, c0 = 0
    if K == NULL or A == NULL:
        info = FR_RIDGE_NOMEM
    elif xmean == NULL:
        _syrk(c'T' if x_c else c'N', n, d, X, d if x_c else n, 0, K, n)  # K = X @ X.T
    else:
        # K = (X − 1x̄ᵀ)(X − 1x̄ᵀ)ᵀ accumulated over centred column blocks (no copy of X).
        xb = <floating *> malloc(<size_t> n * bc * sizeof(floating))
        info = FR_RIDGE_NOMEM if xb == NULL else 0
        while xb != NULL and c0 < d:
            m = bc if c0 + bc <= d else d - c0
            _fill(n, m, X + c0 * x_cs, x_rs, x_cs, xmean + c0, <const floating *> NULL,
                  False, xb, n)                                     # xb = X[:, c] − x̄[c]
            _syrk(c'N', n, m, xb, n, 0 if c0 == 0 else 1, K, n)     # K += xb @ xb.T
            c0 += m
    if info != 0:
        free(K); free(A); free(xb)
        return info
    _fill(n, k, Y, k if y_c else 1, 1 if y_c else n, ymean, sw, True, A,
          n)                                                        # A = √s (Y − ȳ)
    if sw != NULL:
        if floating is float:                                       # K = S^½ K S^½
            fr_scale_sym_f(n, sw, K, n)
        else:
            fr_scale_sym_d(n, sw, K, n)
    info = _factor_and_solve(n, k, K, alphas, n_alpha, group, A, estimate, failed,
                             rcond_min)                             # A = (K + αI)⁻¹ A
    if info == 0:
        if sw != NULL:
            if floating is float:                                   # A = √s ∘ A
                fr_scale_rows_f(n, k, sw, A, n)
            else:
                fr_scale_rows_d(n, k, sw, A, n)
        _xt_times(x_c, n, d, k, X, d if x_c else n, A, n, False, 0, W)  # W = X.T @ A
        if xmean != NULL:
            if floating is float:                                   # W −= x̄ (1ᵀA)
                fr_sub_mean_colsum_f(n, d, k, A, n, xmean, W, d)
            else:
                fr_sub_mean_colsum_d(n, d, k, A, n, xmean, W, d)
    free(K); free(A); free(xb)
    return info


cdef int _svd(int n, int d, const floating *X, bint x_c, const floating *sqrt_sw,
              const floating *xmean, floating *U, floating *s, floating *Vt) noexcept nogil:
    cdef int r = n if n < d else d
    cdef floating *A = <floating *> malloc(<size_t> n * d * sizeof(floating))
    cdef int *iwork = <int *> malloc(<size_t> 8 * r * sizeof(int))
    cdef floating *work = NULL
    cdef floating query = 0
    cdef int info = FR_RIDGE_NOMEM
    if A != NULL and iwork != NULL:
        _fill(n, d, X, d if x_c else 1, 1 if x_c else n, xmean, sqrt_sw, False, A,
              n)                                                    # A = √s (X − x̄)
        info = _gesdd(n, d, A, s, U, Vt, &query, -1, iwork)         # workspace query
        work = <floating *> malloc((<size_t> query + 1) * sizeof(floating))
        if work == NULL:
            info = FR_RIDGE_NOMEM
        elif info == 0:                                             # A = U diag(s) Vt
            info = _gesdd(n, d, A, s, U, Vt, work, <int> query + 1, iwork)
    free(A); free(work); free(iwork)
    return info


cdef inline const void *_data(cnp.ndarray a) noexcept:
    # raw data pointer, NULL for an empty (absent) array
    return cnp.PyArray_DATA(a) if cnp.PyArray_SIZE(a) > 0 else NULL


cdef inline const floating *_opt(const floating[::1] a) noexcept nogil:
    # first element of a memoryview, NULL for an empty (absent) one
    return &a[0] if a.shape[0] > 0 else NULL


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
    (:func:`fastridge._policy.centring_limit`).  With ``estimate`` the reciprocal
    condition number of the factored matrix is estimated (``rcond``; 1.0 otherwise);
    after a rank-one centring it is divided by that subtraction's error growth
    ``1 + max ρ²``, so a caller that falls back below a threshold also covers the
    rounding the shortcut added.  ``info`` > 0 is ?potrf's leading minor (for
    ``alphas[failed_alpha]``), ``NOMEM`` a failed allocation, ``NONFINITE`` a NaN/inf on
    the Gram diagonal (X holds NaN/inf, or its squares overflow).
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
    with nogil:
        if typenum == cnp.NPY_FLOAT and dual:
            info = _dual(n, d, k, <const float *> xp, x_c, <const float *> yp, y_c, ap,
                         n_alpha, gp, <const float *> sp, <const float *> mxp,
                         <const float *> myp, estimate, <float *> wp, &failed, &rcond_min)
        elif typenum == cnp.NPY_FLOAT:
            info = _primal(n, d, k, <const float *> xp, x_c, <const float *> yp, y_c, ap,
                           n_alpha, gp, <const float *> sp, <const float *> mxp,
                           <const float *> myp, estimate, shift_limit, <float *> wp,
                           &failed, &rcond_min)
        elif dual:
            info = _dual(n, d, k, <const double *> xp, x_c, <const double *> yp, y_c, ap,
                         n_alpha, gp, <const double *> sp, <const double *> mxp,
                         <const double *> myp, estimate, <double *> wp, &failed,
                         &rcond_min)
        else:
            info = _primal(n, d, k, <const double *> xp, x_c, <const double *> yp, y_c,
                           ap, n_alpha, gp, <const double *> sp, <const double *> mxp,
                           <const double *> myp, estimate, shift_limit, <double *> wp,
                           &failed, &rcond_min)
    return out, info, failed, rcond_min


def gram_update(cnp.ndarray X, cnp.ndarray Y, cnp.ndarray sw, cnp.ndarray xmean,
                cnp.ndarray ymean, cnp.ndarray G, cnp.ndarray B, bint accumulate,
                double shift_limit):
    """Sufficient statistics of one block of rows, for streaming and distributed ridge.

    With Z = S^½(X − 1x̄ᵀ) and V = S^½(Y − 1ȳᵀ) (``sw``, ``xmean``, ``ymean`` empty when
    absent): ``G`` (d, d, F-ordered) receives ZᵀZ in its UPPER triangle only (the lower
    one is left as it was) and ``B`` (d, k, F-ordered) receives ZᵀV — added to their
    contents when ``accumulate``, else overwriting them.  ``X`` (n, d) and ``Y`` (n,) or
    (n, k) are C- or F-contiguous (else ValueError) of G's dtype.  Returns
    ``(info, growth)``: info 0 or ``NOMEM``; growth 0 unless the centring was applied as
    ``XᵀX − n x̄x̄ᵀ`` (unweighted, not accumulating, every column's ρ² ≤ ``shift_limit``),
    then that subtraction's rounding-error growth ``1 + max ρ²`` (ρ = |mean| / spread).
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
    if not ((x_c or cnp.PyArray_IS_F_CONTIGUOUS(X)) and
            (y_c or cnp.PyArray_IS_F_CONTIGUOUS(Y))):
        raise ValueError("X and Y must be C- or F-contiguous")  # BLAS needs one unit stride
    with nogil:
        if cnp.PyArray_TYPE(X) == cnp.NPY_FLOAT:
            info = _gram(n, d, k, <const float *> xp, x_c, <const float *> yp, y_c,
                         <const float *> sp, <const float *> mxp, <const float *> myp,
                         1 if accumulate else 0, shift_limit, <float *> gp, <float *> bp,
                         &growth)
        else:
            info = _gram(n, d, k, <const double *> xp, x_c, <const double *> yp, y_c,
                         <const double *> sp, <const double *> mxp, <const double *> myp,
                         1 if accumulate else 0, shift_limit, <double *> gp,
                         <double *> bp, &growth)
    return info, growth


def svd_factor(cnp.ndarray X, cnp.ndarray sqrt_sw, cnp.ndarray xmean, cnp.ndarray U,
               cnp.ndarray s, cnp.ndarray Vt):
    """Thin SVD of S^½(X − 1x̄ᵀ) with ?gesdd (``sqrt_sw``, ``xmean`` empty when absent).

    Writes U (n, r), s (r,) descending and Vt (r, d), r = min(n, d), all F-ordered in
    X's dtype.  X (C- or F-contiguous, else ValueError) is copied once into a
    column-major work buffer (?gesdd destroys its input).  Returns ?gesdd's info
    (> 0: no convergence) or NOMEM.
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
    if not (x_c or cnp.PyArray_IS_F_CONTIGUOUS(X)):
        raise ValueError("X must be C- or F-contiguous")
    with nogil:
        if cnp.PyArray_TYPE(X) == cnp.NPY_FLOAT:
            info = _svd(n, d, <const float *> xp, x_c, <const float *> sp,
                        <const float *> mxp, <float *> up, <float *> sv, <float *> vp)
        else:
            info = _svd(n, d, <const double *> xp, x_c, <const double *> sp,
                        <const double *> mxp, <double *> up, <double *> sv, <double *> vp)
    return info


def center_kernel(floating[::1, :] K, const floating[::1] a, double mu):
    """Double-centre a kernel in place: ``K ← K − a1ᵀ − 1aᵀ + mu·11ᵀ`` on the UPPER
    triangle of the F-ordered (n, n) ``K``; ``a`` (n,) of K's dtype.

    With ``K = XXᵀ``, ``a = X x̄`` and ``mu = x̄ᵀx̄`` this gives ``(X − 1x̄ᵀ)(X − 1x̄ᵀ)ᵀ``
    in one pass over K (the caller decides when that subtraction is accurate enough).
    """
    with nogil:
        if floating is float:
            fr_center_kernel_f(K.shape[0], &K[0, 0], K.shape[0], &a[0], <float> mu)
        else:
            fr_center_kernel_d(K.shape[0], &K[0, 0], K.shape[0], &a[0], mu)


def center_square_rows(double[:, ::1] Z, const double[::1] c, double[:, ::1] Z2,
                       double[::1] rowsum):
    """One pass over the C-contiguous float64 (m, r) ``Z``: ``Z −= c`` (each row; ``c``
    (r,), skipped when empty), ``Z2 = Z²`` (elementwise, (m, r) C-contiguous) and
    ``rowsum[i] = Σ_j Z2[i, j]`` ((m,)).
    """
    with nogil:
        fr_center_square_rows_d(Z.shape[0], Z.shape[1], &Z[0, 0], _opt(c), &Z2[0, 0],
                                &rowsum[0])


cdef bint _all_finite(cnp.ndarray a) noexcept:
    cdef Py_ssize_t size = cnp.PyArray_SIZE(a)
    cdef const void *p = cnp.PyArray_DATA(a)
    cdef bint ok
    with nogil:
        if cnp.PyArray_TYPE(a) == cnp.NPY_FLOAT:
            ok = fr_all_finite_f(size, <const float *> p, 1)
        else:
            ok = fr_all_finite_d(size, <const double *> p, 1)
    return ok


def all_finite(cnp.ndarray a):
    """True when the contiguous float32/float64 array ``a`` holds no NaN or infinity."""
    return _all_finite(a)


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
    if check_finite and not _all_finite(arr):
        return -1
    return 1
