"""Sufficient statistics of ridge regression, block by block (streaming, Dask, K-fold).

Ridge with an intercept needs only the weighted count ``W = Σ s_i``, the means ``x̄`` (d,)
and ``ȳ`` (k,), the centred cross-products ``C = Σ s_i (x_i − x̄)(x_i − x̄)ᵀ`` (d, d),
``B = Σ s_i (x_i − x̄)(y_i − ȳ)ᵀ`` (d, k) and, for cross-validation errors, the centred
target sums of squares ``q = Σ s_i (y_i − ȳ)²`` (k,).  :class:`Stats` holds them in
float64 whatever the input dtype.

Numerical method (Chan, Golub & LeVeque 1979): every block is centred on its own mean
before it is multiplied (the compiled ``gram_update`` does that in a small buffer, then
?syrk), and two sets of statistics A, B are merged with

    W = W_A + W_B,   δ = x̄_B − x̄_A,   x̄ = x̄_A + (W_B / W) δ
    C = C_A + C_B + (W_A W_B / W) δ δᵀ       (and likewise B with δ_y, q with δ_y²)

Only positive terms are added, so nothing cancels: the shortcut ``XᵀX − n x̄x̄ᵀ`` loses
about ``2 log10(|x̄| / spread)`` digits, this loses none.  ``C`` is kept in its upper
triangle only (the lower one stays zero) and symmetrised when solved.

Everything here takes arrays that the public layer has already validated.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import blas

from . import _policy, _ridge, _sparse
from ._solvers import eigen_path, overflow_error, solve_gram
from ._validation import is_sparse

_EMPTY = {np.dtype(np.float32): np.empty(0, np.float32),
          np.dtype(np.float64): np.empty(0, np.float64)}


class Stats:
    """Weighted, centred sufficient statistics of the rows seen so far (float64).

    Means are stored as ``origin + offset``: the origin is a provisional centre taken
    from the data (exactly representable in the input dtype), the offset the small
    deviation of the mean from it.  Differences of means — the ``δ`` of the Chan merge —
    are then ``(origin_B − origin_A) + (offset_B − offset_A)``, both terms exact or
    tiny, instead of the difference of two rounded values of size ``|x̄|`` (which carries
    an error of ``eps·|x̄|`` into ``C`` at first order).

    Attributes
    ----------
    weight : float
        ``W = Σ s_i`` (the number of rows when unweighted).
    count : int
        Number of rows seen (weighted or not).
    xorigin, xoffset, yorigin, yoffset : ndarray of shape (d,), (d,), (k,), (k,)
        ``x̄ = xorigin + xoffset``, ``ȳ = yorigin + yoffset``.
    C : ndarray of shape (d, d), F-ordered
        ``Σ s_i (x_i − x̄)(x_i − x̄)ᵀ`` in its upper triangle; the lower triangle is zero.
    B : ndarray of shape (d, k), F-ordered
        ``Σ s_i (x_i − x̄)(y_i − ȳ)ᵀ``.
    yy : ndarray of shape (k,)
        ``Σ s_i (y_i − ȳ)²``.
    """

    __slots__ = ("weight", "count", "xorigin", "xoffset", "yorigin", "yoffset",
                 "C", "B", "yy")
    _ARRAYS = ("xorigin", "xoffset", "yorigin", "yoffset", "C", "B", "yy")

    def __init__(self, d: int, k: int):
        self.weight = 0.0
        self.count = 0
        self.xorigin = np.zeros(d)
        self.xoffset = np.zeros(d)
        self.yorigin = np.zeros(k)
        self.yoffset = np.zeros(k)
        self.C = np.zeros((d, d), order="F")
        self.B = np.zeros((d, k), order="F")
        self.yy = np.zeros(k)

    @property
    def shape(self):
        """``(d, k)``: numbers of features and targets."""
        return self.B.shape

    @property
    def xmean(self):
        return self.xorigin + self.xoffset

    @property
    def ymean(self):
        return self.yorigin + self.yoffset

    def mean_difference(self, other: "Stats"):
        """``(x̄_other − x̄_self, ȳ_other − ȳ_self)`` without cancellation."""
        dx = (other.xorigin - self.xorigin) + (other.xoffset - self.xoffset)
        dy = (other.yorigin - self.yorigin) + (other.yoffset - self.yoffset)
        return dx, dy

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def copy(self) -> "Stats":
        out = Stats.__new__(Stats)
        out.weight, out.count = self.weight, self.count
        for name in self._ARRAYS:
            setattr(out, name, getattr(self, name).copy(order="K"))
        return out

    # -- adding rows -------------------------------------------------------------------
    def add_block(self, X, Y, sw=None) -> "Stats":
        """Add the rows of one validated block in place; return ``self``.

        ``X`` (m, d) and ``Y`` (m,) or (m, k) are C- or F-contiguous in one float dtype,
        ``sw`` is ``None`` or (m,) non-negative weights in that dtype.

        One pass of the compiled ``gram_update`` over X does everything: it is called
        with ``V = [Y − c_y, 1]`` so that next to ``S = Σ s (x − c)(x − c)ᵀ`` (?syrk) and
        ``T = Σ s (x − c)(y − c_y)ᵀ`` the column of ones returns ``Σ s (x − c)`` — the
        block mean ``c + Σ s (x − c) / W`` without a separate pass.  The centre ``c`` is
        the mean of 64 sampled rows, so ``S − W (x̄ − c)(x̄ − c)ᵀ`` (the block's centred
        C) loses nothing; when the sample shows every column's mean within four standard
        deviations of zero and there are no weights, ``c = 0`` and the kernel's copy-free
        path runs (cancellation then costs at most a factor ~17 of eps).  A float64 block
        is accumulated straight into ``C`` (?syrk with beta = 1); a float32 block into a
        float32 scratch that is merged in float64.  Blocks merge by Chan's update.

        Sparse X (validated CSR/CSC) goes to :meth:`_add_sparse_block`.

        Raises ``ValueError`` for NaN/inf in X or y or a Gram matrix that overflows; the
        statistics are then unchanged.
        """
        if is_sparse(X):
            return self._add_sparse_block(X, Y, sw)
        m, d = X.shape
        wb = float(m) if sw is None else float(sw.sum(dtype=np.float64))
        if wb == 0:
            self.count += m
            return self
        dtype = X.dtype
        Y2 = Y.reshape(m, -1)  # Y2.shape = (m, k)
        k = Y2.shape[1]
        cx, cy, centred = _centres(X, Y2, sw is not None)
        V = np.empty((m, k + 1), dtype=dtype, order="F")
        np.subtract(Y2, cy, out=V[:, :k])                     # V = [Y − c_y, 1]
        V[:, k] = 1
        T = np.zeros((d, k + 1), dtype=dtype, order="F")  # accumulate applies to T too
        inplace = dtype == np.float64 and self.weight > 0
        if inplace:
            backup = self.C.copy(order="F")  # to restore after a rejected block
            G = self.C
        else:
            G = np.zeros((d, d), dtype=dtype, order="F")  # lower triangle stays 0
        none = _EMPTY[dtype]
        # G (+)= Zᵀ Z (upper), T = Zᵀ V with Z = S^½ (X − c): T[:, k] = Σ s (x − c)
        info, _ = _ridge.gram_update(X, V, none if sw is None else sw,
                                     cx if centred else none, none, G, T, inplace,
                                     _policy.centring_limit(dtype))
        if info != 0:
            raise MemoryError("could not allocate the Gram block buffer")
        sx = T[:, k].astype(np.float64)
        R0 = V[:, :k]
        sy = (R0.sum(axis=0, dtype=np.float64) if sw is None
              else sw.astype(np.float64) @ R0.astype(np.float64))
        if not (np.isfinite(np.diagonal(G)).all() and np.isfinite(sx).all()
                and np.isfinite(sy).all()):
            if inplace:
                self.C[...] = backup
            raise _nonfinite_error(X, Y2, dtype)
        offx, offy = sx / wb, sy / wb  # block mean = c + off
        R = R0.astype(np.float64) - offy  # R.shape = (m, k), y − ȳ_b
        yyb = (R * R).sum(axis=0) if sw is None else sw.astype(np.float64) @ (R * R)
        block = Stats.__new__(Stats)
        block.weight, block.count, block.yy = wb, m, yyb
        block.xorigin, block.xoffset = cx.astype(np.float64), offx
        block.yorigin, block.yoffset = cy.astype(np.float64), offy
        if inplace:
            # C now holds C_A + S; S = C_b + W off offᵀ (about the block's own mean)
            blas.dsyr(-wb, offx, a=self.C, lower=0, overwrite_a=1)
            self.B += T[:, :k]
            blas.dger(-wb, offx, offy, a=self.B, overwrite_a=1)    # B += T − W offx offyᵀ
            self._merge_moments(block)
            return self
        G = G.astype(np.float64, order="F")
        Bb = T[:, :k].astype(np.float64, order="F")
        blas.dsyr(-wb, offx, a=G, lower=0, overwrite_a=1)          # C_b = S − W off offᵀ
        blas.dger(-wb, offx, offy, a=Bb, overwrite_a=1)            # B_b = T − W offx offyᵀ
        block.C, block.B = G, Bb
        return self.merge_(block)

    def _add_sparse_block(self, X, Y, sw) -> "Stats":
        """Add a validated sparse block: its centred moments from
        :func:`fastridge._sparse.moments` (accumulated over the nonzeros; columns whose
        mean exceeds four standard deviations, :data:`fastridge._policy.
        UNTRACKED_CENTRING_LIMIT`, centred exactly in dense blocks), merged by Chan's
        update.  X is never densified; the block's own ``C`` costs d² more memory while
        it is merged.
        """
        m = X.shape[0]
        wb = float(m) if sw is None else float(sw.sum(dtype=np.float64))
        if wb == 0:
            self.count += m
            return self
        mo = _sparse.moments(X, Y, sw, _policy.UNTRACKED_CENTRING_LIMIT)
        C = mo["C"]
        if not (np.isfinite(np.diagonal(C)).all() and np.isfinite(mo["B"]).all()
                and np.isfinite(mo["yy"]).all()):
            Y2 = Y.reshape(m, -1)
            raise (ValueError("y contains NaN or infinity; expected only finite values")
                   if not np.isfinite(Y2).all() else overflow_error(X.dtype))
        C[np.tril_indices(C.shape[0], -1)] = 0.0  # upper triangle only, as kept here
        block = Stats.__new__(Stats)
        block.weight, block.count, block.yy = wb, m, mo["yy"]
        block.xorigin, block.xoffset = mo["xorigin"], mo["xoffset"]
        block.yorigin, block.yoffset = mo["yorigin"], mo["yoffset"]
        block.C, block.B = C, np.asfortranarray(mo["B"])
        return self.merge_(block)

    def _merge_moments(self, other: "Stats"):
        """Chan update of everything but ``other``'s own C and B (already added)."""
        wa, wb = self.weight, other.weight
        w = wa + wb
        f = wa * wb / w
        dx, dy = self.mean_difference(other)
        blas.dsyr(f, dx, a=self.C, lower=0, overwrite_a=1)         # C += f δx δxᵀ
        blas.dger(f, dx, dy, a=self.B, overwrite_a=1)              # B += f δx δyᵀ
        self.yy += other.yy + f * dy * dy
        self.xoffset += (wb / w) * dx   # x̄ = x̄_A + (W_B / W) δx, origin kept
        self.yoffset += (wb / w) * dy
        self.weight = w
        self.count += other.count

    def merge_(self, other: "Stats") -> "Stats":
        """Merge ``other`` into ``self`` (Chan–Golub–LeVeque); return ``self``."""
        if other.weight == 0:
            self.count += other.count
            return self
        if self.weight == 0:
            count = self.count
            for name in self._ARRAYS:
                setattr(self, name, getattr(other, name).copy(order="K"))
            self.weight, self.count = other.weight, count + other.count
            return self
        self.C += other.C
        self.B += other.B
        self._merge_moments(other)
        return self

    # -- the linear system ---------------------------------------------------------------
    def system(self, fit_intercept: bool):
        """``(G (d, d) symmetric, F-ordered, R (d, k))`` of the normal equations.

        With the intercept: the centred ``C`` and ``B``.  Without: the raw ``XᵀSX`` and
        ``XᵀSY``, rebuilt as ``C + W x̄x̄ᵀ`` (a sum of positive terms, no cancellation).
        """
        G = np.array(self.C, order="F")
        R = np.array(self.B, order="F")
        if not fit_intercept:
            blas.dsyr(self.weight, self.xmean, a=G, lower=0, overwrite_a=1)
            blas.dger(self.weight, self.xmean, self.ymean, a=R, overwrite_a=1)
        il = np.tril_indices(G.shape[0], -1)
        G[il] = G.T[il]  # mirror the upper triangle
        return G, R


