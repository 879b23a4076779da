"""Banded ridge: each band (group of columns) of X gets its own penalty, chosen by CV.

The model minimises ``‖y − b − Xw‖² + α Σ_b ‖w_b‖²/δ_b`` with the band weights δ on the
simplex (Σ δ_b = 1).  With ``Z_b = √δ_b X_b`` it is plain ridge on Z (``w_b = √δ_b β_b``):
``‖Y − b − Zβ‖² + α‖β‖²``, so every candidate δ is one ridge problem whose kernel is
``K_δ = Σ_b δ_b Xc_b Xc_bᵀ`` (each band's kernel formed once) and whose Gram matrix is
``D^½ XcᵀXc D^½`` (``D`` = δ repeated over each band's columns), docs/math.md §1.6.

Per candidate, one eigendecomposition of whichever is smaller, shared by every α,
target and fold: the held-out residuals of a fold follow from the whole problem by
``e_v = [(I − H)_vv]⁻¹ [(I − H)y]_v`` (:class:`fastridge._kernel_ridge.HeldOut`).  The
unpenalised intercept is part of H (``H = 11ᵀ/n + …``), which is exactly a refit that
centres each training fold by its own means.  On the kernel side the constant vector
(an exact null vector of the centred ``K_δ``) is lifted to the top of the spectrum by
adding ``τ·11ᵀ/n`` (τ = 2·tr K_δ) and dropped, so Q spans exactly ``1⊥``.  Splits whose
training set is not the complement of the test fold go through :func:`fastridge._crossval.cross_validate` on ``X·√δ`` instead,
and the final fit through the solver registry (:func:`fastridge._solvers.solve_checked`).

Candidates: ``deltas`` given, or ``n_iter`` draws from ``Dirichlet(concentration)``
cycling over the concentrations (as himalaya's random search), the first candidate the
uniform ``δ = 1/n_bands`` (so plain ridge on all features, with ``α·n_bands``, is always
among them).  For each candidate every α is scored for every target; per target the
best ``(δ, α)`` (the first on ties, in candidate order) is kept and refit.
"""
from __future__ import annotations

import numbers

import numpy as np
import scipy.linalg as sla

from ._crossval import check_cv, check_groups, check_scoring, cross_validate, make_splits
from ._estimators import LinearPredictor, center_of, set_solution
from ._kernel_ridge import (HeldOut, _is_complement, _noise_to_zero, heldout_scores,
                            target_batches)
from . import _policy
from ._solvers import solve_checked
from ._spectral import _gram_pass, _xct_matmul
from ._validation import (as_float_array, check_alphas, check_same_rows, check_scalar,
                          check_X_y, require_y)

__all__ = ["BandedRidgeCV", "check_bands", "check_deltas", "dirichlet_candidates"]


# ======================================================================================
# Input checks.  NOTE for the lead: check_bands, check_deltas and
# check_concentration belong in _validation.py; they live here until they are moved.
# ======================================================================================

#: How far a row of ``deltas`` may sum from 1 (it is then divided by its sum).
SIMPLEX_ATOL = 1e-6


