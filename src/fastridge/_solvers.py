"""Ridge regression through the compiled drivers: validation once, then the solver.

:func:`ridge` is the public entry point.  :func:`solve_checked` is the internal one for
callers (estimators, paths) that already hold validated arrays.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from . import _ridge
from ._validation import INT32_MAX, as_float_array, check_lapack_dims

SOLVERS = ("auto", "primal", "dual", "svd")

_NO_WEIGHTS = {np.dtype(np.float32): np.empty(0, np.float32),
               np.dtype(np.float64): np.empty(0, np.float64)}
_NO_GROUP = np.empty(0, np.int32)
# Auto falls back to SVD when the estimated 1/cond of the factored Gram is below this:
# a Cholesky solve then keeps fewer than about half of the working precision's digits.
_RCOND_FALLBACK = {dt: math.sqrt(float(np.finfo(dt).eps)) for dt in _NO_WEIGHTS}


def check_X_y(X, y, *, check_finite=True, defer_x_finite=False):
    """Validate ``X`` (n, d) and ``y`` (n,) or (n, k); ``y`` takes X's working dtype.

    ``defer_x_finite=True`` skips the finiteness pass over X: the caller then hands X to
    :func:`solve_checked` with ``x_checked=False``, which checks it for free (Cholesky)
    or explicitly (SVD).
    """
    X = as_float_array(X, "X", ndims=(2,), check_finite=check_finite and not defer_x_finite)
    y = as_float_array(y, "y", dtype=X.dtype, ndims=(1, 2), check_finite=check_finite)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} samples but y has {y.shape[0]}; they must match"
        )
    if max(X.shape) > INT32_MAX or y.ndim == 2 and y.shape[1] > INT32_MAX:
        check_lapack_dims(n_samples=X.shape[0], n_features=X.shape[1],
                          n_targets=y.shape[1] if y.ndim == 2 else 1)
    return X, y


def check_alpha(alpha, n_targets: int) -> np.ndarray:
    """Return the penalties as a float64 array of shape (1,) or (n_targets,)."""
    if type(alpha) is float or type(alpha) is int:
        if 0 <= alpha < math.inf:  # fast path for the common scalar
            return np.array((alpha,), dtype=np.float64)
        raise ValueError(f"alpha must be finite and >= 0; got {alpha!r}")
    a = np.asarray(alpha)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"alpha must be a real number or an array of them; got {alpha!r}")
    a = a.astype(np.float64).reshape(-1) if a.ndim <= 1 else None
    if a is None or a.size not in (1, n_targets):
        got = np.shape(alpha)
        raise ValueError(
            f"alpha must be a scalar or have shape ({n_targets},) (one per target); "
            f"got shape {got}"
        )
    if not np.isfinite(a).all() or (a < 0).any():
        raise ValueError(f"alpha must be finite and >= 0; got {alpha!r}")
    return a


def check_sample_weight(sample_weight, n: int, dtype) -> Optional[np.ndarray]:
    """Return ``None`` or the (n,) non-negative, finite weights in ``dtype``."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight)
    if sw.ndim == 0:
        sw = np.full(n, sw)
    sw = as_float_array(sw, "sample_weight", dtype=dtype, ndims=(1,))
    if sw.shape[0] != n:
        raise ValueError(
            f"sample_weight has {sw.shape[0]} entries but X has {n} samples; they must match"
        )
    if (sw < 0).any():
        raise ValueError("sample_weight must be >= 0; got negative entries")
    if not sw.any():
        raise ValueError("sample_weight must not be all zero; no sample would count")
    return np.ascontiguousarray(sw)


def _not_pd_error(info: int, alpha: float, solver: str) -> np.linalg.LinAlgError:
    which = "XᵀX + αI" if solver == "primal" else "XXᵀ + αI"
    return np.linalg.LinAlgError(
        f"{info}-th leading minor of {which} (alpha={alpha:g}) is not positive definite; "
        "use solver='svd' or a larger alpha"
    )


