"""scikit-learn-style ridge estimators on the compiled solvers (docs/math.md §3).

:class:`Ridge` fits one penalty; :class:`RidgeCV` (see ``_ridgecv.py``) picks it by exact
leave-one-out.  The intercept is fitted by centring X and y on their (weighted) means.
No centred copy of X is made.  Unweighted primal fits subtract ``n x̄x̄ᵀ`` from the
plain ``XᵀX`` (full ?syrk speed) when no column's mean exceeds ``eps^(-1/8)`` (≈ 90 in
float64) standard deviations; that subtraction multiplies the Gram's rounding
error by ``1 + max (mean/sd)²``, and the driver divides its condition estimate by the
same factor, so ``solver="auto"`` falls back to the SVD wherever the loss would show.
Otherwise (large means, weights, the dual) the drivers centre blocks of rows (primal) or
columns (dual) into a small buffer as they accumulate the Gram matrix — exactly the Gram
of the centred data, whatever the means.

``scipy.sparse`` X goes through :mod:`fastridge._sparse` (never densified); its means are
float64 and the routes centre on them without a centred copy either.
"""
from __future__ import annotations

import numpy as np

from . import _sparse
from . import _sufficient_stats as _stats
from ._base import RegressorBase
from ._solvers import SOLVERS, check_iterative, check_solver, solve_checked
from ._validation import (as_float_array, check_alpha, check_sample_weight, check_sparse,
                          check_X_y, is_sparse, require_y)


def center_of(X, y, sw):
    """Weighted column means ``(x̄ (d,), ȳ (k,))`` in X's dtype, for the intercept
    (float64 for sparse X, accumulated over its nonzeros)."""
    if is_sparse(X):
        return _sparse.weighted_means(X, y, sw)
    if sw is None:
        xmean = (X.T @ np.ones(X.shape[0], dtype=X.dtype)) / X.shape[0]  # BLAS: ~2x X.mean
        ymean = y.mean(axis=0)
    else:
        total = sw.sum()  # > 0: check_sample_weight refuses all-zero weights
        xmean = (sw @ X) / total
        ymean = (sw @ y) / total
    return xmean.astype(X.dtype, copy=False), np.atleast_1d(ymean).astype(X.dtype, copy=False)


class LinearPredictor(RegressorBase):
    """``predict`` of every fitted linear model: ``X @ coef_.T + intercept_``.

    Lazy solve for ``partial_fit``: a streaming estimator keeps its sufficient
    statistics in ``_stream`` and deletes the fitted attributes named in
    ``_lazy_attributes`` when new rows arrive; the first access to one of them (or
    ``predict``) calls ``_solve_stream``, which sets them all.  ``fit`` sets plain
    attributes and never goes through here.
    """

    _lazy_attributes = ("coef_", "intercept_", "solver_")

    def __getattr__(self, name):
        # Only called when normal lookup fails, so fitted models pay nothing.
        if name in type(self)._lazy_attributes:
            state = self.__dict__.get("_stream")
            if state is not None and "coef_" not in self.__dict__:
                self._solve_stream()
                return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _set_stream(self, state):
        """Keep the streaming statistics ``state``; fitted attributes are dropped, to be
        solved again on their first access."""
        self.__dict__["_stream"] = state
        for name in self._lazy_attributes:
            self.__dict__.pop(name, None)
        self.n_features_in_ = state.d

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix/array of shape (n_samples, n_features)
            Sparse X is multiplied as it is (never densified).

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        self._check_fitted()
        X = check_sparse(X) if is_sparse(X) else as_float_array(X, "X")
        self._check_n_features(X)
        coef = self.coef_.T
        if is_sparse(X):
            coef = coef.astype(np.promote_types(X.dtype, coef.dtype), copy=False)
            return np.asarray(X @ coef) + self.intercept_
        return X @ coef + self.intercept_


