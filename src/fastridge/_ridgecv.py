"""RidgeCV: the penalty chosen by exact leave-one-out error from one decomposition.

For each candidate α the leave-one-out residual of sample i is ``r_i / (1 − H_ii)`` with
``H = X(XᵀX + αI)⁻¹Xᵀ`` (plus ``11ᵀ/n`` for the unpenalised intercept, as scikit-learn's
``RidgeCV`` computes it).  :class:`fastridge._spectral.Spectral` factors X once; each α
then costs ``O(n·r + r·k)``.
"""
from __future__ import annotations

import numpy as np

from . import _sufficient_stats as _stats
from ._estimators import LinearPredictor, set_solution
from ._spectral import Spectral
from ._validation import (check_alphas, check_fold_ids, check_sample_weight, check_scalar,
                          check_X_y, require_y)

# Spectral's route names, as RidgeCV reports them in ``solver_``.
_ROUTES = {"svd": "svd", "cov": "eigen-primal", "gram": "eigen-dual"}


def _choose(alphas, mse, per_target):
    """The α of least CV error and minus that error: scalars, or (k,) per target."""
    best = np.argmin(mse, axis=0)  # () or (k,)
    if per_target:
        return alphas[best], -mse[best, np.arange(mse.shape[1])]
    return float(alphas[best]), -float(mse[best])


