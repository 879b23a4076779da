"""The numerical rules every solving path shares, each defined here and nowhere else.

In-memory solves, streaming statistics, Dask, the ridge path, leave-one-out and K-fold
cross-validation all ask these functions; none re-derives a threshold.  The mathematics
behind each rule is in ``docs/math.md`` (sections cited per function).

=========================  ==========================================================
rule                       function
=========================  ==========================================================
auto leaves Cholesky       :func:`cholesky_verdict` (bound :func:`fallback_rcond`)
explicit Cholesky refuses  :func:`cholesky_verdict` (bound :func:`singular_rcond`)
which directions count     :func:`spectral_cutoff`, :func:`kept` (singular values of X
                           or eigenvalues of a float64 Gram matrix)
shrinkage of a direction   :func:`shrinkage` (``s/(s² + α)``), :func:`eigen_filter`
                           (``1/(λ + α)``)
eigen route accurate?      :func:`eigen_tolerance`
centring by subtraction    :func:`centring_limit` (passed to the compiled drivers),
                           :data:`UNTRACKED_CENTRING_LIMIT` (streamed blocks)
sparse X: which route      :func:`sparse_plan` (costs :func:`sparse_costs`, size limit
                           :data:`SPARSE_GRAM_LIMIT`)
iterative route's accuracy :func:`iterative_tolerance`
=========================  ==========================================================
"""
from __future__ import annotations

import functools
import math

import numpy as np

__all__ = [
    "EPS64", "fallback_rcond", "singular_rcond", "cholesky_verdict", "not_pd_error",
    "spectral_cutoff", "kept", "shrinkage", "eigen_filter", "eigen_tolerance",
    "centring_limit", "UNTRACKED_CENTRING_LIMIT", "SPARSE_GRAM_LIMIT", "iterative_tolerance",
    "EXACT_PREFERENCE_ITERATIONS", "sparse_costs", "sparse_plan",
]

EPS64 = float(np.finfo(np.float64).eps)


_EPS = {np.dtype(np.float32): float(np.finfo(np.float32).eps),
        np.dtype(np.float64): EPS64}


def _eps(dtype) -> float:
    # a dict lookup for the two working dtypes: these rules are asked on every small fit
    eps = _EPS.get(dtype)
    return float(np.finfo(dtype).eps) if eps is None else eps


# -- Cholesky: when auto falls back, when an explicit request is refused (docs/math.md §8) --

@functools.lru_cache(maxsize=None)  # asked on every fit, of one of two dtypes
def fallback_rcond(dtype) -> float:
    """``solver="auto"`` leaves Cholesky for the SVD below this reciprocal condition.

    ``sqrt(eps)`` of the working dtype: below it a Cholesky solve keeps fewer than about
    half of the working precision's digits, while the SVD's error grows only like
    ``κ(X) = sqrt(κ(G))``.
    """
    return math.sqrt(_eps(dtype))


def singular_rcond(m: int, dtype) -> float:
    """An explicitly requested Cholesky solver refuses a factor below this reciprocal
    condition: ``m · eps`` for an ``m × m`` Gram matrix.

    A Cholesky factor computed in floating point is the exact factor of ``G + E`` with
    ``‖E‖ ≲ m · eps · ‖G‖``; below this bound the matrix cannot be told apart from a
    singular one (its solution has no correct digit), whether or not ?potrf happened to
    meet a non-positive pivot on this CPU's rounding.
    """
    return m * _eps(dtype)


def not_pd_error(alpha: float, which: str, *, info: int = 0, rcond: float = 0.0,
                 m: int = 0, dtype=np.float64) -> np.linalg.LinAlgError:
    """The one error of an explicitly requested Cholesky solver on a bad Gram matrix.

    ``info > 0``: ?potrf's failing leading minor; otherwise the factor succeeded but its
    reciprocal condition estimate ``rcond`` is below :func:`singular_rcond`.
    """
    if info > 0:
        what = f"{info}-th leading minor of {which} (alpha={alpha:g}) is not positive definite"
    else:
        what = (f"{which} (alpha={alpha:g}) is numerically singular: its reciprocal "
                f"condition estimate {rcond:.3g} is below {m}·eps = "
                f"{singular_rcond(m, dtype):.3g}, so no leading minor is safely positive")
    return np.linalg.LinAlgError(f"{what}; use solver='svd' or a larger alpha")