def svd_factor(X, sw=None, xmean=None):
    """Thin SVD ``(U, s, Vt)`` of ``S^½ (X − 1x̄ᵀ)`` through the compiled ?gesdd driver.

    ``sw`` (n,) weights and ``xmean`` (d,) column means are optional (``None``); the
    weighted, centred matrix is formed in ?gesdd's work copy, not in an extra one.
    """
    n, d = X.shape
    r = min(n, d)
    U = np.empty((n, r), dtype=X.dtype, order="F")
    s = np.empty(r, dtype=X.dtype)
    Vt = np.empty((r, d), dtype=X.dtype, order="F")
    sqrt_sw = _NO_WEIGHTS[X.dtype] if sw is None else np.sqrt(sw)
    xmean = _NO_WEIGHTS[X.dtype] if xmean is None else xmean
    info = _ridge.svd_factor(X, sqrt_sw, xmean, U, s, Vt)
    if info < 0:
        raise MemoryError("could not allocate the SVD work space")
    if info > 0:
        raise np.linalg.LinAlgError(f"SVD did not converge (?gesdd info={info})")
    return U, s, Vt


def default_rcond(n: int, d: int, dtype) -> float:
    """Relative singular-value cutoff used when none is given: ``max(n, d) · eps``."""
    return max(n, d) * float(np.finfo(dtype).eps)


def shrinkage(s, alphas, rcond):
    """Shrinkage factors ``s/(s² + α)``: shape (r, 1) for one α, (r, k) for one per target.

    Singular values at or below ``rcond · s_max`` are treated as exactly zero (factor 0),
    which makes α = 0 the pseudo-inverse.
    """
    s = s.astype(np.float64)
    keep = s > rcond * s[0] if s[0] > 0 else np.zeros(s.shape, bool)
    s_safe = np.where(keep, s, 1.0)[:, None]
    # s/(s² + α) written as 1/(s + α/s): s² overflows for |X| > 1e154 (float64), this not
    denom = s_safe + alphas[None, :] / s_safe  # denom.shape = (r, 1) or (r, k)
    return np.where(keep[:, None], 1.0 / denom, 0.0)


def svd_solve(X, y, alphas, sw=None, rcond=None, center=None):
    """coef (d,) or (d, k) = V diag(s/(s² + α_j)) Uᵀ S^½ y_j for every target j.

    ``center=(xmean, ymean)`` solves for the centred data X − x̄, y − ȳ instead.
    """
    n, d = X.shape
    U, s, Vt = svd_factor(X, sw, None if center is None else center[0])
    if rcond is None:
        rcond = default_rcond(n, d, X.dtype)
    Y = y[:, None] if y.ndim == 1 else y  # Y.shape = (n, k)
    if center is not None:
        Y = Y - center[1]
    if sw is not None:
        Y = np.sqrt(sw)[:, None] * Y
    UtY = U.T @ Y  # UtY.shape = (r, k)
    coef = Vt.T @ (shrinkage(s, alphas, rcond).astype(X.dtype) * UtY)
    return coef[:, 0] if y.ndim == 1 else coef


def _nonfinite_error(X) -> ValueError:
    if not _ridge.all_finite(X):
        return ValueError("X contains NaN or infinity; expected only finite values")
    hint = " or use float64" if X.dtype == np.float32 else ""
    return ValueError(
        f"X is too large in magnitude: its Gram matrix overflows in {X.dtype}; "
        f"rescale X, use solver='svd'{hint}"
    )


