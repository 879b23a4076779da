"""Ridge regression through the compiled drivers, and the registry of its solvers.

:func:`ridge` is the public entry point.  :func:`solve_checked` is the internal one for
callers (estimators, paths) that already hold validated arrays; :func:`solve_gram` solves
from a Gram matrix and right-hand side (streaming and Dask statistics).

``SOLVERS`` maps each solver name to a :class:`Solver`: what it factors, whether it can
work from d×d statistics (``partial_fit``, Dask), whether it accepts ``scipy.sparse`` X
(:mod:`fastridge._sparse`), whether it is iterative, and which reference function in
:mod:`fastridge.reference` it must equal.  The estimators' ``solver`` parameter, the
streaming and Dask solves and the CLI's ``--solver`` choices all come from it.  Adding a
solver: one entry here, its reference, its test (the tests are parametrized over it).
The numerical rules (when ``"auto"`` leaves Cholesky, which directions count) live in
:mod:`fastridge._policy`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from scipy.linalg import lapack

from . import _policy, _ridge, _sparse
from ._validation import (check_alpha, check_choice, check_sample_weight, check_X_y,
                          is_sparse)

_NO_WEIGHTS = {np.dtype(np.float32): np.empty(0, np.float32),
               np.dtype(np.float64): np.empty(0, np.float64)}
_NO_GROUP = np.empty(0, np.int32)


def svd_factor(X, sqrt_sw=None, xmean=None):
    """Thin SVD ``(U, s, Vt)`` of ``S^½ (X − 1x̄ᵀ)`` through the compiled ?gesdd driver.

    ``sqrt_sw`` (n,) square roots of the weights and ``xmean`` (d,) column means are
    optional (``None``); the weighted, centred matrix is formed in ?gesdd's work copy,
    not in an extra one.
    """
    n, d = X.shape
    r = min(n, d)
    U = np.empty((n, r), dtype=X.dtype, order="F")
    s = np.empty(r, dtype=X.dtype)
    Vt = np.empty((r, d), dtype=X.dtype, order="F")
    none = _NO_WEIGHTS[X.dtype]
    info = _ridge.svd_factor(X, none if sqrt_sw is None else sqrt_sw,
                             none if xmean is None else xmean, U, s, Vt)
    if info < 0:
        raise MemoryError("could not allocate the SVD work space")
    if info > 0:
        raise np.linalg.LinAlgError(f"SVD did not converge (?gesdd info={info})")
    return U, s, Vt


def svd_solve(X, y, alphas, sw=None, rcond=None, center=None):
    """coef (d,) or (d, k) = V diag(s/(s² + α_j)) Uᵀ S^½ y_j for every target j.

    ``center=(xmean, ymean)`` solves for the centred data X − x̄, y − ȳ instead.
    Directions are cut at ``rcond`` (default :func:`fastridge._policy.spectral_cutoff`).
    """
    n, d = X.shape
    sqrt_sw = None if sw is None else np.sqrt(sw)
    U, s, Vt = svd_factor(X, sqrt_sw, None if center is None else center[0])
    if rcond is None:
        rcond = _policy.spectral_cutoff(n, d, X.dtype)
    Y = y[:, None] if y.ndim == 1 else y  # Y.shape = (n, k)
    if center is not None:
        Y = Y - center[1]
    if sqrt_sw is not None:
        Y = sqrt_sw[:, None] * Y
    UtY = U.T @ Y  # UtY.shape = (r, k)
    coef = Vt.T @ (_policy.shrinkage(s, alphas, rcond).astype(X.dtype) * UtY)
    return coef[:, 0] if y.ndim == 1 else coef


def _nonfinite_error(X) -> ValueError:
    if not _ridge.all_finite(X):
        return ValueError("X contains NaN or infinity; expected only finite values")
    return overflow_error(X.dtype, "use solver='svd'")


def overflow_error(dtype, remedy: str = "") -> ValueError:
    """The one message for finite X whose Gram matrix overflows in ``dtype``."""
    dtype = np.dtype(dtype)
    hint = " or use float64" if dtype == np.float32 else ""
    remedy = f", {remedy}" if remedy else ""
    return ValueError(
        f"X is too large in magnitude: its Gram matrix overflows in {dtype}; "
        f"rescale X{remedy}{hint}"
    )


def _alpha_groups(alphas):
    """Distinct penalties and, for several, each target's index into them (int32)."""
    if alphas.size == 1 or (alphas == alphas[0]).all():  # one α for every target
        return alphas[:1], _NO_GROUP
    uniq, inverse = np.unique(alphas, return_inverse=True)
    return uniq, inverse.astype(np.int32)