def cholesky_verdict(info: int, rcond: float, m: int, dtype, auto: bool) -> str:
    """What a Cholesky solve's outcome means: ``"ok"``, ``"fallback"`` or ``"refuse"``.

    ``info`` is ?potrf's (> 0: not positive definite), ``rcond`` the smallest reciprocal
    condition estimate over the penalties (already divided by any centring error growth),
    ``m`` the Gram matrix's order.  ``auto``: the caller may fall back to the SVD
    (``"fallback"`` below :func:`fallback_rcond`); otherwise ``"refuse"`` below
    :func:`singular_rcond` or when ?potrf failed — the caller raises :func:`not_pd_error`.
    """
    if auto:
        return "fallback" if info > 0 or not rcond >= fallback_rcond(dtype) else "ok"
    return "refuse" if info > 0 or not rcond >= singular_rcond(m, dtype) else "ok"


# -- which directions count, and how each is shrunk (docs/math.md §1.2, §6) ------------------

def spectral_cutoff(n: int, d: int, dtype) -> float:
    """Relative cutoff ``max(n, d) · eps``: values at or below ``cutoff · top`` count as 0.

    For singular values of X computed in ``dtype`` (``ridge(solver="svd")``,
    ``lstsq``'s default ``rcond``), and for eigenvalues ``λ = s²`` of a Gram matrix
    accumulated and decomposed in float64 (``dtype=float64``): that is the resolution
    of ?syevd relative to ``λ_max``.
    """
    return max(n, d) * _eps(dtype)


def kept(values, rcond: float) -> np.ndarray:
    """Boolean mask of the ``values`` (singular values or eigenvalues) above
    ``rcond · max(values)``; none when the largest is not positive."""
    values = np.asarray(values)
    top = values.max() if values.size else 0.0
    if not top > 0:
        return np.zeros(values.shape, bool)
    return values > rcond * top


def shrinkage(s, alphas, rcond: float) -> np.ndarray:
    """Shrinkage factors ``s/(s² + α)``: shape (r, 1) for one α, (r, k) for one per target.

    Singular values not :func:`kept` at ``rcond`` get factor 0, which makes α = 0 the
    pseudo-inverse.  Written as ``1/(s + α/s)``: ``s²`` overflows for |X| > 1e154
    (float64), this does not.
    """
    s = np.asarray(s, dtype=np.float64)
    keep = kept(s, rcond)
    s_safe = np.where(keep, s, 1.0)[:, None]
    denom = s_safe + np.asarray(alphas, dtype=np.float64)[None, :] / s_safe
    return np.where(keep[:, None], 1.0 / denom, 0.0)  # (r, 1) or (r, k)


def eigen_filter(lam, alphas, rcond: float = None, n: int = 0, d: int = 0) -> np.ndarray:
    """Factors ``1/(λ + α)`` for eigenvalues ``λ`` of a float64 Gram matrix, (r, k).

    Eigenvalues not :func:`kept` (at ``rcond``, by default
    ``spectral_cutoff(n, d, float64)``) get 0 — the Gram-matrix form of
    :func:`shrinkage` (``λ = s²``).
    """
    lam = np.asarray(lam, dtype=np.float64)
    if rcond is None:
        rcond = spectral_cutoff(n, d, np.float64)
    keep = kept(lam, rcond)
    lam_safe = np.where(keep, np.maximum(lam, 0.0), 1.0)[:, None]
    return np.where(keep[:, None],
                    1.0 / (lam_safe + np.asarray(alphas, dtype=np.float64)[None, :]), 0.0)


