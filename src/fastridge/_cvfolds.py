"""One eigendecomposition per training fold, for cross-validation over any splits.

Each split ``(T, E)`` (training rows, test rows; any index sets, not only a partition)
becomes a :class:`Fold`: the penalty-free part of the ridge problem trained on ``T``,

    Ŷ_E(α) − ȳ_T = P · diag(1/(λ + α)) · C,       P (n_e, r),  C (r, k)

with ``λ`` (r,) the kept eigenvalues of the training Gram matrix, ``P`` the test rows in
the eigenbasis and ``C`` the training targets there.  ``P`` and ``λ`` depend on X only
and are built here once; ``C`` is formed per batch of targets by :mod:`._crossval`.

Three routes, as in :class:`fastridge._spectral.Spectral` (docs/math.md §5, §9):

- ``"cov"`` (``n_t ≥ d + intercept``): eigh of ``G_T = X̃_TᵀS X̃_T`` (d×d), where
  ``X̃_T = X_T − x̄_T`` is centred by the training fold's own (weighted) mean.  ``G_T``
  is not formed from the training rows: every statistic is accumulated about one
  global centre ``μ`` (the column means of X), and a training fold is the total minus
  its complement — for a partition, minus its test fold (a *downdate*) — then moved to
  its own mean by a rank-one correction.  Both subtractions multiply the rounding
  error of ``G_T`` by ``growth = tr(source) / tr(G_T)``; the eigen route's accuracy test
  (:func:`fastridge._policy.eigen_tolerance`) includes it, and a fold that fails is
  made again from its own rows (growth 1), then by the SVD.  ``P = X̃_E V`` with the
  test rows centred by the *training* mean, ``C = Vᵀ R_T``, ``R_T = X̃_TᵀS Ỹ_T``.
- ``"gram"`` (``n_t < d + intercept``): eigh of ``S^½ K̃_TT S^½`` with ``K̃`` the kernel
  ``(X − μ)(X − μ)ᵀ`` (formed once for all rows) double-centred by the training mean;
  ``P = K̃_ET S^½ U``, ``C = (S^½ U)ᵀ Ỹ_T``.
- ``"svd"``: thin SVD of ``S^½ X̃_T`` (when the Gram route is not accurate enough);
  ``P = X̃_E V``, ``C = diag(s) Uᵀ S^½ Ỹ_T``.

All of it in float64 whatever the working dtype (as the leave-one-out engine).
Everything here takes validated arrays and checks nothing.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from scipy.linalg import blas

from . import _blas_threads, _policy
from ._solvers import overflow_error, svd_factor
from ._spectral import _gram_pass

__all__ = ["Fold", "Plan", "decompose"]

# Elements of a work buffer of centred rows (2 MiB of float64).
_BLOCK = 1 << 18


def _rows_of(idx):
    """A slice when ``idx`` is a contiguous increasing run (views instead of gathers)."""
    if idx.size and idx[-1] - idx[0] + 1 == idx.size and (idx.size < 2 or
                                                          (np.diff(idx) == 1).all()):
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def centred_rows(X, rows, centre):
    """``X[rows] − centre`` as a new float64 (m, d) array (``centre`` None: a cast)."""
    out = np.array(X[_rows_of(rows)], dtype=np.float64, order="C")
    if centre is not None:
        out -= centre
    return out


def row_stats(X, rows, centre, sw):
    """``(G', s', W)`` of the rows ``rows`` about ``centre``: the upper triangle of
    ``Σ s_i (x_i − c)(x_i − c)ᵀ`` (d, d, F-ordered), ``Σ s_i (x_i − c)`` (d,) and
    ``Σ s_i``, in float64, accumulated over blocks of rows centred in a small buffer."""
    d = X.shape[1]
    G = np.zeros((d, d), order="F")
    sx = np.zeros(d)
    step = max(1, _BLOCK // max(d, 1))
    for start in range(0, rows.size, step):
        blk = rows[start:start + step]
        B = centred_rows(X, blk, centre)  # B.shape = (m, d)
        if sw is not None:
            w = sw[blk]
            sx += w @ B
            B *= np.sqrt(w)[:, None]
        else:
            sx += B.sum(axis=0)
        G = blas.dsyrk(1.0, B, beta=1.0, c=G, trans=1, lower=0, overwrite_c=1)  # G += BᵀB
    W = float(rows.size) if sw is None else float(sw[rows].sum())
    return G, sx, W


class Fold:
    """One split's decomposition.

    Attributes
    ----------
    train, test : ndarray of intp
    route : {"cov", "gram", "svd"}
    lam : ndarray (r,)
        Kept eigenvalues ``λ = s²`` (ascending on the eigen routes).
    P : ndarray (n_e, r)
        Test rows (centred by the training mean) in the eigenbasis.
    V : ndarray (d, r) or None
        Eigenvectors of ``G_T`` ("cov"): ``C = Vᵀ R_T``.
    Yproj : ndarray (n_t, r) or None
        "gram"/"svd": ``C = Yprojᵀ (Y_T − ȳ_T)``.
    W : float
        ``Σ_T s_i``.
    x_shift : ndarray (d,)
        ``x̄_T − μ`` (zeros without intercept).
    source, sub : ndarray of intp or None
        "cov": the training statistics are ``stats(source) − stats(sub)`` (``sub`` None:
        from the training rows themselves; ``source`` None: the plan's total).
    """

    __slots__ = ("train", "test", "route", "lam", "P", "V", "Yproj", "W", "x_shift",
                 "source", "sub", "growth")

    @property
    def rank(self):
        return int(self.lam.shape[0])


class Plan:
    """How the folds' training statistics are assembled, shared by every target batch.

    ``centre`` μ (d,) or None (no intercept); ``total`` the rows whose statistics every
    downdated fold starts from (None when no fold is downdated); ``partition``: the
    test folds partition ``total`` and each training fold is the rest, so the total is
    the sum of the test folds' statistics.
    """

    def __init__(self, centre, total, partition):
        self.centre, self.total, self.partition = centre, total, partition
        self.sub_stats = {}  # id(fold) → stats of its ``sub`` rows, used once
        self.totals = None   # (G', s', W) of ``total``
        self.complete = False  # ``total`` is every row: the refit's statistics are here

    def full_system(self, fit_intercept):
        """``(G (d, d) symmetric, growth, x̄ (d,))`` of all rows (weighted, centred by the
        weighted mean with an intercept), or None when the plan has no such total."""
        if not self.complete:
            return None
        G, sx, W = self.totals
        G = np.array(G, order="F")
        xshift = sx / W if fit_intercept else np.zeros(G.shape[0])
        if fit_intercept:
            G = blas.dsyr(-W, xshift, a=G, lower=0, overwrite_a=1)
        top = np.trace(G)
        growth = float(np.trace(self.totals[0]) / top) if top > 0 else np.inf
        il = np.tril_indices(G.shape[0], -1)
        G[il] = G.T[il]  # mirror the upper triangle
        xbar = xshift if self.centre is None else self.centre + xshift
        return G, growth, xbar


def _is_partition(splits, n):
    tests = np.concatenate([te for _, te in splits])
    if np.unique(tests).size != tests.size:
        return None
    member = np.zeros(n, bool)
    member[tests] = True
    for tr, te in splits:
        if tr.size != tests.size - te.size or not member[tr].all():
            return None
    return np.sort(tests)


def _max_rank(train, sw, d, icpt):
    n_pos = train.size if sw is None else int(np.count_nonzero(sw[train]))
    return max(0, min(n_pos - icpt, d))


def _accept(lam, max_rank, growth, dtype):
    """The eigen route's accuracy test of :class:`fastridge._spectral.Spectral`."""
    m = lam.shape[0]
    top = float(lam[-1]) if m else 0.0
    if not top > 0 or max_rank == 0:
        return True
    return float(lam[m - max_rank]) >= _policy.eigen_tolerance(dtype) * growth * top


def _keep(lam, Q, max_rank, n_t, d):
    """The kept eigenpairs: at most ``max_rank``, above the spectral cutoff."""
    m = lam.shape[0]
    top = lam[m - max_rank:] if max_rank else lam[:0]
    r = int(np.count_nonzero(_policy.kept(top, _policy.spectral_cutoff(n_t, d, np.float64))))
    return lam[m - r:].copy(), Q[:, m - r:]


def _eigh(G):
    if not np.isfinite(np.diagonal(G)).all():
        raise overflow_error(np.float64)
    return sla.eigh(G, lower=False, driver="evd", overwrite_a=True, check_finite=False)


def _cov_fold(f, X, sw, plan, totals, icpt, dtype):
    d = X.shape[1]
    c = plan.centre
    if f.sub is None and f.source is None:
        G, sx, W = row_stats(X, f.train, c, sw)
        growth_src = np.trace(G)
    else:
        Gt, sxt, Wt = totals if f.source is None else row_stats(X, f.source, c, sw)
        Gs, sxs, Ws = plan.sub_stats.pop(id(f), None) or row_stats(X, f.sub, c, sw)
        G, sx, W = Gt - Gs, sxt - sxs, Wt - Ws
        growth_src = np.trace(Gt)
    f.W = W
    f.x_shift = sx / W if icpt else np.zeros(d)
    if icpt:
        G = blas.dsyr(-W, f.x_shift, a=np.asfortranarray(G), lower=0, overwrite_a=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f.growth = max(1.0, float(growth_src / np.trace(G))) if np.trace(G) > 0 else 1.0
    lam, Q = _eigh(G)
    max_rank = _max_rank(f.train, sw, d, icpt)
    if not _accept(lam, max_rank, f.growth, dtype):
        if f.sub is not None or f.source is not None:
            f.sub = f.source = None  # downdate not accurate enough: from the rows
            return _cov_fold(f, X, sw, plan, totals, icpt, dtype)
        return _svd_fold(f, X, sw, plan, icpt, dtype)
    f.lam, f.V = _keep(lam, Q, max_rank, f.train.size, d)
    Xe = centred_rows(X, f.test, None if c is None else c + f.x_shift)
    f.P = Xe @ f.V  # P.shape = (n_e, r)
    f.route, f.Yproj = "cov", None
    return f


def _svd_fold(f, X, sw, plan, icpt, dtype):
    d = X.shape[1]
    XT = np.ascontiguousarray(X[_rows_of(f.train)])
    sq = None if sw is None else np.sqrt(sw[f.train]).astype(X.dtype)
    f.W = float(f.train.size) if sw is None else float(sw[f.train].sum())
    if icpt:
        wt = None if sw is None else sw[f.train]
        xbar = np.average(XT, axis=0, weights=wt).astype(np.float64)
        f.x_shift = xbar - plan.centre
    else:
        xbar, f.x_shift = None, np.zeros(d)
    U, s, Vt = svd_factor(XT, sq, None if xbar is None else xbar.astype(X.dtype))
    max_rank = _max_rank(f.train, sw, d, icpt)
    r = int(np.count_nonzero(_policy.kept(s, _policy.spectral_cutoff(*XT.shape, dtype))))
    r = min(r, max_rank)
    s = s[:r].astype(np.float64)
    with np.errstate(over="ignore"):
        f.lam = s * s
    if not np.isfinite(f.lam).all():
        raise overflow_error(np.float64)
    f.V = np.ascontiguousarray(Vt[:r].T, dtype=np.float64)  # (d, r)
    Yproj = np.asarray(U[:, :r], dtype=np.float64) * s  # C = s ⊙ Uᵀ S^½ Ỹ_T
    if sq is not None:
        Yproj *= np.sqrt(sw[f.train].astype(np.float64))[:, None]
    f.Yproj = Yproj
    Xe = centred_rows(X, f.test, xbar)
    f.P = Xe @ f.V
    f.V = None  # C comes from the rows (Yproj), not from Vᵀ R_T
    f.route = "svd"
    return f


def _gram_fold(f, K, growth_K, X, sw, plan, icpt, dtype):
    d = X.shape[1]
    T, E = f.train, f.test
    KTT = K[np.ix_(T, T)]  # (X_T − μ)(X_T − μ)ᵀ
    KET = K[np.ix_(E, T)]
    sT = None if sw is None else sw[T].astype(np.float64)
    f.W = float(T.size) if sT is None else float(sT.sum())
    raw = float(np.trace(KTT) if sT is None else np.diagonal(KTT) @ sT)
    if icpt:  # double-centre by the training mean: x_iᵀx̄'_T and ‖x̄'_T‖²
        aT = KTT.mean(axis=1) if sT is None else KTT @ sT / f.W
        aE = KET.mean(axis=1) if sT is None else KET @ sT / f.W
        cc = float(aT.mean() if sT is None else sT @ aT / f.W)
        KTT = KTT - aT[:, None] - aT[None, :] + cc
        KET = KET - aE[:, None] - aT[None, :] + cc
        XT = X[_rows_of(T)]
        xbar = (XT.mean(axis=0, dtype=np.float64) if sT is None
                else sT @ XT.astype(np.float64) / f.W)
        f.x_shift = xbar - plan.centre
    else:
        f.x_shift = np.zeros(d)
    if sT is not None:
        sq = np.sqrt(sT)
        KTT *= sq[:, None]
        KTT *= sq[None, :]
    done = float(np.trace(KTT))
    f.growth = growth_K * (max(1.0, raw / done) if done > 0 else 1.0)
    lam, Q = _eigh(np.asfortranarray(KTT))
    max_rank = _max_rank(T, sw, d, icpt)
    if not _accept(lam, max_rank, f.growth, dtype):
        return _svd_fold(f, X, sw, plan, icpt, dtype)
    f.lam, U = _keep(lam, Q, max_rank, T.size, d)
    f.Yproj = U if sT is None else U * sq[:, None]  # S^½ U, (n_t, r)
    f.P = KET @ f.Yproj  # K̃_ET S^½ U, (n_e, r)
    f.route, f.V = "gram", None
    return f


def decompose(X, splits, sw, fit_intercept, dtype):
    """``(folds, plan)`` for validated X and checked splits (see the module docstring).

    Every fold's statistics and decomposition run on one BLAS thread (many small calls
    and ?syevd, see :mod:`fastridge._blas_threads`), folds side by side on a few Python
    threads.
    """
    n, d = X.shape
    icpt = int(bool(fit_intercept))
    centre = X.mean(axis=0, dtype=np.float64) if icpt else None
    folds = []
    for tr, te in splits:
        f = Fold()
        f.train, f.test, f.source, f.sub = tr, te, None, None
        f.route = "cov" if tr.size >= d + icpt else "gram"
        folds.append(f)
    cov = [f for f in folds if f.route == "cov"]
    total, partition, totals = None, False, None
    if cov:
        tests = _is_partition(splits, n)
        if tests is not None:
            total, partition = tests, True
            for f in folds:
                f.sub = f.test
        else:
            total = np.unique(np.concatenate([tr for tr, _ in splits]))
            for f in cov:
                if 2 * f.train.size > total.size:
                    member = np.ones(n, bool)
                    member[f.train] = False
                    f.sub = total[member[total]]  # total ∖ train, sorted
        plan = Plan(centre, total, partition)
        if partition:  # the total is the sum of the test folds' statistics
            parts = _blas_threads.map_serial(lambda f: row_stats(X, f.test, centre, sw), folds)
            plan.sub_stats.update((id(f), p) for f, p in zip(folds, parts))
            totals = (sum(p[0] for p in parts), sum(p[1] for p in parts),
                      sum(p[2] for p in parts))
        elif any(f.sub is not None for f in cov):
            with _blas_threads.serial(_blas_threads.small(total.size * d * d)):
                totals = row_stats(X, total, centre, sw)
        plan.totals = totals
        plan.complete = totals is not None and total.size == n
    else:
        plan = Plan(centre, None, False)
    K = growth_K = None
    if len(cov) < len(folds):
        with _blas_threads.serial(_blas_threads.small(n * n * d)):
            K, _, growth_K = _gram_pass(X, centre)
        K = np.triu(K) + np.triu(K, 1).T  # symmetric (n, n)
    def one(f):
        if f.route == "cov":
            return _cov_fold(f, X, sw, plan, totals, icpt, dtype)
        return _gram_fold(f, K, growth_K, X, sw, plan, icpt, dtype)

    _blas_threads.map_serial(one, folds)
    plan.sub_stats.clear()
    return folds, plan
