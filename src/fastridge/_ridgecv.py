"""RidgeCV: the penalty chosen by cross-validation — exact leave-one-out from one
decomposition (``cv=None``), or any K-fold / grouped / custom splits from one
decomposition per fold (``cv=...``, :mod:`fastridge._crossval`).

For each candidate α the leave-one-out residual of sample i is ``r_i / (1 − H_ii)`` with
``H = X(XᵀX + αI)⁻¹Xᵀ`` (plus ``11ᵀ/n`` for the unpenalised intercept, as scikit-learn's
``RidgeCV`` computes it).  :class:`fastridge._spectral.Spectral` factors X once; each α
then costs ``O(n·r + r·k)``.
"""
from __future__ import annotations

import numpy as np

from . import _blas_threads
from . import _sufficient_stats as _stats
from ._crossval import (_r2, check_cv, check_fold_weights, check_groups, check_scoring,
                        cross_validate, make_splits)
from ._estimators import LinearPredictor, center_of, set_solution
from ._solvers import solve_checked, solve_gram
from ._spectral import Spectral
from ._validation import (check_alphas, check_fold_ids, check_sample_weight, check_scalar,
                          check_X_y, require_y)

# Spectral's route names, as RidgeCV reports them in ``solver_``.
_ROUTES = {"svd": "svd", "cov": "eigen-primal", "gram": "eigen-dual"}

# The final fit solves from the folds' summed statistics when their centring multiplied
# the Gram matrix's rounding error by at most this (else it reads X again, as Ridge.fit).
_REFIT_GROWTH = 2.0

# Attributes one fit sets and another kind of fit does not: dropped at the start of fit.
_FIT_ATTRIBUTES = ("loo_mse_", "cv_scores_", "cv_mse_", "n_splits_")


def _choose(alphas, mse, per_target):
    """The α of least CV error and minus that error: scalars, or (k,) per target."""
    best = np.argmin(mse, axis=0)  # () or (k,)
    if per_target:
        return alphas[best], -mse[best, np.arange(mse.shape[1])]
    return float(alphas[best]), -float(mse[best])


def _best(alphas, scores, per_target):
    """The α of highest score (the first on ties, as GridSearchCV) and that score."""
    best = np.argmax(scores, axis=0)  # () or (k,)
    if per_target:
        return alphas[best], scores[best, np.arange(scores.shape[1])]
    return float(alphas[best]), float(scores[best])


def _loo_correlation(spectral, alphas, Y2):
    """Pearson's r of y and its leave-one-out predictions ``y − e``, (n_alphas, k)."""
    a = np.asarray(alphas, dtype=np.float64)
    k = Y2.shape[1]
    Yd = Y2 - Y2.mean(axis=0, dtype=np.float64)  # y − ȳ, (n, k)
    sst = np.einsum("ik,ik->k", Yd, Yd)
    se, se2, sye = (np.zeros((a.size, k)) for _ in range(3))
    for rows, sl, E in spectral.loo_residual_blocks(a):  # E.shape = (c, m, k)
        se[sl] += E.sum(axis=1)
        se2[sl] += np.einsum("cik,cik->ck", E, E)
        sye[sl] += np.einsum("ik,cik->ck", Yd[rows], E)
    n = Y2.shape[0]
    cov = sst - sye                                 # Σ (y − ȳ)(ŷ − mean ŷ)
    var = sst - 2.0 * sye + se2 - se * se / n       # Σ (ŷ − mean ŷ)²
    den = np.sqrt(np.maximum(var, 0.0) * sst)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, cov / den, 0.0)


