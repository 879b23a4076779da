"""``lstsq``: the α → 0 limit of ridge (docs/math.md §1), accurate on ill-conditioned data.

Not a hot path: plain Python over SciPy's LAPACK (geqrf/ormqr, gesdd, trtrs).  The
accuracy comes from three things, in this order:

1. **Equilibration by powers of two.**  Columns (tall or square X) or rows (wide X) are
   scaled to 2-norm in [0.5, 1).  Powers of two make the scaling exact, so the scaled
   matrix is the same problem, not a rounded copy of it.  The scales are kept as integer
   exponents and applied with ``ldexp`` (a subnormal column needs 2**1030, which float64
   cannot hold), and each target column is shifted by a power of two the same way, so
   neither the scaling nor the solve overflows anywhere in the floating-point range.
2. **A rank check on the equilibrated matrix.**  Its singular values (of the triangular
   factor R) are compared with ``rcond · s_max``.  Full rank → step 3.  Rank deficient →
   truncated SVD of the column-equilibrated matrix, then a projection onto the row space
   of X restores the *minimum-norm* property that column scaling destroys.
3. **Iterative refinement of the augmented system** (Björck 1967): residuals in extended
   precision (``np.longdouble`` for float64 input, 80-bit on x86; float64 for float32
   input), corrections from the QR factors already computed.  This removes the κ² term of
   least squares and leaves an error of about working-precision rounding on problems with
   ``κ(equilibrated X) · eps ≪ 1``.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from ._policy import spectral_cutoff
from ._validation import as_float_array, check_lapack_dims, check_same_rows, check_scalar

__all__ = ["lstsq"]

# Refinement stops after this many solves (the first solve included) ...
_MAX_SOLVES = 10
# ... or when a correction shrinks by less than this factor (no longer converging).
_MIN_CONTRACTION = 0.5


def _extended_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype residuals are computed in: float64 for float32, longdouble for float64.

    Where ``longdouble`` is plain float64 (MSVC, some ARM ABIs) refinement still runs
    but in fixed precision, and accuracy on very ill-conditioned problems is lower.
    """
    if dtype == np.float32:
        return np.dtype(np.float64)
    return np.dtype(np.longdouble)


def _equilibrating_exponents(M: np.ndarray, axis: int) -> np.ndarray:
    """Integer exponents ``e`` such that ``ldexp(M, e)`` along ``axis`` has norms in [0.5, 1).

    Exponents, not the scale factors ``2**e``: a column of subnormal numbers needs
    ``e ≈ 1030``, and ``2**1030`` does not exist in float64 although ``ldexp(M, e)``
    does (and is exact: only the exponent field changes).  Zero columns (rows) get
    ``e = 0``.  Norms whose plain sum of squares overflows or underflows are recomputed
    after shifting by the exponent of the largest entry, exactly, so nothing overflows
    however large or small the entries are.
    """
    with np.errstate(over="ignore", under="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->j" if axis == 0 else "ij,ij->i", M, M))
    tiny, eps = np.finfo(M.dtype).tiny, np.finfo(M.dtype).eps
    _, exponent = np.frexp(norms)  # norms = mantissa · 2**exponent, mantissa in [0.5, 1)
    exponent = np.where(norms > 0, exponent, 0)
    bad = ~np.isfinite(norms) | (norms < np.sqrt(tiny) / eps)
    if bad.any():  # rare: shift each bad vector's largest entry into [0.5, 1), then square
        sub = M[:, bad] if axis == 0 else M[bad]
        _, top = np.frexp(np.max(np.abs(sub), axis=axis))  # 0 for an all-zero vector
        with np.errstate(under="ignore"):  # entries far below the largest do not count
            shifted = np.ldexp(sub, -top if axis == 0 else -top[:, None])
        _, rest = np.frexp(np.linalg.norm(shifted, axis=axis))  # norm in [0.5, √len)
        exponent[bad] = np.where(top != 0, top + rest, 0)
    return -exponent