def _cholesky(dual: bool):
    """The in-memory solve of the primal (d×d) or dual (n×n) Cholesky driver."""
    name = "dual" if dual else "primal"

    def solve(X, y, alphas, sw, center, auto, **options):
        """``(coef, None)``, or ``(None, "fallback")`` when ``auto`` should take the SVD."""
        uniq, group = _alpha_groups(alphas)
        none = _NO_WEIGHTS[X.dtype]
        out, info, failed, rcond = _ridge.cholesky_solve(
            dual, X, y, uniq, group, none if sw is None else sw,
            none if center is None else center[0], none if center is None else center[1],
            True, _policy.centring_limit(X.dtype),
        )
        if info == _ridge.NONFINITE:
            if auto and _ridge.all_finite(X):
                return None, "fallback"  # finite X whose squares overflow: the SVD never forms them
            raise _nonfinite_error(X)
        if info < 0:
            raise MemoryError("could not allocate the Gram matrix work space")
        m = X.shape[1 if not dual else 0]
        verdict = _policy.cholesky_verdict(info, rcond, m, X.dtype, auto)
        if verdict == "fallback":
            return None, verdict
        if verdict == "refuse":
            raise _policy.not_pd_error(uniq[max(failed, 0)], SOLVERS[name].factors,
                                       info=info, rcond=rcond, m=m, dtype=X.dtype)
        return out, None

    return solve


def _svd_in_memory(X, y, alphas, sw, center, auto, **options):
    return svd_solve(X, y, alphas, sw, center=center), None


def _cg_in_memory(X, y, alphas, sw, center, auto, tol=None, max_iter=None, report=None):
    """Conjugate gradients on dense X (:func:`fastridge._sparse.conjugate_gradients`
    through the same centred operator as sparse X): the d side when n >= d, else the n
    side."""
    n, d = X.shape
    Y = y.reshape(n, -1)  # Y.shape = (n, k)
    alphas = np.broadcast_to(alphas, (Y.shape[1],)).copy()
    side = "primal" if n >= d else "dual"
    tol = _policy.iterative_tolerance(X.dtype) if tol is None else tol
    max_iter = 10 * min(n, d) if max_iter is None else max_iter
    if center is not None:  # the operator centres on its own (float64) weighted means
        coef, _, info = _sparse._cg_solve(X, Y, alphas, sw, True, side, tol, max_iter, None)
    else:
        coef, _, info = _sparse._cg_solve(X, Y, alphas, sw, False, side, tol, max_iter, None)
    if report is not None:
        report.update(info)
    if not info["converged"]:
        _sparse.warn_not_converged(info, tol, stacklevel=4)
    coef = coef.astype(X.dtype, copy=False)
    return (coef[:, 0] if y.ndim == 1 else coef), None


@dataclass(frozen=True)
class Solver:
    """One entry of the solver registry.

    Attributes
    ----------
    name : str
        The value of ``solver=`` that selects it.
    factors : str
        What it decomposes, as error messages name it.
    solve : callable or None
        ``solve(X, y, alphas, sw, center, auto, **options) -> (coef, None |
        "fallback")`` on validated dense arrays (``options``: ``tol``, ``max_iter``,
        ``report`` for an iterative entry; ignored by the others); ``None`` for
        ``"auto"``, which picks another entry.
    from_statistics : bool
        Whether it can solve from the d×d statistics ``XᵀX``, ``XᵀY`` alone
        (``partial_fit``, Dask); a solver that needs the rows is refused there.
    reference : str
        The :mod:`fastridge.reference` function its answers must equal.
    sparse : bool
        Whether it accepts ``scipy.sparse`` X (:func:`fastridge._sparse.solve` runs it
        without densifying X); a dense-only entry is refused on sparse X by name.
    iterative : bool
        Whether its answers are accurate to its ``tol`` (default
        :func:`fastridge._policy.iterative_tolerance`) rather than to rounding.
    """

    name: str
    factors: str
    solve: Optional[Callable]
    from_statistics: bool
    reference: str
    sparse: bool = False
    iterative: bool = False


SOLVERS = {
    "auto": Solver("auto", "the Gram matrix", None, True, "ridge_normal_equations",
                   sparse=True),
    "primal": Solver("primal", "XᵀX + αI", _cholesky(False), True,
                     "ridge_normal_equations", sparse=True),
    "dual": Solver("dual", "XXᵀ + αI", _cholesky(True), False, "ridge_dual", sparse=True),
    "svd": Solver("svd", "the thin SVD of X", _svd_in_memory, True, "ridge_svd"),
    # Conjugate gradients on the normal equations (d side) or the kernel system (n side)
    # solve §1.1 / §1.6 iteratively; their answer is the normal equations' one.
    "cg": Solver("cg", "nothing (conjugate gradients on XcᵀSXc + αI or its n×n dual)",
                 _cg_in_memory, False, "ridge_normal_equations", sparse=True,
                 iterative=True),
}