class RidgeCV(LinearPredictor):
    """Ridge regression with α chosen by cross-validation.

    ``cv=None`` (default): exact leave-one-out from one decomposition of X.  Otherwise
    any folds — contiguous K-fold, a scikit-learn splitter (``GroupKFold``,
    ``LeaveOneGroupOut``, ``TimeSeriesSplit``, …) or explicit ``(train, test)`` index
    pairs — each fold solved from one eigendecomposition of its training Gram matrix
    (or kernel), every α and target of a fold scored from it.  The result equals
    scikit-learn's ``GridSearchCV(Ridge(), {"alpha": alphas}, cv=...)`` (unweighted fold
    scores), and α may be chosen per target.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties: > 0 for leave-one-out, >= 0 with ``cv``.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.  Each training fold is centred by its own (weighted)
        means, as a refit on it would be.
    cv : None, int, splitter or iterable, default=None
        ``None``: exact leave-one-out.  An int K >= 2: K contiguous folds in order
        (scikit-learn's ``KFold(K)`` without shuffling: the first ``n % K`` folds one row
        longer).  An object with a ``split(X, y, groups)`` method (scikit-learn's
        splitters; scikit-learn is not needed at run time).  An iterable of
        ``(train_indices, test_indices)``: any index sets, need not cover all rows.
    scoring : {None, "neg_mean_squared_error", "r2", "correlation"}, default=None
        The fold score (``None``: minus the mean squared error).  ``"r2"`` is
        scikit-learn's ``r2_score`` (uniform average over targets when one α serves
        them all), ``"correlation"`` Pearson's r between predictions and targets.  The
        score of an α is the mean of its fold scores (``GridSearchCV``'s
        ``mean_test_score``); the chosen α maximises it.  With ``cv=None`` it is computed
        on the leave-one-out predictions of all samples, as scikit-learn's ``RidgeCV``.
    alpha_per_target : bool, default=False
        Choose α separately for every target (columns of a 2-D y).
    n_targets_batch : int, optional
        Targets processed together.  Default: as many as keep every temporary of the
        K-fold engine within 2²³ elements (64 MiB of float64;
        ``fastridge._crossval.BUDGET``).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen penalty (one per target with ``alpha_per_target`` and 2-D y).
    best_score_ : float or ndarray of shape (n_targets,)
        The CV score at ``alpha_`` (minus the mean squared error by default).
    cv_scores_ : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        The CV score of every α (and target with ``alpha_per_target``): the mean over
        folds of the fold scores; with ``cv=None`` the leave-one-out score.
    loo_mse_ : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        ``cv=None`` only: leave-one-out mean squared error per α (averaged over
        targets unless ``alpha_per_target`` with 2-D y; weighted by ``sample_weight``).
    n_splits_ : int
        Number of splits (``cv`` given).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Of the refit on all samples at ``alpha_`` (per target).
    intercept_ : float or ndarray of shape (n_targets,)
        0.0 when ``fit_intercept=False``.
    solver_ : str
        ``cv=None``: the decomposition that ran, ``"eigen-primal"`` (of XᵀX),
        ``"eigen-dual"`` (of XXᵀ) or ``"svd"`` (of X, when the Gram route would lose
        accuracy).  With ``cv``: the solver of the final refit (as ``Ridge.solver_``).
    n_features_in_ : int

    Notes
    -----
    **K-fold.**  Each training fold's Gram matrix (``XᵀX`` of its rows, or ``XXᵀ`` when
    it has fewer rows than features) is eigendecomposed once; its statistics come from
    the full ones minus the test rows' (about a common centre, then moved to the fold's
    own means — no cancellation to speak of; a fold whose downdate would cost accuracy is
    formed from its rows, or solved by an SVD, as in leave-one-out).  With one α for all
    targets (MSE, R²) a fold's score for every α follows from r×r matrices; per target,
    every target's squared error for every α follows from one (r×r)·(r×k) product per
    fold (partial fractions over the eigenvalues), else from the predictions.  The final
    fit is ``Ridge(alpha_).fit`` (from the folds' summed statistics when they cover
    every row).  See ``fastridge._crossval``.

    **Precision.**  Statistics and decompositions in float64; with float32 X the K-fold
    prediction products (the per-target cost that grows with targets × penalties) run in
    float32, whose rounding is the data's own; leave-one-out stays in float64 (its
    residuals are divided by ``1 − H_ii``, which magnifies rounding).

    **Threads.**  BLAS runs on one thread (LAPACK's eigendecompositions and many small
    products lose to thread synchronisation, badly so on shared cores); big products are
    split into independent blocks run on as many Python threads as BLAS would have used
    (``threadpoolctl.threadpool_limits(1)`` makes everything single-threaded).

    **Memory.**  Targets in batches (``n_targets_batch``) and penalties in chunks, so no
    temporary exceeds 2²³ elements beyond the data; no n × k × n_alphas (or
    n_test × k × n_alphas) array is formed.

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
    >>> model = fr.RidgeCV(alphas=[0.01, 1.0, 100.0], cv=5, scoring="r2").fit(X, y)
    >>> float(model.alpha_), model.cv_scores_.shape
    (0.01, (3,))
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, cv=None,
                 scoring=None, alpha_per_target=False, n_targets_batch=None):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.alpha_per_target = alpha_per_target
        self.n_targets_batch = n_targets_batch

    def fit(self, X, y, sample_weight=None, groups=None):
        """Choose α by cross-validation and refit on all samples with it.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array_like of shape (n_samples,) or float, optional
            Non-negative weights of the fits (every training fold's and the refit).
            K-fold scores are not weighted (as ``GridSearchCV`` before scikit-learn
            1.7).  With ``cv=None`` the leave-one-out error is scikit-learn's weighted
            one, ``Σ s_i e_i² / n`` (rows rescaled by ``√s_i``); only the default
            scoring is available then.
        groups : array_like of shape (n_samples,), optional
            Group labels handed to ``cv.split`` (e.g. ``GroupKFold``).

        Returns
        -------
        self
        """
        require_y(self, y)
        alphas = check_alphas(self.alphas)
        scoring = check_scoring(self.scoring)
        X, y = check_X_y(X, y)
        n = X.shape[0]
        cv = check_cv(self.cv, n)
        groups = check_groups(groups, n)
        sw = check_sample_weight(sample_weight, n, X.dtype)
        batch = (None if self.n_targets_batch is None else
                 check_scalar(self.n_targets_batch, "n_targets_batch", low=1, integer=True))
        for name in _FIT_ATTRIBUTES:
            self.__dict__.pop(name, None)
        per_target = bool(self.alpha_per_target) and y.ndim == 2
        # One BLAS thread throughout (the refit's LAPACK included): the engines split
        # their big products over Python threads themselves (fastridge._blas_threads).
        with _blas_threads.serial():
            self._fit(X, y, alphas, sw, groups, cv, scoring, per_target, batch)
        self.n_features_in_ = X.shape[1]
        return self

    def _fit(self, X, y, alphas, sw, groups, cv, scoring, per_target, batch):
        n = X.shape[0]
        if cv is None:
            self._fit_loo(X, y, alphas, sw, scoring, per_target)
        else:
            splits = make_splits(cv, X, y, groups, n)
            if sw is not None:
                check_fold_weights(sw, splits)
            if scoring != "neg_mean_squared_error" and min(te.size for _, te in splits) < 2:
                raise ValueError(f"scoring={scoring!r} needs at least 2 samples in every "
                                 "test fold; use the default scoring or larger folds")
            Y2 = y if y.ndim == 2 else y[:, None]  # Y2.shape = (n, k)
            scores, full = cross_validate(X, Y2, alphas, splits, sw=sw,
                                          fit_intercept=self.fit_intercept,
                                          scoring=scoring, per_target=per_target,
                                          n_targets_batch=batch)
            self.alpha_, self.best_score_ = _best(alphas, scores, per_target)
            self.cv_scores_ = scores
            self.n_splits_ = len(splits)
            self._refit(X, y, sw, full)

    def _refit(self, X, y, sw, full):
        """The final fit at ``alpha_``: from the statistics of all rows the folds already
        summed (``full``, when the Cholesky route accepts them as ``Ridge.fit`` would),
        else as ``Ridge.fit`` does."""
        k = 1 if y.ndim == 1 else y.shape[1]
        alphas = np.broadcast_to(np.asarray(self.alpha_, dtype=np.float64), (k,))
        coef = None
        if full is not None and full.growth <= _REFIT_GROWTH and alphas.all():
            coef, solver = solve_gram(full.G, full.R, np.ascontiguousarray(alphas),
                                      "auto", X.dtype, X.shape[0])
            if solver == "svd":  # the Gram matrix is too ill-conditioned: use X itself
                coef = None
            else:
                self.solver_ = solver
                intercept = full.ybar - full.xbar @ coef if self.fit_intercept else None
        if coef is None:
            center = center_of(X, y, sw) if self.fit_intercept else None
            coef, self.solver_ = solve_checked(X, y, np.atleast_1d(self.alpha_), sw,
                                               "auto", center=center)
            coef = coef.reshape(X.shape[1], -1)  # coef.shape = (d, k)
            intercept = None if center is None else center[1] - center[0] @ coef
        set_solution(self, coef, intercept, y.ndim, X.dtype)

    def _fit_loo(self, X, y, alphas, sw, scoring, per_target):
        if not (alphas > 0).all():
            raise ValueError(
                f"alphas must be > 0 for leave-one-out (α = 0 can give a sample leverage 1); "
                f"got {alphas.tolist()}"
            )
        if X.shape[0] < 2:
            raise ValueError(
                f"RidgeCV needs at least 2 samples for leave-one-out; got {X.shape[0]} sample"
            )
        if sw is not None and scoring != "neg_mean_squared_error":
            raise ValueError(
                f"scoring={scoring!r} with sample_weight needs cv (K-fold); leave-one-out "
                "(cv=None) with weights scores by the weighted squared error only"
            )
        spectral = Spectral(X, y, fit_intercept=self.fit_intercept,
                            sqrt_sw=None if sw is None else np.sqrt(sw))
        mse = spectral.loo_mse(alphas, per_target=True)  # (n_alphas, k)
        Y2 = y if y.ndim == 2 else y[:, None]
        if scoring == "neg_mean_squared_error":
            scores = -mse
        elif scoring == "r2":
            Yd = Y2 - Y2.mean(axis=0, dtype=np.float64)
            scores = _r2(mse * X.shape[0], np.einsum("ik,ik->k", Yd, Yd))
        else:
            scores = _loo_correlation(spectral, alphas, Y2)
        if not per_target:
            mse, scores = mse.mean(axis=1), scores.mean(axis=1)
        self.alpha_, self.best_score_ = _best(alphas, scores, per_target)
        coef = spectral.coef(self.alpha_)  # coef.shape = (d, k)
        intercept = spectral.intercept(coef) if self.fit_intercept else None  # (k,)
        set_solution(self, coef, intercept, y.ndim, X.dtype)
        self.loo_mse_ = mse
        self.cv_scores_ = scores
        self.solver_ = _ROUTES[spectral.method]

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
        ``cv`` and ``scoring`` belong to ``fit``: with either set, ``partial_fit`` raises
        ``ValueError`` (its folds are ``n_splits``/``folds``, its score the MSE).
        """
        require_y(self, y)
        alphas = check_alphas(self.alphas)
        if self.cv is not None or check_scoring(self.scoring) != "neg_mean_squared_error":
            raise ValueError(
                "partial_fit cross-validates by the mean squared error over the folds "
                "given by n_splits/folds; cv and scoring apply to fit only (got "
                f"cv={self.cv!r}, scoring={self.scoring!r}): set them to None"
            )
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