def solve_checked(X, y, alphas, sw=None, solver="auto", center=None, x_checked=True):
    """Solve ridge for validated arrays; return ``(coef, solver that ran)``.

    ``X`` (n, d) and ``y`` (n,) or (n, k) are C- or F-contiguous in one float dtype,
    ``alphas`` float64 of shape (1,) or (k,), ``sw`` ``None`` or (n,) weights in X's
    dtype.  ``coef`` is (d,) or (d, k) like ``y``.  ``center=(xmean (d,), ymean (k,))``
    in X's dtype solves for X − x̄ and y − ȳ (the intercept model) without a centred
    copy of X: the Cholesky drivers centre row (primal) or column (dual) blocks.
    ``x_checked=False``: X has not been checked for NaN/inf yet; the Cholesky drivers
    see them on the Gram diagonal at no cost, the SVD path checks X first.
    ``solver="auto"`` picks primal for n >= d, dual for d > n and svd for α = 0, and falls
    back to svd when the Cholesky factorization fails or its condition estimate shows
    the Gram matrix too ill-conditioned for the working precision.
    """
    n, d = X.shape
    if solver == "auto":
        if (alphas[0] == 0) if alphas.size == 1 else not alphas.all():
            chosen = "svd"
        else:
            chosen = "primal" if n >= d else "dual"
    else:
        chosen = solver
    if chosen == "svd":
        if not x_checked and not _ridge.all_finite(X):
            raise _nonfinite_error(X)
        return svd_solve(X, y, alphas, sw, center=center), "svd"

    if alphas.size == 1 or (alphas == alphas[0]).all():  # one α for every target
        uniq, group = alphas[:1], _NO_GROUP
    else:
        uniq, inverse = np.unique(alphas, return_inverse=True)
        group = inverse.astype(np.int32)
    estimate = solver == "auto"
    none = _NO_WEIGHTS[X.dtype]
    out, info, failed, rcond = _ridge.cholesky_solve(
        chosen == "dual", X, y, uniq, group, none if sw is None else sw,
        none if center is None else center[0], none if center is None else center[1],
        estimate,
    )
    if info == _ridge.NONFINITE:
        if estimate and _ridge.all_finite(X):
            # finite X whose squares overflow: the SVD never forms them
            return svd_solve(X, y, alphas, sw, center=center), "svd"
        raise _nonfinite_error(X)
    if info < 0:
        raise MemoryError("could not allocate the Gram matrix work space")
    if estimate and (info > 0 or rcond < _RCOND_FALLBACK[X.dtype]):
        # Not positive definite, or too ill-conditioned for Cholesky in this precision.
        return svd_solve(X, y, alphas, sw, center=center), "svd"
    if info > 0:
        raise _not_pd_error(info, uniq[failed], chosen)
    return out, chosen


def ridge(X, y, alpha=1.0, *, solver: str = "auto", sample_weight=None,
          check_finite: bool = True) -> np.ndarray:
    """Ridge regression coefficients, no intercept.

    Solves ``min_w ||S^½ (y − X w)||² + α ||w||²`` for every target (SPEC §1).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Training data.  Its dtype is the working dtype: float32 stays float32, float64
        stays float64, integers and bools become float64.  C- or F-ordered arrays are used
        without a copy by the Cholesky solvers.
    y : array_like of shape (n_samples,) or (n_samples, n_targets)
        Targets, cast to the working dtype.
    alpha : float or array_like of shape (n_targets,), default=1.0
        Penalty ``α >= 0``; one per target if an array.  Targets that share an α share
        one factorization.
    solver : {"auto", "primal", "dual", "svd"}, default="auto"
        ``"primal"`` factors ``XᵀX + αI`` (d×d), ``"dual"`` factors ``XXᵀ + αI`` (n×n),
        ``"svd"`` uses a thin SVD of X (the only one that allows α = 0 on rank-deficient
        data).  ``"auto"`` picks primal when n >= d, dual when d > n, svd when any α is 0,
        and falls back to svd when the Cholesky factorization fails or the Gram matrix is
        too ill-conditioned for the working precision.
    sample_weight : array_like of shape (n_samples,) or float, optional
        Non-negative weights ``s_i``.
    check_finite : bool, default=True
        Check that X, y hold no NaN or infinity.  Turning it off saves a pass over the
        data; non-finite input then gives undefined results.

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
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}; got {solver!r}")
    X, y = check_X_y(X, y, check_finite=check_finite, defer_x_finite=True)
    alphas = check_alpha(alpha, 1 if y.ndim == 1 else y.shape[1])
    sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    return solve_checked(X, y, alphas, sw, solver, x_checked=not check_finite)[0]