STATISTICS_SOLVERS = tuple(name for name, s in SOLVERS.items() if s.from_statistics)
SPARSE_SOLVERS = tuple(name for name, s in SOLVERS.items() if s.sparse)


def check_solver(solver, *, statistics: bool = False, sparse: bool = False) -> str:
    """Return ``solver`` when the registry has it (and, with ``statistics``, when it can
    solve from d×d statistics; with ``sparse``, when it accepts sparse X); the one
    message otherwise."""
    if not (statistics or sparse) and type(solver) is str and solver in SOLVERS:
        return solver  # the common case, on every fit
    if statistics and solver in SOLVERS and not SOLVERS[solver].from_statistics:
        raise ValueError(
            f"solver={solver!r} needs all rows at once (it factors {SOLVERS[solver].factors}"
            f" over the samples); statistics-based fits (partial_fit, Dask) keep d×d "
            f"statistics: use one of {STATISTICS_SOLVERS}"
        )
    if sparse and solver in SOLVERS and not SOLVERS[solver].sparse:
        raise ValueError(
            f"solver={solver!r} needs dense X (it factors {SOLVERS[solver].factors}); "
            f"X is a scipy.sparse matrix, which fastridge never densifies: use one of "
            f"{SPARSE_SOLVERS} (or pass X.toarray())"
        )
    return check_choice(solver, "solver", STATISTICS_SOLVERS if statistics else SOLVERS)


def auto_choice(n: int, d: int, alphas) -> str:
    """What ``"auto"`` tries first: svd for any α = 0, else primal (n >= d) or dual."""
    if (alphas[0] == 0) if alphas.size == 1 else not alphas.all():
        return "svd"
    return "primal" if n >= d else "dual"


def solve_checked(X, y, alphas, sw=None, solver="auto", center=None, x_checked=True, *,
                  tol=None, max_iter=None, report=None):
    """Solve ridge for validated arrays; return ``(coef, solver that ran)``.

    ``X`` (n, d) and ``y`` (n,) or (n, k) are C- or F-contiguous in one float dtype,
    ``alphas`` float64 of shape (1,) or (k,), ``sw`` ``None`` or (n,) weights in X's
    dtype.  ``coef`` is (d,) or (d, k) like ``y``.  ``center=(xmean (d,), ymean (k,))``
    in X's dtype solves for X − x̄ and y − ȳ (the intercept model) without a centred
    copy of X: the Cholesky drivers centre row (primal) or column (dual) blocks.
    ``x_checked=False``: X has not been checked for NaN/inf yet; the Cholesky drivers
    see them on the Gram diagonal at no cost, the SVD path checks X first.
    ``solver="auto"`` starts from :func:`auto_choice` and falls back to svd when
    :func:`fastridge._policy.cholesky_verdict` says so; an explicit Cholesky solver
    raises ``LinAlgError`` where it says ``"refuse"``.

    Sparse X (validated by :func:`fastridge._validation.check_sparse`) goes to
    :func:`fastridge._sparse.solve` with a sparse-capable entry (others raise
    ``ValueError``); ``center`` is then ``None`` or ``True`` (any value but None: the
    sparse routes centre on float64 weighted means of their own, exactly where
    needed), and ``report["intercept"]`` receives the intercept (k,) they imply.
    ``tol``, ``max_iter`` steer an iterative entry, ``report`` (dict) receives its
    iteration count and error estimate.
    """
    if is_sparse(X):
        check_solver(solver, sparse=True)
        coef, intercept, ran = _sparse.solve(X, y, alphas, sw, solver, center is not None,
                                             tol=tol, max_iter=max_iter, report=report)
        if report is not None:
            report["intercept"] = intercept
        coef = coef.astype(X.dtype, copy=False)
        return (coef[:, 0] if y.ndim == 1 else coef), ran
    auto = solver == "auto"
    chosen = auto_choice(*X.shape, alphas) if auto else solver
    if chosen == "svd" and not x_checked and not _ridge.all_finite(X):
        raise _nonfinite_error(X)
    options = {} if tol is None and max_iter is None and report is None else {
        "tol": tol, "max_iter": max_iter, "report": report}
    coef, fallback = SOLVERS[chosen].solve(X, y, alphas, sw, center, auto, **options)
    if fallback:
        chosen = "svd"
        coef, _ = SOLVERS[chosen].solve(X, y, alphas, sw, center, auto)
    return coef, chosen