def eigen_tolerance(dtype) -> float:
    """Smallest ``λ_min / λ_max`` of the Gram matrix for which the eigen route is used.

    The Gram matrix is accumulated and decomposed in float64 whatever the working dtype,
    so its eigenpairs are exact for a matrix within ``≈ eps64 · λ_max`` of the true one
    and the weakest direction's coefficients carry a relative error ``≈ eps64 · κ(G)``,
    ``κ(G) = λ_max / λ_min = κ(X)²``.  The route is accepted when that bound keeps at
    least two thirds of the working digits, ``eps64 · κ(G) ≤ eps^(2/3)``:

    - float64: ``κ(G) ≤ eps^(-1/3) ≈ 1.6e5`` (``κ(X) ≲ 400``); errors ≲ 4e-11.
    - float32: ``κ(G) ≤ 1.1e11`` (the float64 Gram is then still better than a
      float32 SVD, whose error is ``eps32 · κ(X)``).

    Beyond that the SVD of X is used: its error grows like ``κ(X)``, not ``κ(X)²``.
    Where the Gram matrix was centred by subtraction, its rounding error is larger by
    the centring's growth factor, so the test becomes ``eps64 · growth · κ(G) ≤
    eps^(2/3)``; a Gram matrix that passes only when centred exactly is made again so
    (docs/math.md §7).
    """
    return EPS64 / _eps(dtype) ** (2.0 / 3.0)


# -- centring by subtraction (docs/math.md §7) ------------------------------------------------

@functools.lru_cache(maxsize=None)
def centring_limit(dtype) -> float:
    """Largest ``ρ² = n·x̄²/Σ(x − x̄)²`` for which centring may be a subtraction.

    ``XᵀX − n·x̄x̄ᵀ`` (and ``XXᵀ`` double-centred) multiply the Gram matrix's rounding
    error by ``1 + ρ²``; allowed while ``ρ² ≤ eps^(-1/4)`` of the dtype the Gram matrix
    is formed in (ρ ≲ 90 in float64, ≲ 7 in float32), and every caller accounts for that
    growth (the condition estimate is divided by it; the eigen route's accuracy test
    multiplies by it).  Beyond it, blocks are centred exactly in a small buffer.
    """
    return _eps(dtype) ** -0.25


#: ``ρ² ≤ 16`` (|mean| within four standard deviations): where a path cannot carry the
#: error growth ``1 + ρ²`` forward (a streamed block accumulated straight into the
#: running statistics), it skips the centring copy only below this, so the block's
#: centred statistics keep a relative error of at most about ``17 eps``.
UNTRACKED_CENTRING_LIMIT = 16.0


# -- sparse X: exact Gram route or conjugate gradients (docs/math.md §1.6, §7, §8) -----------

#: Largest dense Gram matrix ``"auto"`` forms for sparse X: 2²⁷ entries (1 GiB of float64,
#: order ≤ 11 585).  Beyond it on both sides (d×d ``XᵀX`` and n×n ``XXᵀ``) only the
#: iterative route is left; an explicitly requested ``"primal"``/``"dual"`` is still
#: honoured (the caller owns the memory).
SPARSE_GRAM_LIMIT = 1 << 27


def iterative_tolerance(dtype) -> float:
    """Default ``tol`` of the iterative route (``"cg"``): ``sqrt(eps)`` of the working dtype.

    ``tol`` bounds the estimated relative error of the vector conjugate gradients iterate
    on (the coefficients on the d side; see :mod:`fastridge._sparse`).  ``sqrt(eps)``
    keeps at least half of the working digits — the standard ``"auto"`` already holds
    the Cholesky route to (:func:`fallback_rcond`: ``eps · κ ≤ sqrt(eps)``, docs/math.md
    §8.2), so neither route ``"auto"`` may take promises less than the other: 1.5e-8 in
    float64, 3.5e-4 in float32.
    """
    return math.sqrt(_eps(dtype))


