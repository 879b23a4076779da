"""Ridge and RidgeCV on Dask arrays: one pass over the data, exact results.

Dask is the engine — no scheduler of fastridge's own.  ``fit`` turns every row block
of X (and y, sample weights) into one task that computes the block's sufficient
statistics with fastridge's compiled kernel (``gram_update``: ?syrk on the block plus
count and mean, see :mod:`fastridge._sufficient_stats`), merges them in a tree of tasks
(``split_every`` statistics per merge, Chan–Golub–LeVeque updates), and solves the
d×d system on the client.  The result equals the in-memory ``fastridge.Ridge`` on the
same data (float64: about 1e-10 relative or better), for any row chunking; column
chunks are merged into one first (``X.rechunk({1: -1})``).

It runs on whatever scheduler is active: the default threaded one (the kernel releases
the GIL) or a ``distributed.Client`` (``LocalCluster`` or a real cluster; the workers
need fastridge installed).  ``predict`` returns a Dask array (``X.map_blocks``).

The classes accept Dask arrays (NumPy arrays are wrapped with ``dask.array.from_array``
in ``fit``; ``predict`` on a NumPy array returns a NumPy array).  Install with
``pip install 'fastridge[dask]'``.

:class:`RidgeCV` chooses α by exact K-fold cross-validation from per-fold statistics
(leave-one-out would need a second pass over every row); the folds are, by default,
``n_splits`` contiguous row ranges as scikit-learn's ``KFold(n_splits)`` without
shuffling makes them — independent of the chunking — or a per-row fold array.
"""
from __future__ import annotations

try:
    import dask
    import dask.array as da
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "fastridge.dask needs Dask; install the optional 'dask' extra: "
        "pip install 'fastridge[dask]' (dask[array] and distributed)"
    ) from exc

import numpy as np

from . import _sufficient_stats as _stats
from ._estimators import Ridge as _Ridge
from ._ridgecv import RidgeCV as _RidgeCV
from ._solvers import check_solver
from ._validation import (all_zero_weights_error, check_alpha, check_alphas, check_fold_ids,
                          check_same_rows, check_scalar, check_weight_values, working_dtype)

__all__ = ["Ridge", "RidgeCV"]


# -- tasks (module-level functions: they run on the workers) ---------------------------

def _ready(block, dtype):
    block = np.asarray(block, dtype=dtype)
    if not (block.flags.c_contiguous or block.flags.f_contiguous):
        block = np.ascontiguousarray(block)
    return block


def _block_stats(X, y, sw, dtype):
    """Sufficient statistics of one row block (a task)."""
    X, y = _ready(X, dtype), _ready(y, dtype)
    sw = None if sw is None else np.ascontiguousarray(sw, dtype=dtype)
    if sw is not None:
        check_weight_values(sw)
    return _stats.block_stats(X, y, sw)


def _block_fold_stats(X, y, sw, ids, r0, bounds, n_splits, dtype):
    """Per-fold statistics of one row block (a task).  ``ids``: the rows' folds, or
    None for contiguous folds with row boundaries ``bounds`` (global row ``r0`` first)."""
    X, y = _ready(X, dtype), _ready(y, dtype)
    sw = None if sw is None else np.ascontiguousarray(sw, dtype=dtype)
    if sw is not None:
        check_weight_values(sw)
    m = X.shape[0]
    if ids is None:
        ids = np.searchsorted(bounds, r0 + np.arange(m), side="right") - 1
    else:
        ids = check_fold_ids(np.asarray(ids), m, n_splits)
    k = 1 if y.ndim == 1 else y.shape[1]
    folds = [_stats.Stats(X.shape[1], k) for _ in range(n_splits)]
    return _stats.add_to_folds(folds, X, y, sw, ids)


def _merge_stats(*parts):
    return _stats.merge(parts)


def _merge_folds(*parts):
    return [_stats.merge([p[f] for p in parts]) for f in range(len(parts[0]))]


def _predict_block(X, coef, intercept):
    return X @ coef.T + intercept