def check_bands(groups, d: int):
    """``(bands, labels)``: the column indices (intp arrays) of each band, and a label
    per band.

    ``groups`` is a label per column of X (bands in sorted label order), or a list of
    column-index arrays (one per band, in that order) that together hold every column
    exactly once.
    """
    if groups is None:
        raise ValueError("groups must give a band label per column of X or a list of "
                         "column-index arrays; got None")
    seq = isinstance(groups, (list, tuple)) and len(groups) > 0 and all(
        np.ndim(g) >= 1 for g in groups)
    if not seq:
        labels = np.asarray(groups)
        if labels.ndim != 1:
            raise ValueError(f"groups must be 1-D (one band label per column of X) or a "
                             f"list of column-index arrays; got shape {labels.shape}")
        if labels.shape[0] != d:
            raise ValueError(f"groups has {labels.shape[0]} labels but X has {d} features; "
                             "they must match (one band label per column)")
        uniq, inverse = np.unique(labels, return_inverse=True)
        return [np.flatnonzero(inverse == b) for b in range(uniq.size)], uniq
    bands, owner = [], np.full(d, -1)
    for b, g in enumerate(groups):
        cols = np.asarray(g)
        if cols.ndim != 1 or (cols.size and cols.dtype.kind not in "iu"):
            raise ValueError(f"groups[{b}] must be a 1-D array of column indices; got "
                             f"{cols.dtype} array of shape {cols.shape}")
        if cols.size == 0:
            raise ValueError(f"band {b} has no columns; every band needs at least one")
        cols = cols.astype(np.intp)
        if cols.min() < 0 or cols.max() >= d:
            raise ValueError(f"groups[{b}] holds columns outside [0, {d}) (X has {d} "
                             f"features); got values in [{cols.min()}, {cols.max()}]")
        taken = owner[cols] >= 0
        if taken.any() or np.unique(cols).size != cols.size:
            c = int(cols[taken][0]) if taken.any() else int(cols[0])
            raise ValueError(f"column {c} is in more than one band (groups[{b}]); each "
                             "column must belong to exactly one band")
        owner[cols] = b
        bands.append(np.sort(cols))
    missing = np.flatnonzero(owner < 0)
    if missing.size:
        raise ValueError(f"columns {missing[:5].tolist()} of X are in no band; every "
                         "column must belong to exactly one band")
    return bands, np.arange(len(bands))


def check_deltas(deltas, n_bands: int) -> np.ndarray:
    """``(n_candidates, n_bands)`` float64 rows on the simplex (``>= 0``, summing to 1
    within :data:`SIMPLEX_ATOL`; then divided by their sums)."""
    a = np.asarray(deltas)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"deltas must be an array of real numbers; got dtype {a.dtype}")
    a = np.atleast_2d(a.astype(np.float64))
    if a.ndim != 2 or a.shape[1] != n_bands or a.shape[0] == 0:
        raise ValueError(f"deltas must have shape (n_candidates, {n_bands}) (one weight per "
                         f"band); got shape {np.shape(deltas)}")
    if not np.isfinite(a).all():
        raise ValueError("deltas contains NaN or infinity; expected only finite values")
    sums = a.sum(axis=1)
    bad = np.flatnonzero((a < 0).any(axis=1) | (np.abs(sums - 1.0) > SIMPLEX_ATOL))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"deltas must lie on the simplex (each row >= 0 and summing to "
                         f"1); row {i} is {a[i].tolist()} (sum {sums[i]:.6g})")
    return a / sums[:, None]


def check_concentration(concentration) -> np.ndarray:
    """The Dirichlet concentrations: a positive number (``inf``: equal weights) or a
    non-empty 1-D array of them."""
    c = np.atleast_1d(np.asarray(concentration))
    if c.dtype.kind not in "fiu" or c.ndim != 1 or c.size == 0:
        raise ValueError(f"concentration must be a positive number or a 1-D array of "
                         f"them; got {concentration!r}")
    c = c.astype(np.float64)
    if np.isnan(c).any() or (c <= 0).any():
        raise ValueError(f"concentration must be > 0 (inf for equal weights); got "
                         f"{c.tolist()}")
    return c