def solve_gram(G, R, alphas, solver: str, dtype, n: int, *, growth: float = 1.0,
               overwrite: bool = False, which: str = "primal"):
    """Ridge from a symmetric Gram matrix: ``(coef (d, k) float64, solver that ran)``.

    ``G`` (d, d) float64 ``XᵀX`` (centred or not) and ``R`` (d, k) ``XᵀY``; ``alphas``
    float64 of shape (k,) (or (1,) for all); ``dtype`` the working dtype of the data (it
    sets the precision the policy asks of the factorization); ``n`` the number of rows.
    ``"primal"``/``"dual"`` and ``"auto"`` factor ``G + αI`` per distinct α and ask
    :func:`fastridge._policy.cholesky_verdict` (auto then falls back), with the condition
    estimate divided by ``growth``, the error growth of a centring by subtraction
    (docs/math.md §7.2, §8); ``"svd"`` is the eigendecomposition of G with
    :func:`fastridge._policy.eigen_filter` — the same shrinkage as the SVD of X, except
    that eigenvalues below ``max(n, d)·eps64·λ_max`` (singular values below about
    ``sqrt(max(n, d)·eps)·s_max``) count as zero.  The same code serves the n×n kernel
    ``XXᵀ`` with ``which="dual"`` (its name in errors).

    ``overwrite=True`` (a full symmetric, F-ordered G the caller gives up): factor in
    place, so the peak memory is G itself.  ?potrf writes only the upper triangle, so G
    is restored from its lower triangle and a saved diagonal for another α or the
    eigendecomposition; G's contents are undefined afterwards.
    """
    d, k = R.shape
    auto = solver == "auto"
    chosen = auto_choice(d, d, alphas) if auto else solver
    if alphas.size == 1 and k > 1:
        alphas = np.full(k, alphas[0])
    overwrite = overwrite and G.flags.f_contiguous and G.dtype == np.float64
    diag = G.diagonal().copy() if overwrite else None
    factored = False
    if chosen != "svd":
        coef = np.empty((d, k))
        anorm = _sparse.norm1(G) if overwrite else np.abs(G).sum(axis=0).max()
        for a in np.unique(alphas):
            cols = np.flatnonzero(alphas == a)
            if overwrite:
                if factored:  # the upper triangle holds the last factor
                    _sparse.lower_to_upper(G)
                A = G
                A[np.diag_indices_from(A)] = diag + a
            else:
                A = np.array(G, order="F")
                A[np.diag_indices_from(A)] += a
            c, info = lapack.dpotrf(A, lower=0, clean=0, overwrite_a=1)
            factored = True
            rcond = lapack.dpocon(c, anorm + a, uplo="U")[0] if info == 0 else 0.0
            verdict = _policy.cholesky_verdict(info, rcond / growth, d, dtype, auto)
            if verdict == "fallback":
                chosen = "svd"
                break
            if verdict == "refuse":
                raise _policy.not_pd_error(a, SOLVERS[which].factors, info=info,
                                           rcond=rcond / growth, m=d, dtype=dtype)
            coef[:, cols] = lapack.dpotrs(c, R[:, cols], lower=0)[0]
    if chosen == "svd":
        if overwrite:
            if factored:
                _sparse.lower_to_upper(G)
            G[np.diag_indices_from(G)] = diag
            coef = eigen_solve(G, R, alphas, n, lam_Q=_eigh_inplace(G))
        else:
            coef = eigen_solve(G, R, alphas, n)
    return coef, chosen


def _eigh_inplace(G):
    """``eigh(G)`` overwriting G (its lower triangle is read)."""
    from scipy.linalg import eigh
    return eigh(G, overwrite_a=True, check_finite=False, driver="evd")


def eigen_path(G, R, alphas, n):
    """:func:`eigen_solve` for every α in ``alphas`` at once: (n_alphas, d, k) float64,
    from one eigendecomposition of G."""
    lam, Q = np.linalg.eigh(G)
    QtR = Q.T @ R  # QtR.shape = (d, k)
    F = _policy.eigen_filter(lam, alphas, n=n, d=G.shape[0])  # F.shape = (d, n_alphas)
    return np.matmul(Q, F.T[:, :, None] * QtR[None])  # (n_alphas, d, k)


