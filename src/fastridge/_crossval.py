"""K-fold (any train/test splits) cross-validation of ridge: the engine behind
``RidgeCV(cv=...)``.

Per split, one decomposition of the training fold (:mod:`fastridge._cvfolds`) gives the
test predictions for every α as ``ȳ_T + P diag(1/(λ + α)) C``; the targets go through in
batches (``n_targets_batch``) so no temporary exceeds :data:`BUDGET` elements, and no
``n_test × k × n_alphas`` array is ever formed.  Two ways to score:

- **per target** (``alpha_per_target``, ``scoring="correlation"``, or when cheaper): the
  predictions of a chunk of α come from one GEMM ``P [D_α C …]`` and are reduced at once
  to per-(α, target) sums.
- **summed over targets** (one α for all targets, MSE or R²): the fold's score is a
  weighted sum over targets of squared errors, ``Σ_t w_t‖ỹ_t − P D_α c_t‖²``
  (``w_t = 1/(n_e k)`` for MSE, ``1/(k·SST_t)`` for R²), and expands into

      Σ_t w_t‖ỹ_t‖² − 2 Σ_j d_j h_j + dᵀ (A ⊙ B) d,     d = 1/(λ + α)

  with ``A = PᵀP``, ``B = C W Cᵀ`` (r×r) and ``h_j = Σ_t w_t (PᵀỸ)_jt C_jt`` — r×r
  matrices per fold, then O(r²) per α, whatever the number of targets.  (The middle
  term is ``Σ_t w_t ỹ_tᵀ P D c_t``; the last is ``Σ_t w_t c_tᵀ D A D c_t =
  Σ_ij d_i d_j A_ij B_ij``.)  As any expanded sum of squares it carries an absolute error of
  about ``eps·Σ w‖ỹ‖²``: harmless unless a fold is fitted almost exactly.

Fold scores follow scikit-learn's scorers (``neg_mean_squared_error``, ``r2`` with its
``force_finite`` rule, and Pearson's r); the CV score of (α, target) is their mean over
folds, as ``GridSearchCV`` reports ``mean_test_score``.  Fits are weighted by
``sample_weight``; fold scores are not.

Precision: statistics, eigendecompositions and the final fit in float64 whatever the
data; with float32 X the per-target prediction products (the one cost that grows with
targets × penalties) run in float32 — their rounding, ≈ eps32·|ŷ| per prediction, is
the data's own.  Threads: BLAS runs on one thread (many of its calls are small, see
:mod:`fastridge._blas_threads`); a batch's work is split into independent tasks —
column ranges of the targets, or folds for the summed scores — run on Python threads,
each writing its products into buffers it reuses.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _blas_threads, _cvfolds, _cvkernels, _policy
from ._validation import check_same_rows

__all__ = ["SCORINGS", "BUDGET", "check_scoring", "check_cv", "check_groups",
           "check_fold_weights", "make_splits", "cross_validate"]

SCORINGS = ("neg_mean_squared_error", "r2", "correlation")

#: Elements (float64) any temporary of the engine may hold: 64 MiB.  The default
#: ``n_targets_batch`` and the α chunks of the prediction products are sized by it.
BUDGET = 1 << 23


# ======================================================================================
# Input checks.  NOTE for the lead: these belong in _validation.py (owned by the lead);
# they live here until they are moved there.
# ======================================================================================

def check_scoring(scoring) -> str:
    """``None`` → ``"neg_mean_squared_error"``; one of :data:`SCORINGS`; else ValueError."""
    if scoring is None:
        return SCORINGS[0]
    if not isinstance(scoring, str) or scoring not in SCORINGS:
        raise ValueError(f"scoring must be None or one of {SCORINGS}; got {scoring!r}")
    return scoring


def check_cv(cv, n: int):
    """Return ``cv`` checked: None, an int in [2, n], a splitter or an iterable."""
    if cv is None:
        return None
    if isinstance(cv, (bool, np.bool_)):
        raise TypeError(f"cv must be None, an int >= 2, a splitter or an iterable of "
                        f"(train, test) index arrays; got a bool ({cv!r})")
    if isinstance(cv, numbers.Integral):
        if cv < 2:
            raise ValueError(f"cv must be >= 2 folds (cv=None is leave-one-out); got {cv}")
        if cv > n:
            raise ValueError(f"cv={cv} folds need at least {cv} samples; X has {n}")
        return int(cv)
    if isinstance(cv, (numbers.Number, str, bytes, dict)):
        raise TypeError(f"cv must be None, an int >= 2, an object with a split(X, y, "
                        f"groups) method or an iterable of (train, test) index arrays; "
                        f"got {cv!r}")
    if hasattr(cv, "split"):
        if not callable(cv.split):
            raise TypeError(f"cv.split must be a method; got {type(cv.split).__name__}")
        return cv
    if hasattr(cv, "get_n_splits") or not hasattr(cv, "__iter__"):
        raise TypeError(
            f"cv={cv!r} has no split(X, y, groups) method and is not an iterable of "
            "(train, test) index arrays; pass a splitter such as scikit-learn's "
            "GroupKFold, an int or a list of (train, test) pairs")
    return cv


def check_groups(groups, n: int):
    """``None`` or a 1-D array of one label per sample."""
    if groups is None:
        return None
    g = np.asarray(groups)
    if g.ndim != 1:
        raise ValueError(f"groups must be 1-D (one label per sample); got shape {g.shape}")
    check_same_rows(n, g.shape[0], "groups")
    return g


def _indices(a, n: int, what: str, i: int) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ValueError(f"split {i}: boolean {what} mask must have shape ({n},); "
                             f"got {arr.shape}")
        return np.flatnonzero(arr)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(f"split {i}: {what} indices must be a 1-D array of integers; "
                         f"got {arr.dtype} array of shape {arr.shape}")
    arr = arr.astype(np.intp, copy=False)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"split {i}: {what} indices must be in [0, {n}) (X has {n} "
                         f"samples); got values in [{arr.min()}, {arr.max()}]")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"split {i}: {what} indices repeat a sample; each sample may "
                         "appear at most once in a training or test set")
    return arr


def check_split(train, test, n: int, i: int):
    """Checked ``(train, test)`` index arrays of split ``i``."""
    tr, te = _indices(train, n, "train", i), _indices(test, n, "test", i)
    if te.size == 0:
        raise ValueError(f"split {i} has an empty test fold; every split needs test rows")
    if tr.size == 0:
        raise ValueError(f"split {i} has an empty training fold; every split needs "
                         "training rows")
    both = np.intersect1d(tr, te)
    if both.size:
        raise ValueError(f"split {i}: train and test overlap in {both.size} sample(s) "
                         f"(e.g. {both[:5].tolist()}); they must be disjoint")
    return tr, te


def check_fold_weights(sw, splits):
    """Raise when a training fold's rows all have weight zero (nothing to fit)."""
    for i, (train, _) in enumerate(splits):
        if not sw[train].any():
            raise ValueError(f"split {i}: every training row has sample_weight 0; each "
                             "training fold needs rows of positive weight")