_SAMPLE = 64  # rows sampled per block to choose its centre


def _centres(X, Y2, weighted):
    """``(c_x, c_y, centred)``: where the kernel centres this block, in X's dtype.

    ``c`` is the mean of up to 64 rows spread over the block: close enough to the block
    mean that ``S − W (x̄ − c)(x̄ − c)ᵀ`` cancels nothing that matters.  ``centred`` is
    False (and ``c_x`` zero) when there are no weights and every sampled column mean is
    within four sampled standard deviations of zero: the kernel then runs ?syrk on X as
    it is, without its centring copy, and ``C_b = S − W x̄x̄ᵀ`` has a relative error of
    at most about ``(1 + (x̄/σ)²)·eps ≈ 17 eps`` (the centred path: about eps).
    """
    m = X.shape[0]
    idx = np.unique(np.linspace(0, m - 1, min(m, _SAMPLE)).astype(np.intp))
    Xs = X[idx].astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf: seen after the kernel
        mx = Xs.mean(axis=0)
        cy = Y2[idx].astype(np.float64).mean(axis=0).astype(X.dtype)
        limit = _policy.UNTRACKED_CENTRING_LIMIT
        near_zero = bool(np.all(mx * mx <= limit * Xs.var(axis=0))) and idx.size > 1
    if near_zero and not weighted:
        return np.zeros(X.shape[1], dtype=X.dtype), cy, False
    return mx.astype(X.dtype), cy, True