def dirichlet_candidates(n_iter: int, n_bands: int, concentration, rng) -> np.ndarray:
    """``n_iter`` candidates (n_iter, n_bands): the uniform weights first, then draws
    from ``Dirichlet(c·1)`` taking the concentrations ``c`` in turn (an infinite one
    gives the uniform weights)."""
    c = concentration
    if n_bands == 1:
        return np.ones((n_iter, 1))
    per = -(-n_iter // c.size)  # ceil
    draws = np.empty((per, c.size, n_bands))
    for j, cj in enumerate(c):
        draws[:, j] = (np.full((per, n_bands), 1.0 / n_bands) if np.isinf(cj)
                       else rng.dirichlet(np.full(n_bands, cj), per))
    out = draws.reshape(-1, n_bands)[:n_iter]  # c0, c1, c0, c1, ...
    out[0] = 1.0 / n_bands
    return out


# ======================================================================================
# One eigendecomposition per candidate
# ======================================================================================

class _Bands:
    """What every candidate shares: each band's centred kernel (n ≤ d) or the centred
    Gram matrix (n > d), the means, and the columns' band index."""

    def __init__(self, X, bands, icpt):
        n, d = X.shape
        self.X, self.bands, self.icpt = X, bands, icpt
        self.mean = X.mean(axis=0, dtype=np.float64) if icpt else None
        self.band_of = np.empty(d, np.intp)
        for b, cols in enumerate(bands):
            self.band_of[cols] = b
        self.dual = n <= d
        if self.dual:
            self.K = []
            for cols in bands:  # K_b = Xc_b Xc_bᵀ, upper triangle
                Xb = np.ascontiguousarray(X[:, cols])
                self.K.append(_gram_pass(Xb, None if self.mean is None else
                                         self.mean[cols])[0])
        else:
            Xc = np.array(X, dtype=np.float64)
            if icpt:
                Xc -= self.mean
            self.Xc = Xc
            self.G = Xc.T @ Xc  # (d, d)

    def decompose(self, delta):
        """``(HeldOut-ready Q, λ, complete, side)`` of the candidate ``delta``."""
        n, d = self.X.shape
        if self.dual:
            K = np.zeros((n, n), order="F")
            for w, Kb in zip(delta, self.K):
                if w:
                    K += w * Kb                                   # K_δ = Σ δ_b K_b
            if self.icpt:
                tau = 2.0 * float(np.trace(K)) or 1.0
                K += tau / n                                      # lift 1 to eigenvalue τ
            lam, Q = sla.eigh(K, lower=False, driver="evd", overwrite_a=True,
                              check_finite=False)
            if self.icpt:                                         # drop the constant
                drop = int(np.argmax(np.abs(Q.sum(axis=0))))
                keep = np.arange(n) != drop
                lam, Q = lam[keep], Q[:, keep]
            return Q, _noise_to_zero(lam, n), True, None
        root = np.sqrt(delta)[self.band_of]                       # √δ per column
        G = self.G * root[:, None] * root[None, :]                # D½ XcᵀXc D½
        lam, V = sla.eigh(G, lower=False, driver="evd", overwrite_a=True,
                          check_finite=False)
        keep = _policy.kept(lam, _policy.spectral_cutoff(n, d, np.float64))
        lam, V = lam[keep], V[:, keep]
        U = self.Xc @ (root[:, None] * V / np.sqrt(lam))          # (n, r), orthonormal
        return U, lam, U.shape[1] == n - self.icpt, (root, V)

    def coef(self, delta, Q, lam, side, C, alphas):
        """Coefficients (d, kb) of the targets whose projections are ``C`` (r, kb), at
        per-target penalties ``alphas`` (kb,)."""
        F = 1.0 / (lam[:, None] + alphas[None, :])                # (r, kb)
        if side is None:                                          # w = D Xcᵀ Q (F ⊙ C)
            A = Q @ (F * C)
            w = _xct_matmul(self.X, self.mean, A)
            return np.asarray(delta)[self.band_of][:, None] * w
        root, V = side                                            # w = D½ V (√λ F ⊙ C)
        return root[:, None] * (V @ ((np.sqrt(lam)[:, None] * F) * C))


class BandedRidgeCV(LinearPredictor):
    """Banded (group) ridge regression: one penalty per band of features, chosen by CV.

    Minimises ``‖y − b − Xw‖² + α Σ_b ‖w_b‖²/δ_b`` for every target, with δ on the
    simplex; for each candidate δ every α is scored by cross-validation, and per target
    the best ``(δ, α)`` is refit on all samples.  Each candidate costs one
    eigendecomposition (of ``Σ_b δ_b X_bX_bᵀ`` when n ≤ d, else of the scaled Gram
    matrix), shared by every α, target and fold (see the module docstring).

    Parameters
    ----------
    groups : array_like of shape (n_features,) or list of array_like of int
        A band label per column of X (bands in sorted label order), or the column
        indices of each band (every column in exactly one band).
    alphas : array_like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties, all > 0.
    deltas : array_like of shape (n_candidates, n_bands), optional
        The band weights to try, each row on the simplex.  Default: ``n_iter`` random
        candidates (below).
    n_iter : int, default=100
        Number of candidates drawn when ``deltas`` is None: the uniform weights, then
        draws from ``Dirichlet(concentration)``.
    concentration : float or array_like of float, default=(0.1, 1.0)
        Dirichlet concentrations, used in turn (0.1 favours a few dominant bands, 1.0
        is uniform on the simplex, ``inf`` equal weights).
    cv : int, splitter or iterable, default=5
        As :class:`fastridge.RidgeCV` (an int K: contiguous ``KFold(K)``).
    scoring : {None, "neg_mean_squared_error", "r2", "correlation"}, default=None
        The fold score, averaged over folds (``None``: minus the mean squared error).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept (each training fold centred by its own means).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the candidate draws (``numpy.random.default_rng``).
    n_targets_batch : int, optional
        Targets processed together.

    Attributes
    ----------
    deltas_ : ndarray of shape (n_bands,) or (n_targets, n_bands)
        The chosen band weights per target.
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
        The CV score of the chosen ``(δ, α)``.
    cv_scores_ : ndarray of shape (n_candidates, n_alphas) or (n_candidates, n_alphas, n_targets)
    candidates_ : ndarray of shape (n_candidates, n_bands)
        The band weights tried.
    bands_ : list of ndarray
        The columns of each band; ``band_labels_`` their labels.
    cv_route_ : str
        ``"heldout"`` (one eigendecomposition per candidate) or ``"per-fold"``.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((120, 30))
    >>> y = X[:, :10] @ rng.standard_normal(10) + 0.5 * rng.standard_normal(120)
    >>> model = fr.BandedRidgeCV(groups=[0] * 10 + [1] * 20, alphas=[0.1, 1.0, 10.0],
    ...                          n_iter=20, random_state=0).fit(X, y)
    >>> bool(model.deltas_[0] > 0.9), model.cv_scores_.shape
    (True, (20, 3))
    """

    def __init__(self, groups, alphas=(0.1, 1.0, 10.0), *, deltas=None, n_iter=100,
                 concentration=(0.1, 1.0), cv=5, scoring=None, fit_intercept=True,
                 random_state=None, n_targets_batch=None):
        self.groups = groups
        self.alphas = alphas
        self.deltas = deltas
        self.n_iter = n_iter
        self.concentration = concentration
        self.cv = cv
        self.scoring = scoring
        self.fit_intercept = fit_intercept
        self.random_state = random_state
        self.n_targets_batch = n_targets_batch

    def fit(self, X, y, cv_groups=None):
        """Choose ``(δ, α)`` per target by cross-validation and refit.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
        cv_groups : array_like of shape (n_samples,), optional
            Sample group labels handed to ``cv.split`` (e.g. ``GroupKFold``); named so
            to keep them apart from the feature bands ``groups``.

        Returns
        -------
        self
        """
        require_y(self, y)
        alphas = check_alphas(self.alphas)
        if not (alphas > 0).all():
            raise ValueError(f"alphas must be > 0 for BandedRidgeCV; got {alphas.tolist()}")
        scoring = check_scoring(self.scoring)
        X, y = check_X_y(X, y)
        n, d = X.shape
        bands, labels = check_bands(self.groups, d)
        if self.deltas is not None:
            candidates = check_deltas(self.deltas, len(bands))
        else:
            n_iter = check_scalar(self.n_iter, "n_iter", low=1, integer=True)
            conc = check_concentration(self.concentration)
            rng = np.random.default_rng(self.random_state)
            candidates = dirichlet_candidates(n_iter, len(bands), conc, rng)
        cv = check_cv(self.cv, n)
        if cv is None:
            raise ValueError("BandedRidgeCV needs cv (an int, a splitter or an iterable of "
                             "(train, test) pairs); got None")
        cv_groups = check_groups(cv_groups, n)
        kb = (None if self.n_targets_batch is None else
              check_scalar(self.n_targets_batch, "n_targets_batch", low=1, integer=True))
        splits = make_splits(cv, X, y, cv_groups, n)
        if scoring != "neg_mean_squared_error" and min(te.size for _, te in splits) < 2:
            raise ValueError(f"scoring={scoring!r} needs at least 2 samples in every test "
                             "fold; use the default scoring or larger folds")
        icpt = bool(self.fit_intercept)
        Y = y.reshape(n, -1)                                       # Y.shape = (n, k)
        k = Y.shape[1]
        uniq, inverse = np.unique(candidates, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        first = np.array([np.flatnonzero(inverse == u)[0] for u in range(uniq.shape[0])])
        order = np.argsort(first)                                  # in candidate order
        route = "heldout" if _is_complement(splits, n) else "per-fold"
        scores = np.empty((uniq.shape[0], alphas.size, k))
        best = np.full(k, -np.inf)
        best_c = np.zeros(k, np.intp)
        best_a = np.zeros(k, np.intp)
        coef = np.zeros((d, k))
        Y64 = Y.astype(np.float64, copy=False)
        ymean = Y64.mean(axis=0) if icpt else np.zeros(k)
        Yc = Y64 - ymean if icpt else Y64
        batches = target_batches(k, kb, n)
        shared = _Bands(X, bands, icpt) if route == "heldout" else None
        tests = [te for _, te in splits]
        for u in order:
            delta = uniq[u]
            if route == "heldout":
                Q, lam, complete, side = shared.decompose(delta)
                engine = HeldOut(Q, lam, tests, icpt, complete)
                projected = [engine.project(Yc[:, tb]) for tb in batches]
                scores[u] = heldout_scores(engine, alphas, Yc, Yc, None, scoring, batches,
                                           projected=projected)
            else:
                Xs = X * np.sqrt(delta)[_band_index(bands, d)].astype(X.dtype)
                res = cross_validate(Xs, Y, alphas, splits, fit_intercept=icpt,
                                     scoring=scoring, per_target=True, n_targets_batch=kb)
                scores[u] = res[0] if isinstance(res, tuple) else res
            a_best = np.argmax(scores[u], axis=0)                  # (k,), first on ties
            s_best = scores[u][a_best, np.arange(k)]
            better = s_best > best
            if not better.any():
                continue
            best[better], best_c[better], best_a[better] = s_best[better], u, a_best[better]
            if route == "heldout":                                 # refit those targets
                for tb, (C, _) in zip(batches, projected):
                    cols = np.flatnonzero(better[tb])
                    if cols.size:
                        t = np.arange(k)[tb][cols]
                        coef[:, t] = shared.coef(delta, Q, lam, side, C[:, cols],
                                                 alphas[best_a[t]])
        if route != "heldout":
            coef = self._refit(X, Y, bands, uniq, best_c, alphas[best_a], icpt)
        intercept = (ymean - _mean(X) @ coef) if icpt else None
        set_solution(self, coef, intercept, y.ndim, X.dtype)
        one = y.ndim == 1
        self.deltas_ = uniq[best_c][0] if one else uniq[best_c]
        self.alpha_ = float(alphas[best_a][0]) if one else alphas[best_a]
        self.best_score_ = float(best[0]) if one else best
        all_scores = scores[inverse]                               # (n_candidates, na, k)
        self.cv_scores_ = all_scores[:, :, 0] if one else all_scores
        self.candidates_ = candidates
        self.bands_ = bands
        self.band_labels_ = labels
        self.cv_route_ = route
        self.n_splits_ = len(splits)
        self.n_features_in_ = d
        return self

    @staticmethod
    def _refit(X, Y, bands, uniq, best_c, best_alpha, icpt):
        """Per chosen candidate, ridge on ``X·√δ`` through the solver registry."""
        n, d = X.shape
        coef = np.zeros((d, Y.shape[1]))
        col_band = _band_index(bands, d)
        for u in np.unique(best_c):
            t = np.flatnonzero(best_c == u)
            root = np.sqrt(uniq[u])[col_band]
            Xs = X * root.astype(X.dtype)
            Yt = np.ascontiguousarray(Y[:, t])
            center = center_of(Xs, Yt, None) if icpt else None
            b, _ = solve_checked(Xs, Yt, np.ascontiguousarray(best_alpha[t]), None, "auto",
                                 center=center)
            coef[:, t] = root[:, None] * b.reshape(d, -1)
        return coef


def _band_index(bands, d):
    out = np.empty(d, np.intp)
    for b, cols in enumerate(bands):
        out[cols] = b
    return out


def _mean(X):
    return X.mean(axis=0, dtype=np.float64)
