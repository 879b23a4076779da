"""Plain NumPy references for everything fastridge computes.

Readable first, fast never: each function is written to be read next to the formula in
SPEC.md that its docstring cites.  The compiled paths are tested against these, and the
benchmarks time both.  No input validation beyond what NumPy itself does.

Notation: ``X`` is (n, d), rows are samples; ``y`` is (n,) or ``Y`` is (n, k);
``alpha`` >= 0 is the ridge penalty.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "ridge_normal_equations",
    "ridge_dual",
    "ridge_svd",
    "ridge_map",
    "ridge_fake_data",
    "ridge_fake_features",
    "lstsq_min_norm",
]


# --------------------------------------------------------------------------------------
# §1 Ridge regression, five ways to see one answer
# --------------------------------------------------------------------------------------

def ridge_normal_equations(X, y, alpha):
    """Primal normal equations: solve ``(XᵀX + αI_d) w = Xᵀy``.

    SPEC §1 view 1.  Cost n·d² + d³/3.

    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_normal_equations(X, np.array([1.0, 2.0, 3.0]), 1.0).round(4)
    array([1.1176, 0.9412])
    """
    d = X.shape[1]
    return np.linalg.solve(X.T @ X + alpha * np.eye(d), X.T @ y)


def ridge_dual(X, y, alpha):
    """Dual (kernel) form: ``w = Xᵀ (XXᵀ + αI_n)⁻¹ y``.

    SPEC §1 view 1′, equal to the primal by the push-through identity
    ``(XᵀX + αI)⁻¹Xᵀ = Xᵀ(XXᵀ + αI)⁻¹``.  Cost d·n² + n³/3; needs α > 0
    unless X has full row rank.
    """
    n = X.shape[0]
    return X.T @ np.linalg.solve(X @ X.T + alpha * np.eye(n), y)


def ridge_svd(X, y, alpha, rcond=None):
    """SVD shrinkage: with ``X = U S Vᵀ``, ``w = V diag(s_i / (s_i² + α)) Uᵀ y``.

    SPEC §1 view 2.  Singular values below ``rcond · s_max`` are dropped (treated as
    exactly zero), which makes ``alpha = 0`` the pseudo-inverse solution.  ``rcond=None``
    means ``max(n, d) · eps``.
    """
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    if rcond is None:
        rcond = max(X.shape) * np.finfo(X.dtype).eps
    keep = s > rcond * s[0]
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    shrink = s / (s**2 + alpha)  # ≈ 1/s when s² ≫ α, ≈ s/α when s² ≪ α
    UtY = U.T @ y  # UtY.shape = (r,) or (r, k)
    return Vt.T @ (shrink.reshape((-1,) + (1,) * (UtY.ndim - 1)) * UtY)


def ridge_map(X, y, noise_var, prior_var):
    """MAP estimate under ``w ~ N(0, τ² I)`` and noise ``N(0, σ² I)``.

    SPEC §1 view 3: maximising the posterior is ridge with ``α = σ² / τ²``.  Written out
    as the posterior mean ``(XᵀX/σ² + I/τ²)⁻¹ Xᵀy/σ²`` rather than by calling the primal.
    """
    d = X.shape[1]
    precision = X.T @ X / noise_var + np.eye(d) / prior_var
    return np.linalg.solve(precision, X.T @ y / noise_var)


def ridge_fake_data(X, y, alpha):
    """Ordinary least squares on ``d`` fake rows: ``X̂ = [X; √α I_d]``, ``ŷ = [y; 0_d]``.

    SPEC §1 view 4: ``||ŷ − X̂w||² = ||y − Xw||² + α||w||²``.
    """
    n, d = X.shape
    X_hat = np.vstack([X, np.sqrt(alpha) * np.eye(d)])
    zeros = np.zeros((d,) + y.shape[1:], dtype=np.result_type(y, X))
    y_hat = np.concatenate([y, zeros])
    return np.linalg.lstsq(X_hat, y_hat, rcond=None)[0]


def ridge_fake_features(X, y, alpha):
    """Minimum-norm interpolation with ``n`` fake features: ``X̃ = [X  √α I_n]``.

    SPEC §1 view 5: the minimum-norm ``η`` with ``X̃η = y`` is ``X̃ᵀ(X̃X̃ᵀ)⁻¹y`` and
    ``X̃X̃ᵀ = XXᵀ + αI``, so its first ``d`` entries are the ridge solution.  Needs α > 0
    (or X of full row rank).
    """
    n, d = X.shape
    X_tilde = np.hstack([X, np.sqrt(alpha) * np.eye(n)])
    eta = X_tilde.T @ np.linalg.solve(X_tilde @ X_tilde.T, y)
    return eta[:d]


def lstsq_min_norm(X, y, rcond=None):
    """The α → 0 limit: the pseudo-inverse solution ``X⁺y = V S⁺ Uᵀ y``.

    Least squares ``(XᵀX)⁻¹Xᵀy`` for tall full-column-rank X, the minimum-norm solution
    ``Xᵀ(XXᵀ)⁻¹y`` for wide full-row-rank X.  Singular values below ``rcond · s_max`` count
    as zero (``rcond=None``: ``max(n, d) · eps``).
    """
    return ridge_svd(X, y, 0.0, rcond=rcond)