def kfold(n: int, K: int):
    """scikit-learn's ``KFold(K)`` without shuffling: contiguous folds, the first
    ``n % K`` one row longer."""
    sizes = np.full(K, n // K)
    sizes[: n % K] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    rows = np.arange(n)
    return [(np.concatenate([rows[:a], rows[b:]]), rows[a:b])
            for a, b in zip(bounds[:-1], bounds[1:])]


def make_splits(cv, X, y, groups, n: int):
    """The checked list of ``(train, test)`` for an already checked ``cv``."""
    if isinstance(cv, int):
        return kfold(n, cv)
    pairs = cv.split(X, y, groups) if hasattr(cv, "split") else cv
    out = []
    for i, pair in enumerate(pairs):
        try:
            train, test = pair
        except (TypeError, ValueError):
            raise ValueError(f"split {i} must be a (train, test) pair of index arrays; "
                             f"got {pair!r}") from None
        out.append(check_split(train, test, n, i))
    if not out:
        raise ValueError("cv produced no splits; it must yield at least one "
                         "(train, test) pair")
    return out


# ======================================================================================
# Target-side statistics of one batch, and C for every fold
# ======================================================================================

def _cross(X, rows, centre, sw, Yb, ycentre):
    """``(Σ s (x − μ)(y − ν)ᵀ (d, kb), Σ s (y − ν) (kb,))`` over ``rows``: one GEMM per
    block of rows (a single block unless the rows hold more than :data:`BUDGET`)."""
    d, kb = X.shape[1], Yb.shape[1]
    step = max(1, BUDGET // max(d + kb, 1))
    R, sy = None, np.zeros(kb)
    for start in range(0, rows.size, step):
        blk = rows[start:start + step]
        B = _cvfolds.centred_rows(X, blk, centre)  # (m, d)
        Z = _cvfolds.centred_rows(Yb, blk, ycentre)  # (m, kb)
        if sw is not None:
            Z *= sw[blk][:, None]
        part = B.T @ Z
        R = part if R is None else R.__iadd__(part)
        sy += Z.sum(axis=0)
    return (np.zeros((d, kb)) if R is None else R), sy


class _Batch:
    """Per batch of targets: the cross-products the "cov" folds need (one task per row
    set, in parallel when ``parallel``)."""

    def __init__(self, X, Yb, sw, folds, plan, icpt, parallel):
        self.Yb = Yb
        self.ycentre = Yb.mean(axis=0, dtype=np.float64) if icpt else None
        self.parts = {}
        self.total = None
        cov = [f for f in folds if f.route == "cov"]
        if not cov:
            return
        c, yc = plan.centre, self.ycentre
        if plan.partition:  # every fold's test rows once; the total is their sum
            jobs = [(f, f.test) for f in folds]
        else:
            jobs = [(f, f.train if f.sub is None else f.sub) for f in cov]
            if any(f.sub is not None for f in cov):
                jobs.append((None, plan.total))
        parts = _blas_threads.map_serial(lambda job: _cross(X, job[1], c, sw, Yb, yc),
                                         jobs, parallel)
        for (f, _), p in zip(jobs, parts):
            if f is None:
                self.total = p
            else:
                self.parts[id(f)] = p
        if plan.partition:
            self.total = (sum(p[0] for p in parts), sum(p[1] for p in parts))

    def full_targets(self, plan, xshift, icpt):
        """``(R (d, kb), ȳ (kb,))`` of all rows, centred by the weighted means."""
        R, sy = self.total
        if not icpt:
            return R, np.zeros(R.shape[1])
        W = plan.totals[2]
        yshift = sy / W
        return R - W * np.outer(xshift, yshift), self.ycentre + yshift

    def fold_targets(self, f, icpt, sw, cols=slice(None)):
        """``(C (r, kc), ȳ_T (kc,))`` of fold ``f`` for the columns ``cols`` of the batch."""
        Yb = self.Yb[:, cols]
        if f.route == "cov":
            R, sy = self.parts[id(f)]
            R, sy = R[:, cols], sy[cols]
            if f.sub is not None:
                R, sy = self.total[0][:, cols] - R, self.total[1][cols] - sy
            C = f.V.T @ R  # Vᵀ R'_T, (r, kc)
            if icpt:  # R_T = R'_T − W x̄'_T ȳ'_Tᵀ about the training means
                yshift = sy / f.W
                C -= np.outer(f.W * (f.V.T @ f.x_shift), yshift)
                return C, self.ycentre[cols] + yshift
            return C, None
        YT = _cvfolds.centred_rows(Yb, f.train, None)  # (n_t, kc)
        if icpt:
            ybar = (YT.mean(axis=0) if sw is None
                    else sw[f.train] @ YT / f.W)
            YT -= ybar
        else:
            ybar = None
        return f.Yproj.T @ YT, ybar


# ======================================================================================
# Scores
# ======================================================================================

def _r2(sse, sst):
    """scikit-learn's r2_score per target with ``force_finite``: 1 − SSE/SST, and for
    SST = 0 → 1.0 if SSE = 0 else 0.0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - sse / sst
    return np.where(sst > 0, out, np.where(sse > 0, 0.0, 1.0))


def _chunks(n_alphas, rows, kb, r=1):
    """α chunks whose stacked predictions (c·rows, kb) and stacked rows (c·rows, r) stay
    within :data:`BUDGET`."""
    per = max(1, min(n_alphas, BUDGET // max(1, rows * max(kb, r))))
    return [slice(a, min(a + per, n_alphas)) for a in range(0, n_alphas, per)]


def _test_centred(Yb, test):
    """``Y_E − mean(Y_E)`` from the test rows themselves (a constant fold gives exact 0)."""
    Yt = _cvfolds.centred_rows(Yb, test, None)
    Yt -= Yt.mean(axis=0)
    return Yt


_NO_W = np.empty(0)


def stacked_sq_sums(P, F, C, Y, out, w=None, dtype=np.float64, work=None):
    """``out[a, t] = Σ_i ((Y − P diag(F[:, a]) C)[i, t] · w[a, i])²`` for every α column
    a of ``F`` (r, n_alphas), in chunks: ``P`` is scaled per α and stacked, (c·m, r), so
    one GEMM with C (r, kb) gives the c blocks of predictions and one compiled pass
    reduces them.  ``Y`` (m, kb) or None (Y = 0); ``w`` (n_alphas, m) or None.

    ``dtype`` float32 (float32 data): the GEMM and the pass read float32 operands — the
    one product whose cost grows with targets × penalties, at twice the speed; its
    rounding (≈ eps32·|ŷ| per prediction) is the data's own.  Sums stay float64."""
    m, r = P.shape
    kb = C.shape[1]
    Yk = (np.empty((0, 1), dtype) if Y is None
          else np.ascontiguousarray(Y, dtype=dtype))
    C = np.ascontiguousarray(C, dtype=dtype)
    P = P.astype(dtype, copy=False)
    work = _blas_threads.Work() if work is None else work
    Ft = np.ascontiguousarray(F.T, dtype=dtype)  # (n_alphas, r)
    for sl in _chunks(F.shape[1], m, kb, r):
        c = sl.stop - sl.start
        Ps = work.get("Ps", (c, m, r), dtype)
        np.multiply(Ft[sl][:, None, :], P[None], out=Ps)  # block a: P diag(F[:, a])
        E = work.get("E", (c * m, kb), dtype)
        np.matmul(Ps.reshape(c * m, r), C, out=E)  # block a holds P diag(F[:, a]) C
        wa = _NO_W if w is None else np.ascontiguousarray(w[sl]).reshape(-1)
        part = out[sl]
        part[...] = 0.0
        _cvkernels.sq_sums(E.reshape(-1, m, kb), Yk, wa, part)


# --------------------------------------------------------------------------------------
# NOTE for the lead: numerical rules of the per-target expansion below; they belong in
# _policy.py (not mine to edit) and live here until they are moved there.
# --------------------------------------------------------------------------------------

#: Eigenvalue pairs with ``|λ_l − λ_j| ≤ PAIR_GAP · (λ_j + λ_l)/2`` are summed directly,
#: not by partial fractions, whose rounding grows like ``eps · (λ + α)/|λ_l − λ_j|``:
#: what is left is within ``eps/PAIR_GAP ≈ 2e-14`` of the quadratic term's scale.
PAIR_GAP = 1e-2
#: A target whose expanded SSE falls below this share of ``Σ ỹ²`` for some α (a fold
#: fitted almost exactly, where the expansion's ``eps · Σ ỹ²`` would show) is scored
#: again from its predictions.
EXPANSION_FLOOR = 1e-6


class _Quad:
    """The r×r part of one fold's expanded per-target score.

    For a target ``ỹ`` (test rows, centred by the training mean) and ``c`` its column
    of C, with ``d = 1/(λ + α)``, ``a = Pᵀỹ`` and ``A = PᵀP``,

        ‖ỹ − P D c‖² = ‖ỹ‖² − 2 Σ_j a_j c_j d_j + Σ_jl c_j c_l A_jl d_j d_l.

    By partial fractions, ``d_j d_l = (d_j − d_l)/(λ_l − λ_j)``, the double sum is
    ``Σ_j A_jj c_j² d_j² + 2 Σ_j c_j d_j z_j`` with ``z = Ã c``,
    ``Ã_jl = A_jl/(λ_l − λ_j)`` off the diagonal: one (r×r)·(r×k) product per fold for
    every α and target, then O(r) per (α, target) — instead of the predictions'
    (n_test×r)·(r×k) product for each α.  Pairs closer than :data:`PAIR_GAP` stay out
    of Ã and are summed as ``c_j c_l A_jl d_j d_l``; a spectrum with more such pairs
    than 4r (clusters of equal eigenvalues) is not ``usable``.  The expanded sum carries
    an absolute error of about ``eps·‖ỹ‖²``, hence :data:`EXPANSION_FLOOR`.  Not used
    for correlations: there the quantity is ``‖P_c D c‖²`` itself, whose partial
    fractions would lose ``eps·α/λ`` of it at large α.
    """

    def __init__(self, P, lam):
        A = P.T @ P  # (r, r)
        gap = lam[None, :] - lam[:, None]  # λ_l − λ_j
        near = np.abs(gap) <= PAIR_GAP * 0.5 * (lam[:, None] + lam[None, :])
        np.fill_diagonal(near, True)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.At = np.where(near, 0.0, A / np.where(near, 1.0, gap))
        self.J, self.L = np.nonzero(np.triu(near, 1))
        self.AJL = A[self.J, self.L]
        self.Adiag = np.diagonal(A).copy()
        self.usable = self.J.size <= 4 * P.shape[1]  # else: clustered spectrum

    def quadratic(self, F, C, a=None):
        """``Σ_jl c_j c_l A_jl d_j d_l − 2 Σ_j a_j c_j d_j`` (``a`` None: 0), (n_alphas, kb)."""
        Z = self.At @ C  # (r, kb)
        if a is not None:
            Z -= a
        out = F.T @ (2.0 * C * Z) + (F * F).T @ (self.Adiag[:, None] * C * C)
        if self.J.size:
            G = C[self.J] * C[self.L] * self.AJL[:, None]  # (pairs, kb)
            out += 2.0 * ((F[self.J] * F[self.L]).T @ G)
        return out


def _expanded_cost(P, kb, na):
    n_e, r = P.shape
    return 2.0 * (n_e + r) * r * kb + 4.0 * r * kb * na


def per_target_scores(P, F, C, Ye, scoring, Yc=None, dtype=np.float64, work=None,
                      quad=None):
    """Fold scores (n_alphas, kb) from ``P`` (n_e, r), filter ``F = 1/(λ + α)``
    (r, n_alphas), ``C`` (r, kb), the test targets ``Ye = Y_E − ȳ_T`` (n_e, kb) and, for
    R² and correlation, ``Yc = Y_E − mean(Y_E)``; predictions in ``dtype``.

    ``quad``: the fold's :class:`_Quad` — the expanded score, when it is usable and
    costs less than the predictions; targets it cannot score accurately are scored from
    their predictions."""
    kb = C.shape[1]
    na = F.shape[1]
    expand = (quad is not None and quad.usable and scoring != "correlation"
              and _expanded_cost(P, kb, na) < 2.0 * P.size * kb * na)
    if expand:
        return _expanded_scores(P, F, C, Ye, scoring, Yc, dtype, work, quad)
    return _predicted_scores(P, F, C, Ye, scoring, Yc, dtype, work)


def _expanded_scores(P, F, C, Ye, scoring, Yc, dtype, work, quad):
    """MSE or R² fold scores by :class:`_Quad`'s expansion of every target's SSE."""
    yy = np.einsum("it,it->t", Ye, Ye)
    sse = yy + quad.quadratic(F, C, P.T @ Ye)  # (n_alphas, kb)
    low = sse.min(axis=0) < EXPANSION_FLOOR * yy
    if low.any():  # nearly exact fits: from the predictions
        part = np.empty((F.shape[1], int(low.sum())))
        stacked_sq_sums(P, F, C[:, low], Ye[:, low], part, dtype=dtype, work=work)
        sse[:, low] = part
    if scoring == "r2":
        return _r2(sse, np.einsum("it,it->t", Yc, Yc))
    return -sse / P.shape[0]


def _predicted_scores(P, F, C, Ye, scoring, Yc=None, dtype=np.float64, work=None):
    """Fold scores (n_alphas, kb) from ``P`` (n_e, r), filter ``F = 1/(λ + α)``
    (r, n_alphas), ``C`` (r, kb), the test targets ``Ye = Y_E − ȳ_T`` (n_e, kb) and, for
    R² and correlation, ``Yc = Y_E − mean(Y_E)``; predictions in ``dtype``."""
    kb = C.shape[1]
    na = F.shape[1]
    out = np.empty((na, kb))
    if scoring == "correlation":
        Pc = P - P.mean(axis=0)
        cov = F.T @ ((Pc.T @ Yc) * C)  # Σ (y − ȳ)(ŷ − ŷ̄), (n_alphas, kb)
        vy = np.einsum("it,it->t", Yc, Yc)
        stacked_sq_sums(Pc, F, C, None, out, dtype=dtype, work=work)  # Σ (ŷ − ŷ̄)²
        den = np.sqrt(out * vy)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, cov / den, 0.0)
    stacked_sq_sums(P, F, C, Ye, out, dtype=dtype, work=work)  # SSE
    if scoring == "r2":
        return _r2(out, np.einsum("it,it->t", Yc, Yc))
    return -out / P.shape[0]


class _Summed:
    """Accumulators of one fold for the summed-over-targets score (module docstring)."""

    def __init__(self, P):
        self.A = P.T @ P  # (r, r)
        r = P.shape[1]
        self.B = np.zeros((r, r))
        self.h = np.zeros(r)
        self.q = 0.0
        self.base = 0.0   # R²: the share of targets scored through the sum
        self.extra = 0.0  # targets scored one by one (R² with SST = 0), (n_alphas,)

    def add(self, P, C, Ye, w):
        Cw = C * np.sqrt(w)
        self.B += Cw @ Cw.T
        self.h += np.einsum("jt,jt->j", P.T @ Ye, C * w)
        self.q += float(w @ np.einsum("it,it->t", Ye, Ye))

    def total(self, F):
        """``Σ_t w_t SSE_t`` for every α: (n_alphas,)."""
        M = self.A * self.B
        return self.q - 2.0 * (self.h @ F) + np.einsum("ja,ja->a", F, M @ F)


# ======================================================================================
# The driver
# ======================================================================================

def _batches(k, n_targets_batch, n, d, n_folds):
    if n_targets_batch is None:
        kb = max(1, BUDGET // max(n, (n_folds + 1) * d, 1))
    else:
        kb = n_targets_batch
    kb = min(k, kb)
    return [slice(a, min(a + kb, k)) for a in range(0, k, kb)]


def _use_summed(folds, k, n_alphas):
    """Whether the summed engine costs less than the per-target products."""
    summed = sum(f.test.size * f.rank ** 2 + k * (2 * f.test.size + f.rank) * f.rank
                 for f in folds)
    per_target = sum(2 * f.test.size * f.rank * k * n_alphas for f in folds)
    return summed < per_target


class Refit:
    """The statistics of all rows that the folds' statistics add up to (a partition of
    every row into test folds, "cov" route): ``G`` (d, d) and ``R`` (d, k) centred by
    the weighted means ``xbar``, ``ybar`` with an intercept, the centring's error
    ``growth``; the final fit solves from them instead of reading X and Y again."""

    def __init__(self, G, growth, xbar, R, ybar):
        self.G, self.growth, self.xbar, self.R, self.ybar = G, growth, xbar, R, ybar


def cross_validate(X, Y2, alphas, splits, *, sw=None, fit_intercept=True,
                   scoring="neg_mean_squared_error", per_target=False,
                   n_targets_batch=None, dtype=None):
    """``(scores, refit)``: the mean fold scores, (n_alphas, k) if ``per_target`` else
    (n_alphas,), and a :class:`Refit` (or None).

    ``X`` (n, d) and ``Y2`` (n, k) validated; ``alphas`` float64 (n_alphas,) ``>= 0``;
    ``splits`` checked (train, test) index arrays; ``sw`` None or (n,) weights of the
    training fits.  ``per_target=False`` averages the fold scores over targets the way
    scikit-learn's scorers do (uniform average over outputs).
    """
    n, d = X.shape
    k = Y2.shape[1]
    icpt = bool(fit_intercept)
    dtype = X.dtype if dtype is None else dtype
    folds, plan = _cvfolds.decompose(X, splits, sw, icpt, dtype)
    na = alphas.size
    filters = [_policy.eigen_filter(f.lam, alphas, rcond=0.0) for f in folds]
    summed = (not per_target and scoring != "correlation"
              and _use_summed(folds, k, na))
    acc = np.zeros((na, k)) if not summed else None
    sums = _blas_threads.map_serial(lambda f: _Summed(f.P), folds) if summed else None
    full = plan.full_system(icpt)  # the refit's statistics, when the folds give them
    if not any(f.route == "cov" for f in folds):
        full = None  # no target statistics are summed over folds
    if full is not None:
        full = Refit(*full, np.empty((d, k)), np.empty(k))
    batches = _batches(k, n_targets_batch, n, d, len(folds))
    parallel = not _blas_threads.small(2.0 * sum(f.test.size * f.rank for f in folds) * k
                                       * (1 if summed else na) + 2.0 * n * d * k)
    _run_batches(X, Y2, sw, folds, plan, icpt, batches, filters, scoring, summed, acc,
                 sums, full, parallel, np.dtype(dtype))
    if summed:
        total = np.zeros(na)
        for s, F in zip(sums, filters):
            t = s.total(F)
            total += (s.base - t + s.extra) if scoring == "r2" else -t
        return total / len(folds), full
    acc /= len(folds)
    return (acc if per_target else acc.mean(axis=1)), full


def _run_batches(X, Y2, sw, folds, plan, icpt, batches, filters, scoring, summed, acc,
                 sums, full, parallel, dtype):
    """The target batches: per fold, C and the test targets, then the scores — as
    independent tasks (column ranges per target, folds for the summed engine)."""
    k = Y2.shape[1]
    quads = None
    for tb in batches:
        batch = _Batch(X, Y2[:, tb], sw, folds, plan, icpt, parallel)
        if full is not None:
            full.R[:, tb], full.ybar[tb] = batch.full_targets(plan, full.xbar - (
                0.0 if plan.centre is None else plan.centre), icpt)
        kb = tb.stop - tb.start
        if not summed and quads is None and scoring != "correlation":  # see _Quad
            quads = _blas_threads.map_serial(
                lambda i: _Quad(folds[i].P, folds[i].lam), range(len(folds)), parallel)
        if not summed:
            nw = _blas_threads.workers(kb) if parallel else 1
            bounds = np.linspace(0, kb, nw + 1).astype(int)
            cols = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
            out = acc[:, tb]  # a view: tasks write disjoint columns

            def columns(cs):
                work = _blas_threads.Work()  # buffers reused by every fold and α chunk
                for i, f in enumerate(folds):
                    C, ybar = batch.fold_targets(f, icpt, sw, cs)
                    Yb = batch.Yb[:, cs]
                    Ye = _cvfolds.centred_rows(Yb, f.test, ybar)  # (n_e, kc)
                    Yc = None if scoring == SCORINGS[0] else _test_centred(Yb, f.test)
                    out[:, cs] += per_target_scores(f.P, filters[i], C, Ye, scoring, Yc,
                                                    dtype, work,
                                                    None if quads is None else quads[i])

            _blas_threads.map_serial(columns, cols, parallel)
            continue

        def fold(i):
            f = folds[i]
            C, ybar = batch.fold_targets(f, icpt, sw)
            Ye = _cvfolds.centred_rows(batch.Yb, f.test, ybar)  # (n_e, kb)
            Yc = None if scoring == SCORINGS[0] else _test_centred(batch.Yb, f.test)
            if scoring == "r2":
                sst = np.einsum("it,it->t", Yc, Yc)
                flat = sst <= 0
                w = np.where(flat, 0.0, 1.0 / (k * np.where(flat, 1.0, sst)))
                sums[i].base += np.count_nonzero(~flat) / k
                if flat.any():  # r2_score's force_finite rule, target by target
                    s = per_target_scores(f.P, filters[i], C[:, flat], Ye[:, flat], "r2",
                                          Yc[:, flat])
                    sums[i].extra = sums[i].extra + s.sum(axis=1) / k
            else:
                w = np.full(C.shape[1], 1.0 / (f.test.size * k))
            sums[i].add(f.P, C, Ye, w)

        _blas_threads.map_serial(fold, range(len(folds)), parallel)