class RidgeCV(LinearPredictor):
    """Ridge regression with α chosen by exact (efficient) leave-one-out CV.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties, all > 0.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept; the LOO errors are those of the intercept model.
    alpha_per_target : bool, default=False
        Choose α separately for every target (columns of a 2-D y).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen penalty (one per target with ``alpha_per_target`` and 2-D y).
    best_score_ : float or ndarray of shape (n_targets,)
        Minus the leave-one-out mean squared error at ``alpha_`` (scikit-learn's sign).
    loo_mse_ : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Leave-one-out mean squared error per α (averaged over targets unless
        ``alpha_per_target`` with 2-D y).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
        0.0 when ``fit_intercept=False``.
    solver_ : str
        The decomposition that ran: ``"eigen-primal"`` (of XᵀX), ``"eigen-dual"`` (of
        XXᵀ) or ``"svd"`` (of X, when the Gram route would lose accuracy).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3))
    >>> y = X @ np.array([1.0, 0.0, -2.0]) + 0.1 * rng.standard_normal(50)
    >>> model = fr.RidgeCV(alphas=[0.01, 1.0, 100.0]).fit(X, y)
    >>> float(model.alpha_), model.loo_mse_.shape
    (0.01, (3,))
    >>> model.coef_.round(1)
    array([ 1., -0., -2.])
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True,
                 alpha_per_target=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.alpha_per_target = alpha_per_target

    def fit(self, X, y):
        """Choose α by leave-one-out and fit with it.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        require_y(self, y)
        alphas = check_alphas(self.alphas)
        if not (alphas > 0).all():
            raise ValueError(
                f"alphas must be > 0 for leave-one-out (α = 0 can give a sample leverage 1); "
                f"got {alphas.tolist()}"
            )
        X, y = check_X_y(X, y)
        if X.shape[0] < 2:
            raise ValueError(
                f"RidgeCV needs at least 2 samples for leave-one-out; got {X.shape[0]} sample"
            )
        spectral = Spectral(X, y, fit_intercept=self.fit_intercept)
        per_target = bool(self.alpha_per_target) and y.ndim == 2
        mse = spectral.loo_mse(alphas, per_target=per_target)  # (n_alphas,) or (n_alphas, k)
        self.alpha_, self.best_score_ = _choose(alphas, mse, per_target)
        coef = spectral.coef(self.alpha_)  # coef.shape = (d, k)
        intercept = spectral.intercept(coef) if self.fit_intercept else None  # (k,)
        set_solution(self, coef, intercept, y.ndim, X.dtype)
        self.loo_mse_ = mse
        self.solver_ = _ROUTES[spectral.method]
        self.n_features_in_ = X.shape[1]
        return self

    # -- streaming: K-fold cross-validation from per-fold statistics (partial_fit) --------

    _lazy_attributes = LinearPredictor._lazy_attributes + ("alpha_", "best_score_",
                                                           "cv_mse_")

    def partial_fit(self, X, y, sample_weight=None, *, folds=None, n_splits=None):
        """Add a block of rows; α is then chosen by exact K-fold cross-validation.

        Exact leave-one-out needs every row again (each sample's leverage), so a stream
        is cross-validated by K folds instead.  Only per-fold sufficient statistics are
        kept (O(K·d²) memory).  Fold f's model is solved from the merge of the other
        folds' statistics (prefix and suffix merges, never ``total − fold``, which
        would cancel), and its squared error over fold f comes from fold f's own
        centred statistics, mean and ``Σ(y − ȳ)²`` — no second pass over the rows.  The
        result equals refitting ``Ridge`` on the other folds and scoring the held-out
        rows, for every α.  Nothing is solved here: the first access to a fitted
        attribute after new rows runs the K-fold selection and the final fit (one
        eigendecomposition per fold plus one of the total).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array_like of shape (n_samples,) or float, optional
            Weights of both the fit and the CV error (a weighted mean squared error).
        folds : None, int or array_like of int of shape (n_samples,), optional
            Which fold the rows belong to.  ``None`` (default): consecutive blocks — the
            i-th ``partial_fit`` call goes to fold ``i % n_splits``.  An int: the whole
            block goes to that fold.  An array: one fold per row.
        n_splits : int, optional
            Number of folds K >= 2, fixed by the first call (default 5); later calls
            may omit it or repeat it.

        Returns
        -------
        self

        Attributes set (on first access)
        --------------------------------
        alpha_, best_score_ (minus the K-fold MSE at ``alpha_``), cv_mse_ (n_alphas,)
        or (n_alphas, n_targets) (the K-fold mean squared error ``Σ_f SSE_f / Σ s_i``),
        coef_, intercept_, solver_ (``"eigen-primal"``), n_features_in_.  Every fold
        must have received rows by then.  ``loo_mse_`` is not set.  ``fit`` after
        ``partial_fit`` discards the stream; ``partial_fit`` after ``fit`` starts one.
        """
        require_y(self, y)
        alphas = check_alphas(self.alphas)
        X, y = check_X_y(X, y, defer_x_finite=True)  # X's NaN/inf show on the block means
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        state = self.__dict__.get("_stream")
        if state is not None and self.__dict__.get("coef_", state.key) is not state.key:
            state = None  # fit() ran since the stream was last solved: start again
            del self.__dict__["_stream"]
        if state is None:
            K = 5 if n_splits is None else check_scalar(n_splits, "n_splits", low=2,
                                                        integer=True)
        else:
            K = len(state.stats)
            if n_splits is not None and n_splits != K:
                raise ValueError(
                    f"n_splits is fixed by the first partial_fit call ({K}); got {n_splits}"
                )
        calls = 0 if state is None else state.calls
        ids = calls % K if folds is None else check_fold_ids(folds, X.shape[0], K)
        state = _stats.start_or_check(self, X, y,
                                       lambda d, k: [_stats.Stats(d, k) for _ in range(K)])
        del alphas  # validated only: they are used when solving
        _stats.add_to_folds(state.stats, X, y, sw, ids)
        state.dtype = np.promote_types(state.dtype, X.dtype)
        state.calls += 1
        state.version += 1
        self._set_stream(state)
        return self

    def _solve_stream(self):
        state = self.__dict__["_stream"]
        alphas = check_alphas(self.alphas)
        mse, total = _stats.kfold_cv(state.stats, alphas, self.fit_intercept)
        per_target = bool(self.alpha_per_target) and state.y_ndim == 2
        if not per_target:
            mse = mse.mean(axis=1)  # mse.shape = (n_alphas,)
        alpha, self.best_score_ = _choose(alphas, mse, per_target)
        coef, intercept, _ = _stats.solve(total, np.atleast_1d(alpha), self.fit_intercept,
                                           "svd", state.dtype)  # coef.shape = (d, k)
        self.alpha_ = alpha
        self.cv_mse_ = mse
        set_solution(self, coef, intercept if self.fit_intercept else None, state.y_ndim,
                     state.dtype)
        self.solver_ = "eigen-primal"
        state.key = self.coef_  # identifies the solution this stream produced