def _tree(parts, combine, split_every):
    """Merge delayed parts in a tree: ``split_every`` children per node, depth
    ``ceil(log_split_every(len(parts)))`` — not a serial fold."""
    merge = dask.delayed(combine, pure=False)
    level = list(parts)
    while len(level) > 1:
        level = [merge(*level[i:i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


# -- client side -----------------------------------------------------------------------

def _as_dask(a, name, row_chunks=None):
    if a is None:
        return None
    if not isinstance(a, da.Array):
        a = np.asarray(a)
        if row_chunks is None:
            a = da.from_array(a, chunks=(("auto",) + (-1,) * (a.ndim - 1)))
        else:
            a = da.from_array(a, chunks=(row_chunks,) + tuple((s,) for s in a.shape[1:]))
    return a


def _prepare(X, y, sample_weight=None, folds=None):
    """Validate shapes and chunks on the client; return dask arrays with one column chunk."""
    X = _as_dask(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D; got a dask array of shape {X.shape}")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() first")
    dtype = working_dtype(np.empty(0, X.dtype), "X")
    y = _as_dask(y, "y", X.chunks[0])
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D; got a dask array of shape {y.shape}")
    working_dtype(np.empty(0, y.dtype), "y")
    n, d = X.shape
    if n == 0 or d == 0 or (y.ndim == 2 and y.shape[1] == 0):
        raise ValueError(f"X must not be empty; got shapes X {X.shape}, y {y.shape}")
    check_same_rows(n, y.shape[0], "y")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    if y.ndim == 2 and len(y.chunks[1]) > 1:
        y = y.rechunk({1: -1})
    for name, a in (("y", y), ("sample_weight", sample_weight), ("folds", folds)):
        if isinstance(a, da.Array) and a.chunks[0] != X.chunks[0]:
            raise ValueError(
                f"{name} must be chunked along rows like X: expected row chunks "
                f"{X.chunks[0]}, got {a.chunks[0]}; use {name}.rechunk({{0: X.chunks[0]}})"
            )
    if sample_weight is not None:
        if np.ndim(sample_weight) == 0:
            sample_weight = da.full(n, float(sample_weight), chunks=(X.chunks[0],))
        sample_weight = _as_dask(sample_weight, "sample_weight", X.chunks[0])
        if sample_weight.ndim != 1:
            raise ValueError(f"sample_weight must be 1-D; got shape {sample_weight.shape}")
        check_same_rows(n, sample_weight.shape[0], "sample_weight")
    if folds is not None:
        folds = _as_dask(folds, "folds", X.chunks[0])
        if folds.shape != (n,) or folds.dtype.kind not in "iu":
            raise ValueError(f"folds must be an integer array of shape ({n},); got "
                             f"{folds.dtype} of shape {folds.shape}")
    return X, y, sample_weight, folds, dtype


def _blocks(a):
    return None if a is None else list(a.to_delayed().ravel())


def _predict(model, X):
    model._check_fitted()
    if not isinstance(X, da.Array):
        return _Ridge.predict(model, X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D; got a dask array of shape {X.shape}")
    model._check_n_features(X)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    coef = np.asarray(model.coef_)
    intercept = np.asarray(model.intercept_, dtype=coef.dtype)
    dtype = np.result_type(coef.dtype, working_dtype(np.empty(0, X.dtype), "X"))
    if coef.ndim == 1:
        return X.map_blocks(_predict_block, coef, intercept, dtype=dtype, drop_axis=1)
    return X.map_blocks(_predict_block, coef, intercept, dtype=dtype,
                        chunks=(X.chunks[0], (coef.shape[0],)))


class Ridge(_Ridge):
    """:class:`fastridge.Ridge` fitted on Dask arrays in one pass (see module docs).

    Parameters
    ----------
    alpha, fit_intercept : as :class:`fastridge.Ridge`
    solver : {"auto", "primal", "svd"}, default="auto"
        How the d×d system is solved on the client (``"dual"`` needs all rows at once).
    split_every : int, default=8
        Statistics merged per task of the reduction tree.

    Examples
    --------
    >>> import numpy as np, dask.array as da, fastridge.dask as frd
    >>> X = da.from_array(np.arange(20.0).reshape(10, 2) ** 0.5, chunks=(3, 2))
    >>> y = X @ np.array([1.0, -1.0]) + 2.0
    >>> model = frd.Ridge(alpha=1e-9).fit(X, y)
    >>> model.coef_.round(4), round(model.intercept_, 4)
    (array([ 1., -1.]), 2.0)
    >>> model.predict(X)            # doctest: +ELLIPSIS
    dask.array<_predict_block, shape=(10,), dtype=float64, chunksize=(3,), ...>
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, solver="auto", split_every=8):
        super().__init__(alpha, fit_intercept=fit_intercept, solver=solver)
        self.split_every = split_every

    def fit(self, X, y, sample_weight=None):
        """Fit on Dask (or NumPy) arrays: one task per row block, a tree of merges,
        the solve on the client.  Returns ``self``."""
        check_solver(self.solver, statistics=True)
        split_every = check_scalar(self.split_every, "split_every", low=2, integer=True)
        X, y, sw, _, dtype = _prepare(X, y, sample_weight)
        k = 1 if y.ndim == 1 else y.shape[1]
        check_alpha(self.alpha, k)
        task = dask.delayed(_block_stats, pure=False)
        xs, ys = _blocks(X), _blocks(y)
        ws = _blocks(sw) or [None] * len(xs)
        parts = [task(xb, yb, wb, dtype) for xb, yb, wb in zip(xs, ys, ws)]
        (total,) = dask.compute(_tree(parts, _merge_stats, split_every))
        if sw is not None and total.weight == 0:
            raise all_zero_weights_error()
        state = _stats.StreamState(total, X.shape[1], k, y.ndim, dtype)
        self._set_stream(state)
        self._solve_stream()  # fit is eager
        return self

    def predict(self, X):
        """``X @ coef_.T + intercept_``: a Dask array for a Dask X (``map_blocks``)."""
        return _predict(self, X)


class RidgeCV(_RidgeCV):
    """:class:`fastridge.RidgeCV` on Dask arrays, α chosen by exact K-fold CV.

    Per-fold statistics are computed in one pass (one task per row block) and merged
    in a tree; fold f is solved from the other folds' merged statistics and scored from
    its own (see :meth:`fastridge.RidgeCV.partial_fit`).  The attributes are those of
    ``RidgeCV.partial_fit``: ``alpha_``, ``best_score_``, ``cv_mse_``, ``coef_``,
    ``intercept_``, ``solver_``.

    Parameters
    ----------
    alphas, fit_intercept, alpha_per_target : as :class:`fastridge.RidgeCV`
        (α = 0 is allowed: the pseudo-inverse solution).
    n_splits : int, default=5
        Number of folds K >= 2.
    split_every : int, default=8
        Statistics merged per task of the reduction tree.

    Examples
    --------
    >>> import numpy as np, dask.array as da, fastridge.dask as frd
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3))
    >>> y = X @ np.array([1.0, 0.0, -2.0]) + 0.1 * rng.standard_normal(200)
    >>> model = frd.RidgeCV(alphas=[0.01, 1.0, 100.0], n_splits=4).fit(
    ...     da.from_array(X, chunks=(50, 3)), y)
    >>> float(model.alpha_), model.cv_mse_.shape
    (0.01, (3,))
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True,
                 alpha_per_target=False, n_splits=5, split_every=8):
        super().__init__(alphas, fit_intercept=fit_intercept,
                         alpha_per_target=alpha_per_target)
        self.n_splits = n_splits
        self.split_every = split_every

    def fit(self, X, y, sample_weight=None, folds=None):
        """Fit on Dask (or NumPy) arrays.

        Parameters
        ----------
        X, y, sample_weight : Dask or NumPy arrays chunked alike along rows
        folds : array_like of int of shape (n_samples,), optional
            The fold of every row.  Default: ``n_splits`` contiguous row ranges, the
            first ``n % n_splits`` of them one row longer (scikit-learn's ``KFold``).

        Returns
        -------
        self
        """
        check_alphas(self.alphas)
        K = check_scalar(self.n_splits, "n_splits", low=2, integer=True)
        split_every = check_scalar(self.split_every, "split_every", low=2, integer=True)
        X, y, sw, folds, dtype = _prepare(X, y, sample_weight, folds)
        n = X.shape[0]
        if folds is None and n < K:
            raise ValueError(f"n_splits={K} folds need at least {K} samples; got {n}")
        sizes = np.full(K, n // K)
        sizes[:n % K] += 1
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]])
        task = dask.delayed(_block_fold_stats, pure=False)
        xs, ys = _blocks(X), _blocks(y)
        ws = _blocks(sw) or [None] * len(xs)
        fs = _blocks(folds) or [None] * len(xs)
        parts = [task(xb, yb, wb, fb, int(r0), bounds, K, dtype)
                 for xb, yb, wb, fb, r0 in zip(xs, ys, ws, fs, starts)]
        (fold_stats,) = dask.compute(_tree(parts, _merge_folds, split_every))
        if sw is not None and all(s.weight == 0 for s in fold_stats):
            raise all_zero_weights_error()
        k = 1 if y.ndim == 1 else y.shape[1]
        state = _stats.StreamState(fold_stats, X.shape[1], k, y.ndim, dtype)
        self._set_stream(state)
        self._solve_stream()  # fit is eager
        return self

    def predict(self, X):
        """``X @ coef_.T + intercept_``: a Dask array for a Dask X (``map_blocks``)."""
        return _predict(self, X)