def _shifted_targets(Y: np.ndarray, row_exponents=None):
    """``(2**r_i · Y_ij · 2**-t_j, t)`` with ``t_j`` chosen so that column j's max |·| is in [0.5, 1).

    ``r`` (row equilibration, default 0) and the per-column shift ``t`` are combined as
    integer exponents, so nothing overflows on the way even where ``2**r · y`` alone
    would.  The problem is linear in each target column: solve with the shifted
    targets, then ``ldexp(solution, t)``.  Exact, except that entries more than 2**1074
    below their column's largest underflow to 0 (they could not move the solution).
    """
    _, ey = np.frexp(Y)  # |Y| = m · 2**ey, m in [0.5, 1); ey = 0 where Y = 0
    r = np.zeros((Y.shape[0], 1), dtype=ey.dtype) if row_exponents is None else row_exponents[:, None]
    total = np.where(Y != 0, ey + r, np.iinfo(ey.dtype).min)
    t = np.max(total, axis=0)
    t = np.where(t == np.iinfo(ey.dtype).min, 0, t)  # all-zero column: no shift; t.shape = (k,)
    with np.errstate(under="ignore"):
        return np.ldexp(Y, r - t), t


def _working_result(coef: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``coef`` (extended precision) cast to ``dtype``; OverflowError if it does not fit."""
    biggest = np.max(np.abs(coef)) if coef.size else 0
    if not biggest <= np.finfo(dtype).max:  # also catches inf (and NaN)
        about = np.format_float_scientific(biggest, precision=1)  # exact for long double
        raise OverflowError(
            f"the least-squares solution does not fit in {dtype}: its largest entry is "
            f"about {about} (the largest {dtype} is {np.finfo(dtype).max:.3g}); "
            f"scale y down (or X up) and scale the answer back"
        )
    return coef.astype(dtype)


class _HouseholderQR:
    """Economic QR ``A = Q R`` of an (m, p) matrix, m ≥ p, with Q kept as reflectors.

    LAPACK geqrf; Q is applied with ormqr instead of being formed (orgqr would double
    the cost of the factorization).
    """

    def __init__(self, A: np.ndarray):
        geqrf, self._ormqr = sla.get_lapack_funcs(("geqrf", "ormqr"), (A,))
        m, p = A.shape
        lwork = int(geqrf(A, lwork=-1)[2][0].real)  # workspace query
        self._qr, self._tau, _, info = geqrf(A, lwork=max(lwork, p, 1))
        if info != 0:  # only an illegal argument can make geqrf fail
            raise ValueError(f"LAPACK geqrf: illegal value in argument {-info}")
        self.shape = (m, p)
        self._lwork: dict[tuple[str, int], int] = {}
        self.R = np.triu(self._qr[:p])  # R.shape = (p, p)

    def _apply(self, trans: str, C: np.ndarray) -> np.ndarray:
        key = (trans, C.shape[1])
        if key not in self._lwork:  # workspace query, once per shape
            query = self._ormqr("L", trans, self._qr, self._tau, C, -1)[1][0]
            self._lwork[key] = max(int(query.real), 1)
        out, _, info = self._ormqr("L", trans, self._qr, self._tau, C, self._lwork[key])
        if info != 0:
            raise ValueError(f"LAPACK ormqr: illegal value in argument {-info}")
        return out

    def qt(self, F: np.ndarray) -> np.ndarray:
        """``Q.T @ F`` for F of shape (m, k); result (p, k)."""
        return self._apply("T", F)[: self.shape[1]]

    def q(self, V: np.ndarray) -> np.ndarray:
        """``Q @ V`` for V of shape (p, k); result (m, k)."""
        padded = np.zeros((self.shape[0], V.shape[1]), dtype=V.dtype, order="F")
        padded[: self.shape[1]] = V
        return self._apply("N", padded)


def _relative_change(delta: np.ndarray, value: np.ndarray, eps: float) -> float:
    """Largest componentwise ``|delta_i| / |value_i|``.

    Components below ``eps · max|value|`` of their column are measured against that
    floor instead, so exact zeros do not count as unconverged; all-zero columns count 0.
    """
    floor = eps * np.max(np.abs(value), axis=0)
    den = np.maximum(np.abs(value), floor).astype(np.float64)
    num = np.abs(delta).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(num == 0, 0.0, num / den)
    return float(np.max(ratio))


def _refined_augmented_solve(A, qr, b, c, eps):
    """Solve ``[[I, A], [Aᵀ, 0]] [r; x] = [b; c]`` with ``A = Q R``, refining iteratively.

    ``A`` (m, p) with m ≥ p and full column rank, in the extended dtype; ``qr`` its
    :class:`_HouseholderQR` in the working dtype.  ``b`` (m, k) or None (zero);
    ``c`` (p, k) or None (zero).  Tall least squares is ``b = y, c = 0`` (x is the
    solution, r the residual); the minimum-norm problem ``min ||w|| s.t. Aᵀw = c`` is
    ``b = 0`` (r = w is the solution).  Returns ``(r, x)`` in the extended dtype.
    """
    ext, work = A.dtype, qr.R.dtype
    m, p = A.shape
    k = (b if b is not None else c).shape[1]
    r = np.zeros((m, k), dtype=ext)
    x = np.zeros((p, k), dtype=ext)
    solution_is_x = c is None
    previous = np.inf
    for step in range(_MAX_SOLVES):
        # Residuals of both block rows, in extended precision (np.dot: numpy's matmul
        # loop for longdouble is ~3x slower).  The first solve starts from r = x = 0.
        if step == 0:
            f = np.zeros((m, k), dtype=work) if b is None else b.astype(work)
            g = np.zeros((p, k), dtype=work) if c is None else c.astype(work)
        else:
            f = -(r + np.dot(A, x)) if b is None else b - r - np.dot(A, x)  # b − r − A x
            g = -np.dot(A.T, r) if c is None else c - np.dot(A.T, r)  # c − Aᵀ r
            f, g = f.astype(work), g.astype(work)
        # Correction from the factors: h = R⁻ᵀ g, e = Qᵀ f, dx = R⁻¹(e − h), dr = f − Q(e − h).
        h = sla.solve_triangular(qr.R, g, trans="T", check_finite=False)
        e_minus_h = qr.qt(f) - h
        dx = sla.solve_triangular(qr.R, e_minus_h, check_finite=False)
        dr = f - qr.q(e_minus_h)
        delta, value = (dx, x + dx) if solution_is_x else (dr, r + dr)
        change = _relative_change(delta, value, eps)
        if change > previous:  # diverging: keep the last iterate
            break
        x += dx
        r += dr
        if change <= eps or change > _MIN_CONTRACTION * previous:
            break
        previous = change
    return r, x


def _min_norm_truncated(X, Y, rcond, ext):
    """Pseudo-inverse solution for numerically rank-deficient X, rank judged after equilibration.

    With ``A = X D`` (column equilibration, D diagonal powers of two) and the truncated
    SVD ``A_r = U_r S_r V_rᵀ``, every least-squares solution of ``X̃ w ≈ y`` with
    ``X̃ = A_r D⁻¹`` is ``w = D z``, ``z`` one of ``A_r``.  ``D A_r⁺ y`` is one of them but
    not the shortest (the pseudo-inverse is not scale-invariant); the shortest is its
    orthogonal projection onto the row space of X̃, ``range(D⁻¹ V_r)``.
    """
    e = _equilibrating_exponents(X, axis=0)
    A = np.ldexp(X, e)  # A = X D with D = diag(2**e), exact
    try:
        U, s, Vt = sla.svd(A, full_matrices=False, check_finite=False, lapack_driver="gesdd")
    except np.linalg.LinAlgError:
        U, s, Vt = sla.svd(A, full_matrices=False, check_finite=False, lapack_driver="gesvd")
    rank = int(np.count_nonzero(s > rcond * s[0]))
    d, k = X.shape[1], Y.shape[1]
    if rank == 0:
        return np.zeros((d, k), dtype=ext)
    U, s, Vt = U[:, :rank], s[:rank], Vt[:rank]
    z = Vt.T @ ((U.T @ Y) / s[:, None])  # z = A_r⁺ y; z.shape = (d, k)
    # w = D z: one least-squares solution of the truncated problem, in the extended
    # dtype because D may reach 2**1074 (subnormal columns).
    with np.errstate(over="ignore"):  # an answer beyond the working range is reported by the caller
        w = np.ldexp(z.astype(ext), e[:, None])
    # range(D⁻¹ V_r) = range(2**min(e) · D⁻¹ V_r): the common power of two keeps every
    # entry ≤ 1 however widely the column scales spread (2**-e alone may overflow).
    with np.errstate(under="ignore"):
        basis = np.ldexp(Vt.T, (e.min() - e)[:, None])
    row_space, _ = sla.qr(basis, mode="economic", check_finite=False)
    row_space = row_space.astype(ext)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.dot(row_space, np.dot(row_space.T, w))  # projection onto range(D⁻¹ V_r): the min-norm one


def _lstsq_checked(X: np.ndarray, Y2: np.ndarray, rcond: float) -> np.ndarray:
    """:func:`lstsq` on checked input: X (n, d) without zero columns, Y2 (n, k) of X's dtype."""
    n, d = X.shape
    ext = _extended_dtype(X.dtype)
    eps = np.finfo(X.dtype).eps
    tall = n >= d
    if tall:
        e = _equilibrating_exponents(X, axis=0)
        A = np.ldexp(X, e)  # A = X D, D = diag(2**e) (column equilibration, exact); (n, d)
    else:
        e = _equilibrating_exponents(X, axis=1)
        A = np.ldexp(X, e[:, None]).T  # A = (E X)ᵀ, E = diag(2**e) (row equilibration); (d, n)
    qr = _HouseholderQR(A)  # A = Q R
    s = sla.svdvals(qr.R, check_finite=False)  # singular values of A
    if s[0] == 0 or s[-1] <= rcond * s[0]:
        y_shifted, t = _shifted_targets(Y2)
        w = _min_norm_truncated(X, y_shifted, rcond, ext)
    elif tall:
        y_shifted, t = _shifted_targets(Y2)
        _, x = _refined_augmented_solve(A.astype(ext), qr, y_shifted.astype(ext), None, eps)
        with np.errstate(over="ignore"):  # reported by _working_result
            w = np.ldexp(x, e[:, None])  # undo the column scaling: w = D x
    else:
        c, t = _shifted_targets(Y2, e)  # E y, shifted
        w, _ = _refined_augmented_solve(A.astype(ext), qr, None, c.astype(ext), eps)
    with np.errstate(over="ignore", under="ignore"):
        return _working_result(np.ldexp(w, t), X.dtype)  # undo the target shift


def lstsq(X, y, *, rcond: float | None = None) -> np.ndarray:
    """Least squares, minimum-norm, or pseudo-inverse solution ``X⁺y`` (ridge with α → 0).

    Tall full-column-rank X gives the least-squares solution ``(XᵀX)⁻¹Xᵀy``, wide
    full-row-rank X the minimum-norm solution ``Xᵀ(XXᵀ)⁻¹y``, and any X the
    pseudo-inverse solution ``X⁺y`` after numerically negligible singular values are
    dropped.  Built to be accurate on ill-conditioned data (see Notes).

    Parameters
    ----------
    X : array_like of shape (n, d)
        Design matrix, rows are samples.  Decides the working dtype: float32 stays
        float32, float64 stays float64, integers and bools become float64.
    y : array_like of shape (n,) or (n, k)
        Targets, cast to the working dtype.
    rcond : float or None, keyword-only
        Singular values of the *equilibrated* X (see Notes) at or below
        ``rcond · s_max`` count as zero.  ``None`` means ``max(n, d) · eps`` of the
        working dtype.  Must be finite and ≥ 0.

    Returns
    -------
    coef : ndarray of shape (d,) or (d, k)
        The solution, in the working dtype; 2-D exactly when ``y`` is.

    Raises
    ------
    TypeError
        If X or y is complex, object or string, or rcond is not a real number.
    ValueError
        If X is not 2-D, y not 1-D/2-D, n or d is 0, the numbers of rows differ,
        X or y contains NaN or infinity, or rcond is negative or not finite.
    OverflowError
        If an entry of the solution is beyond the working dtype's range (e.g. X of
        order 1e-310 with y of order 1: coefficients of order 1e310).

    See Also
    --------
    fastridge.reference.lstsq_min_norm : the plain SVD definition this is tested against.
    numpy.linalg.lstsq, scipy.linalg.lstsq : no equilibration, no refinement.

    Notes
    -----
    *Equilibration.*  When ``n ≥ d`` the columns of X are scaled to 2-norm in [0.5, 1)
    (``A = X D``, the least-squares solution is ``D`` times that of ``A``); when
    ``n < d`` the rows are (``A = E X``; a full-row-rank system is consistent, so its
    solution set, and therefore its minimum-norm member, is unchanged).  The scale
    factors are powers of two, so scaling and unscaling are exact.  Column scaling
    alone turns, e.g., the NIST Filippelli degree-10 Vandermonde matrix from
    κ ≈ 2·10¹⁵ into κ ≈ 5·10⁹.
    Scale factors are applied as exponents (``ldexp``), so columns anywhere from
    subnormal to near the overflow threshold are handled, without warnings.  All-zero
    columns are set aside first and get coefficient 0, as in ``X⁺``.

    *Rank.*  A = QR (Householder, LAPACK geqrf) and the singular values of R (those of
    A) are compared with ``rcond · s_max``.  If none is negligible the problem is solved
    with the QR factors.  Otherwise the minimum-norm property needs care: the
    pseudo-inverse is not scale-invariant, so ``D A⁺ y`` is a least-squares solution
    but generally not the shortest.  The rank-deficient path therefore takes the
    truncated SVD of the column-equilibrated matrix, forms that least-squares solution
    and projects it orthogonally onto the row space of (the truncated) X, which gives
    exactly the minimum-norm solution of the truncated problem.

    *Refinement.*  The full-rank paths solve the augmented system
    ``[[I, A], [Aᵀ, 0]] [r; x] = [b; c]`` (least squares: ``b = y, c = 0``; minimum
    norm: ``b = 0, c = E y``, solution ``r``) and refine ``r`` and ``x`` together
    (Björck's method): residuals of both block rows in extended precision
    (``np.longdouble``, 80-bit on x86, for float64 input; float64 for float32 input),
    corrections from the same Q and R.  Refining ``r`` too is what removes the
    ``κ² · ||residual||`` error term of least squares.  Iteration stops when the
    correction is below eps relative to the solution, stops shrinking, or after
    10 solves.  The rank-deficient path is not refined.

    Cost: a QR of the equilibrated matrix, an SVD of its small triangular factor, and
    a few matrix–vector products in extended precision (these do not use BLAS, so a
    very wide ``y`` — e.g. ``y = I`` — is slow).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> lstsq(X, np.array([1.0, 2.0, 4.0])).round(6)
    array([0.833333, 1.5     ])
    >>> lstsq(np.array([[1.0, 1.0]]), np.array([2.0]))  # minimum norm
    array([1., 1.])
    """
    X = as_float_array(X, "X", ndims=(2,))
    Y = as_float_array(y, "y", dtype=X.dtype, ndims=(1, 2))
    n, d = X.shape
    check_same_rows(n, Y.shape[0], "y")
    check_lapack_dims(n=n, d=d, n_times_d=n * d)
    if rcond is None:
        rcond = spectral_cutoff(n, d, X.dtype)
    else:
        rcond = check_scalar(rcond, "rcond", low=0.0)

    one_target = Y.ndim == 1
    Y2 = Y[:, None] if one_target else Y  # Y2.shape = (n, k)
    # An all-zero column gets coefficient 0 exactly ([X₁ 0]⁺ = [X₁⁺; 0]): solve without
    # it, so that it cannot push an otherwise full-rank problem onto the truncated path.
    used = np.any(X != 0, axis=0)
    if used.all():
        coef = _lstsq_checked(X, Y2, rcond)
    else:
        coef = np.zeros((d, Y2.shape[1]), dtype=X.dtype)
        if used.any():
            coef[used] = _lstsq_checked(X[:, used], Y2, rcond)
    return coef[:, 0] if one_target else coef