def _nonfinite_error(X, Y2, dtype):
    if not _ridge.all_finite(np.ascontiguousarray(X) if not (X.flags.c_contiguous or
                                                             X.flags.f_contiguous) else X):
        return ValueError("X contains NaN or infinity; expected only finite values")
    if not np.isfinite(Y2).all():
        return ValueError("y contains NaN or infinity; expected only finite values")
    return overflow_error(dtype)


def merge(parts) -> Stats:
    """Merge a sequence of :class:`Stats` into a new one (pairwise, as a balanced tree)."""
    parts = list(parts)
    if not parts:
        raise ValueError("no statistics to merge")
    level = [p.copy() for p in parts]
    while len(level) > 1:
        nxt = [level[i].merge_(level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


# -- solving from statistics -----------------------------------------------------------

def solve(stats: Stats, alphas, fit_intercept: bool, solver: str, dtype):
    """Ridge from statistics: ``(coef (d, k) float64, intercept (k,) float64, solver_)``.

    The system ``G = C (+ W x̄x̄ᵀ)``, ``R = B (+ W x̄ȳᵀ)`` goes to
    :func:`fastridge._solvers.solve_gram` with the registry's ``solver`` (one that can
    work from statistics) and the working ``dtype``, so ``"auto"`` falls back exactly
    where ``fit`` would (:mod:`fastridge._policy`).
    """
    if stats.weight <= 0:
        raise ValueError("no rows with positive weight have been seen; nothing to fit")
    G, R = stats.system(fit_intercept)
    d, k = R.shape
    alphas = np.asarray(alphas, dtype=np.float64)
    if alphas.size == 1 and k > 1:
        alphas = np.full(k, alphas[0])
    coef, chosen = solve_gram(G, R, alphas, solver, dtype, stats.count)
    if fit_intercept:
        intercept = stats.ymean - stats.xmean @ coef
    else:
        intercept = np.zeros(k)
    return coef, intercept, chosen


# -- K-fold cross-validation from per-fold statistics ------------------------------------

def fold_sse(fold: Stats, coef, mean_residual):
    """``Σ_fold s_i (y_i − b − x_iᵀw)²`` per target and per α from the fold's statistics.

    ``coef`` (..., d, k); ``mean_residual`` (..., k) is ``r = ȳ_f − b − x̄_fᵀw``, the
    fold's mean residual.  Expanding around the fold's own means, the cross terms
    vanish: ``SSE = q_f − 2 wᵀB_f + wᵀC_f w + W_f r²`` — no pass over the rows.
    """
    C, Bf = fold.system(True)  # the fold's own centred statistics
    W = np.asarray(coef)
    CW = np.einsum("ij,...jk->...ik", C, W)
    quad = np.einsum("...jk,...jk->...k", W, CW)
    cross = np.einsum("...jk,jk->...k", W, Bf)
    r = np.asarray(mean_residual)
    return fold.yy - 2.0 * cross + quad + fold.weight * r * r


def kfold_cv(folds, alphas, fit_intercept: bool):
    """Exact K-fold CV errors from per-fold statistics, one eigendecomposition per fold.

    Fold f trains on the merge of all other folds — built from prefix and suffix merges,
    never by subtracting fold f from the total (that would cancel) — and is scored on its
    own statistics.  Returns ``(mse (n_alphas, k), total Stats)`` where
    ``mse = Σ_f SSE_f / Σ_f W_f`` (the weighted mean squared error over all rows).
    """
    K = len(folds)
    if K < 2:
        raise ValueError(f"K-fold cross-validation needs n_splits >= 2; got {K}")
    empty = [f for f, s in enumerate(folds) if s.weight <= 0]
    if empty:
        raise ValueError(
            f"fold(s) {empty} received no rows (with positive weight); each of the "
            f"{K} folds needs data for K-fold cross-validation: call partial_fit with "
            f"more blocks (the i-th call goes to fold i % {K}), pass folds= (a fold per "
            f"row) or a smaller n_splits"
        )
    prefix = [None] * (K + 1)
    suffix = [None] * (K + 1)
    for f in range(K):
        prefix[f + 1] = folds[f].copy() if prefix[f] is None else prefix[f].copy().merge_(folds[f])
    for f in range(K - 1, -1, -1):
        suffix[f] = folds[f].copy() if suffix[f + 1] is None else folds[f].copy().merge_(suffix[f + 1])
    alphas = np.asarray(alphas, dtype=np.float64)
    d, k = folds[0].shape
    sse = np.zeros((alphas.size, k))
    for f in range(K):
        parts = [p for p in (prefix[f], suffix[f + 1]) if p is not None]
        train = parts[0].copy() if len(parts) == 1 else parts[0].copy().merge_(parts[1])
        G, R = train.system(fit_intercept)
        coefs = eigen_path(G, R, alphas, train.count)  # coefs.shape = (n_alphas, d, k)
        if fit_intercept:  # b = ȳ_t − x̄_tᵀw, so r = (ȳ_f − ȳ_t) − (x̄_f − x̄_t)ᵀw
            dx, dy = train.mean_difference(folds[f])
            r = dy - np.einsum("j,ajk->ak", dx, coefs)
        else:
            r = folds[f].ymean - np.einsum("j,ajk->ak", folds[f].xmean, coefs)
        sse += fold_sse(folds[f], coefs, r)
    total = prefix[K]
    return sse / total.weight, total


def add_to_folds(fold_stats, X, Y, sw, ids):
    """Add a validated block to per-fold statistics; ``ids`` int or (m,) fold per row.

    Rows of one fold that sit in one contiguous run are used as a view; otherwise they
    are gathered (one copy of that fold's rows).  All folds are computed before any is
    changed, so an error leaves ``fold_stats`` as it was.
    """
    if isinstance(ids, int):
        fold_stats[ids].add_block(X, Y, sw)  # add_block itself leaves it unchanged on error
        return fold_stats
    else:
        updated = {}
        for f in np.unique(ids):
            idx = np.flatnonzero(ids == f)
            if idx[-1] - idx[0] + 1 == idx.size:
                sl = slice(idx[0], idx[-1] + 1)
                Xf, Yf = X[sl], Y[sl]
                swf = None if sw is None else sw[sl]
            else:
                Xf, Yf = np.take(X, idx, axis=0), np.take(Y, idx, axis=0)
                swf = None if sw is None else sw[idx]
            if not (Xf.flags.c_contiguous or Xf.flags.f_contiguous):
                Xf = np.ascontiguousarray(Xf)
            if not (Yf.flags.c_contiguous or Yf.flags.f_contiguous):
                Yf = np.ascontiguousarray(Yf)
            updated[int(f)] = fold_stats[int(f)].copy().add_block(Xf, Yf, swf)
    for f, s in updated.items():
        fold_stats[f] = s
    return fold_stats


def block_stats(X, Y, sw=None) -> Stats:
    """Statistics of one validated block (a fresh :class:`Stats`)."""
    k = 1 if Y.ndim == 1 else Y.shape[1]
    return Stats(X.shape[1], k).add_block(X, Y, sw)


class StreamState:
    """What an estimator keeps between ``partial_fit`` calls.

    ``stats`` is one :class:`Stats` (Ridge) or a list of ``n_splits`` of them (K-fold
    RidgeCV); ``y_ndim`` and ``k`` fix the target shape, ``dtype`` is the output dtype
    (float64 once any block was float64); ``version`` counts the blocks and ``key``
    records what the cached solution was solved from.
    """

    __slots__ = ("stats", "d", "k", "y_ndim", "dtype", "version", "key", "calls")

    def __init__(self, stats, d, k, y_ndim, dtype):
        self.stats = stats
        self.d, self.k, self.y_ndim, self.dtype = d, k, y_ndim, np.dtype(dtype)
        self.version = 0
        self.key = None
        self.calls = 0

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def check_block(self, estimator, X, y):
        """Raise ``ValueError`` when a new block does not match the first one."""
        if X.shape[1] != self.d:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
                f"{self.d} features as input (from the earlier partial_fit calls)."
            )
        k = 1 if y.ndim == 1 else y.shape[1]
        if y.ndim != self.y_ndim or k != self.k:
            want = "1-D y" if self.y_ndim == 1 else f"y with {self.k} target columns"
            got = "1-D y" if y.ndim == 1 else f"y with {k} target columns"
            raise ValueError(
                f"partial_fit expected {want} (as in the earlier calls); got {got}"
            )


def start_or_check(estimator, X, y, make_stats):
    """The estimator's :class:`StreamState`, new (not yet attached) or checked against X, y."""
    state = estimator.__dict__.get("_stream")
    if state is None:
        k = 1 if y.ndim == 1 else y.shape[1]
        return StreamState(make_stats(X.shape[1], k), X.shape[1], k, y.ndim, X.dtype)
    state.check_block(estimator, X, y)
    return state