# Measured costs (one core of the reference machine, AMD EPYC AVX2; only their ratios
# matter): a dense LAPACK/BLAS-3 flop; one update of a Gram entry from a pair of nonzeros,
# in cache (Gram ≤ 4 MiB) or not; one stored entry read by a CSR loop; one element of a
# vector operation; the Python overhead of one conjugate-gradient iteration.
_FLOP = 1 / 15e9
_PAIR_IN_CACHE, _PAIR_OUT_OF_CACHE = 5e-9, 2e-8
_NNZ = 2e-9
_VECTOR = 1.5e-9
_ITERATION = 1e-4

#: ``"auto"`` takes the exact route without trying conjugate gradients when it costs no
#: more than this many iterations: exactness is worth that much.
EXACT_PREFERENCE_ITERATIONS = 40


def sparse_costs(n: int, d: int, nnz: int, row_pairs: float, col_pairs: float,
                 k: int) -> dict:
    """Estimated seconds of each route for sparse X (n×d, ``nnz`` stored entries, ``k``
    targets).  ``row_pairs = Σ_i nnz_i(nnz_i + 1)/2`` (pairs of entries within a row: the
    updates that accumulate ``XᵀX``), ``col_pairs`` the same over columns (``XXᵀ``).

    ``"primal"``: the pairs, then ``d³/3`` for ?potrf; ``"dual"``: the pairs, ``n³/3``
    and a few passes over the ``n×n`` matrix (centring, weights); ``"cg_primal"`` /
    ``"cg_dual"``: one iteration on the d or n side (two passes over the nonzeros per
    target, a dozen vector operations, the loop's own overhead).  ``inf`` where the Gram
    matrix exceeds :data:`SPARSE_GRAM_LIMIT`.
    """
    def exact(m, pairs):
        if m * m > SPARSE_GRAM_LIMIT:
            return math.inf
        pair = _PAIR_IN_CACHE if 8 * m * m <= 1 << 22 else _PAIR_OUT_OF_CACHE
        return (pairs * pair + (m ** 3 / 3 + 2 * m * m * k) * _FLOP
                + 6 * m * m * _VECTOR + 2 * nnz * k * _NNZ)

    def iteration(m):
        return 2 * nnz * k * _NNZ + 12 * m * k * _VECTOR + _ITERATION

    return {"primal": exact(d, row_pairs), "dual": exact(n, col_pairs),
            "cg_primal": iteration(d), "cg_dual": iteration(n)}


def sparse_plan(n: int, d: int, nnz: int, row_pairs: float, col_pairs: float, k: int,
                any_alpha_zero: bool):
    """What ``solver="auto"`` does with sparse X: ``(exact, side, budget)``.

    ``exact`` is ``"primal"``, ``"dual"`` or ``None`` (both Gram matrices too large),
    ``side`` the side conjugate gradients work on (``"primal"`` when n >= d, else
    ``"dual"``, the smaller system), ``budget`` the iterations conjugate gradients may
    take before ``auto`` gives up on them for the exact route: ``0`` means go exact at
    once, ``None`` means no exact route is left (iterate to ``max_iter``).

    The rule: the cheaper exact route (:func:`sparse_costs`) runs at once when it costs
    no more than :data:`EXACT_PREFERENCE_ITERATIONS` iterations, or when any α is 0
    (conjugate gradients need ``XᵀX + αI`` positive definite).  Otherwise conjugate
    gradients run first, with a budget of half the exact route's cost: when they have
    not converged by then (or their observed rate says they will not), the exact route
    runs, so ``auto`` costs at most about 1.5 times the better of the two.
    """
    costs = sparse_costs(n, d, nnz, row_pairs, col_pairs, k)
    exact = min(("primal", "dual"), key=costs.get)
    if math.isinf(costs[exact]):
        exact = None
    side = "primal" if n >= d else "dual"
    if exact is None:
        return None, side, None
    per_iteration = costs["cg_" + side]
    if any_alpha_zero or costs[exact] <= EXACT_PREFERENCE_ITERATIONS * per_iteration:
        return exact, side, 0
    return exact, side, int(costs[exact] / (2 * per_iteration))