def eigen_solve(G, R, alphas, n, lam_Q=None):
    """``w = Q diag(1/(λ + α)) Qᵀ R`` per target, dropping λ at the eigh noise level.

    The Gram-matrix form of the SVD solution ``V diag(s/(s² + α)) Uᵀ y`` (λ = s²); with
    α = 0 it is the pseudo-inverse solution.  ``alphas`` (1,) or (k,), or ``lam_Q`` the
    precomputed ``numpy.linalg.eigh(G)``.  Returns (d, k) float64.
    """
    lam, Q = np.linalg.eigh(G) if lam_Q is None else lam_Q
    QtR = Q.T @ R  # QtR.shape = (d, k)
    return Q @ (_policy.eigen_filter(lam, alphas, n=n, d=G.shape[0]) * QtR)


def ridge(X, y, alpha=1.0, *, solver: str = "auto", sample_weight=None,
          check_finite: bool = True, tol=None, max_iter=None) -> np.ndarray:
    """Ridge regression coefficients, no intercept.

    Solves ``min_w ||S^½ (y − X w)||² + α ||w||²`` for every target (docs/math.md §1).

    Parameters
    ----------
    X : array_like or scipy.sparse matrix/array of shape (n_samples, n_features)
        Training data.  Its dtype is the working dtype: float32 stays float32, float64
        stays float64, integers and bools become float64.  C- or F-ordered arrays are used
        without a copy by the Cholesky solvers.  Sparse X (CSR, CSC, COO, ...) is never
        densified: see ``solver``.
    y : array_like of shape (n_samples,) or (n_samples, n_targets)
        Targets, cast to the working dtype (dense; sparse y raises ``TypeError``).
    alpha : float or array_like of shape (n_targets,), default=1.0
        Penalty ``α >= 0``; one per target if an array.  Targets that share an α share
        one factorization.
    solver : {"auto", "primal", "dual", "svd", "cg"}, default="auto"
        ``"primal"`` factors ``XᵀX + αI`` (d×d), ``"dual"`` factors ``XXᵀ + αI`` (n×n),
        ``"svd"`` uses a thin SVD of X (the only one that allows α = 0 on rank-deficient
        data; dense X only), ``"cg"`` runs preconditioned conjugate gradients to ``tol``.
        ``"auto"`` picks primal when n >= d, dual when d > n, svd when any α is 0,
        and falls back to svd when the Cholesky factorization fails or the Gram matrix is
        too ill-conditioned for the working precision.  On sparse X it picks among
        primal, dual (Gram matrices accumulated over the nonzeros) and cg by their
        estimated cost (:func:`fastridge._policy.sparse_plan`).
    sample_weight : array_like of shape (n_samples,) or float, optional
        Non-negative weights ``s_i``.
    check_finite : bool, default=True
        Check that X, y hold no NaN or infinity.  Turning it off saves a pass over the
        data; non-finite input then gives undefined results.
    tol : float, optional
        ``"cg"`` only: stop when the estimated relative error of the coefficients is
        below ``tol`` (default ``sqrt(eps)`` of the working dtype, 1.5e-8 in float64).
    max_iter : int, optional
        ``"cg"`` only: at most this many iterations (default 10 × the system's order);
        reaching it warns.

    Returns
    -------
    coef : ndarray of shape (n_features,) or (n_features, n_targets)
        In the working dtype.

    Raises
    ------
    ValueError
        Bad shapes, empty input, negative or non-finite α or weights, NaN/inf in data.
    TypeError
        Complex, object or string arrays.
    numpy.linalg.LinAlgError
        ``solver="primal"`` or ``"dual"`` met a matrix that is not positive definite.

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> fr.ridge(X, np.array([1.0, 2.0, 3.0]), alpha=1.0).round(4)
    array([1., 1.])
    """
    check_solver(solver)
    X, y = check_X_y(X, y, check_finite=check_finite, defer_x_finite=True,
                     accept_sparse=True)
    alphas = check_alpha(alpha, 1 if y.ndim == 1 else y.shape[1])
    sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    tol, max_iter = check_iterative(tol, max_iter)
    return solve_checked(X, y, alphas, sw, solver, x_checked=not check_finite, tol=tol,
                         max_iter=max_iter)[0]


def check_iterative(tol, max_iter):
    """``tol`` (None or > 0) and ``max_iter`` (None or an integer >= 1), checked."""
    if tol is None and max_iter is None:  # the direct solvers' case, on every fit
        return None, None
    from ._validation import check_scalar
    if tol is not None:
        tol = check_scalar(tol, "tol", low=0, low_inclusive=False)
    if max_iter is not None:
        max_iter = check_scalar(max_iter, "max_iter", low=1, integer=True)
    return tol, max_iter