class Ridge(LinearPredictor):
    """Ridge regression with an optional intercept, solved by compiled kernels.

    Minimises ``Σ s_i (y_i − b − x_iᵀw)² + α ||w||²`` (the intercept ``b`` is not
    penalised) for every target.

    Parameters
    ----------
    alpha : float or array_like of shape (n_targets,), default=1.0
        Penalty ``α >= 0``; one per target if an array.
    fit_intercept : bool, default=True
        Fit ``b`` by centring X and y on their (weighted) means; blockwise inside the
        solver, so X is never copied by the Cholesky solvers.
    solver : {"auto", "primal", "dual", "svd", "cg"}, default="auto"
        As in :func:`fastridge.ridge`; ``solver_`` records the one that ran.  Sparse X
        takes ``"auto"``, ``"primal"``, ``"dual"`` or ``"cg"``.
    tol : float, optional
        ``"cg"`` only (also when ``"auto"`` picks it): stop when the estimated relative
        error of the coefficients is below ``tol``; default ``sqrt(eps)`` of the working
        dtype (1.5e-8 for float64).
    max_iter : int, optional
        ``"cg"`` only: at most this many iterations (default 10 × the system's order).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
        0.0 when ``fit_intercept=False``.
    solver_ : str
        The solver that actually ran (``"svd"`` when ``"auto"`` fell back; on sparse X
        ``"primal"``, ``"dual"``, ``"cg"``, or ``"eigen-primal"``/``"eigen-dual"``
        when the Cholesky factor of that Gram matrix was too ill-conditioned).
    n_iter_ : int
        Iterations of ``"cg"`` when it ran; 1 for a direct solve (one factorization),
        so scikit-learn's checks of ``max_iter`` estimators hold.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 3.0]])
    >>> y = 2.0 + X @ np.array([1.0, -1.0])
    >>> model = fr.Ridge(alpha=1e-9).fit(X, y)
    >>> model.coef_.round(6), round(float(model.intercept_), 6)
    (array([ 1., -1.]), 2.0)
    >>> model.predict([[1.0, 1.0]]).round(6)
    array([2.])
    """

    _lazy_attributes = LinearPredictor._lazy_attributes + ("n_iter_",)

    def __init__(self, alpha=1.0, *, fit_intercept=True, solver="auto", tol=None,
                 max_iter=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # fit, partial_fit and predict take scipy.sparse X with a sparse-capable solver
        entry = SOLVERS.get(self.solver) if isinstance(self.solver, str) else None
        tags.input_tags.sparse = entry is not None and entry.sparse
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix/array of shape (n_samples, n_features)
            Sparse X (CSR, CSC, COO, ...) is never densified.
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array_like of shape (n_samples,) or float, optional
            Non-negative weights.

        Returns
        -------
        self
        """
        require_y(self, y)
        check_solver(self.solver)
        self.__dict__.pop("_stream", None)  # fit starts afresh, also after partial_fit
        X, y = check_X_y(X, y, defer_x_finite=True, accept_sparse=True)
        alphas = check_alpha(self.alpha, 1 if y.ndim == 1 else y.shape[1])
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        tol, max_iter = check_iterative(self.tol, self.max_iter)
        # sparse X: the routes centre on their own float64 means (True asks for that)
        center = (True if is_sparse(X) else center_of(X, y, sw)) if self.fit_intercept else None
        report = {}
        coef, self.solver_ = solve_checked(X, y, alphas, sw, self.solver, center=center,
                                           x_checked=False, tol=tol, max_iter=max_iter,
                                           report=report)
        self.n_iter_ = report.get("n_iter", 1)
        coef = coef.reshape(X.shape[1], -1)  # coef.shape = (d, k)
        if center is True:  # the sparse route's intercept, from its own exact means
            intercept = report["intercept"]
        else:
            intercept = None if center is None else center[1] - center[0] @ coef  # ȳ − x̄ᵀw
        set_solution(self, coef, intercept, y.ndim, X.dtype)
        self.n_features_in_ = X.shape[1]
        return self

    def partial_fit(self, X, y, sample_weight=None):
        """Add a block of rows; after any number of calls the model equals ``fit`` on
        all rows seen so far, for any chunking.

        Keeps only the sufficient statistics (weighted count, means, centred ``XᵀX`` and
        ``XᵀY``: O(d² + dk) memory) and merges blocks with the numerically stable
        Chan–Golub–LeVeque update, so ``fit_intercept=True`` stays accurate when the
        column means are large relative to their spread.  Nothing is solved here: the
        first access to ``coef_``, ``intercept_``, ``solver_`` or ``predict`` after new
        rows solves once.  ``fit`` keeps no statistics, so a ``partial_fit`` after
        ``fit`` starts a new stream; ``fit`` after ``partial_fit`` discards the stream.

        The solve follows ``solver``: ``"primal"`` and ``"auto"`` factor ``XᵀX + αI``
        (Cholesky, with ``"auto"``'s fall-back as in ``fit``), ``"svd"`` uses the
        eigendecomposition of ``XᵀX`` (the same shrinkage as the SVD of X, except that
        singular values below about ``sqrt(max(n, d)·eps)·s_max`` count as zero).
        ``"dual"`` needs the rows and is refused.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix/array of shape (n_samples, n_features)
            The same number of features in every call.  A sparse block is accumulated
            over its nonzeros (never densified).
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
            The same shape of target in every call.
        sample_weight : array_like of shape (n_samples,) or float, optional

        Returns
        -------
        self

        Raises
        ------
        ValueError
            A block whose number of features or targets differs from the first block's,
            NaN/inf, bad weights, ``solver="dual"``.
        """
        require_y(self, y)
        check_solver(self.solver, statistics=True)
        X, y = check_X_y(X, y, defer_x_finite=True,  # X's NaN/inf show on the block means
                         accept_sparse=True)
        check_alpha(self.alpha, 1 if y.ndim == 1 else y.shape[1])  # fail early; solved later
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        state = _stats.start_or_check(self, X, y, _stats.Stats)
        state.stats.add_block(X, y, sw)
        state.dtype = np.promote_types(state.dtype, X.dtype)
        state.version += 1
        self._set_stream(state)
        return self

    def _solve_stream(self):
        state = self.__dict__["_stream"]
        alphas = check_alpha(self.alpha, state.k)
        coef, intercept, solver = _stats.solve(state.stats, alphas, self.fit_intercept,
                                                self.solver, state.dtype)
        set_solution(self, coef, intercept if self.fit_intercept else None, state.y_ndim,
                     state.dtype)
        self.solver_ = solver
        self.n_iter_ = 1


def set_solution(model, coef, intercept, y_ndim, dtype):
    """Store ``coef`` (d, k) and ``intercept`` (k,) (``None``: no intercept) on ``model``.

    In scikit-learn's shapes: ``coef_`` (d,) or (k, d) and ``intercept_`` a float or
    (k,) as y was 1-D or 2-D; without an intercept ``intercept_`` is the scalar 0.0
    whatever y's shape.
    """
    coef = coef.astype(dtype, copy=False)
    model.coef_ = coef[:, 0] if y_ndim == 1 else np.ascontiguousarray(coef.T)
    if intercept is None:
        model.intercept_ = 0.0
    else:
        intercept = np.asarray(intercept).astype(dtype, copy=False)
        model.intercept_ = float(intercept[0]) if y_ndim == 1 else intercept
