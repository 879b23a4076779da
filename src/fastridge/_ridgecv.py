"""RidgeCV: the penalty chosen by exact leave-one-out error from one decomposition.

For each candidate α the leave-one-out residual of sample i is ``r_i / (1 − H_ii)`` with
``H = X(XᵀX + αI)⁻¹Xᵀ`` (plus ``11ᵀ/n`` for the unpenalised intercept, as scikit-learn's
``RidgeCV`` computes it).  :class:`fastridge._spectral.Spectral` factors X once; each α
then costs ``O(n·r + r·k)``.
"""
from __future__ import annotations

import numpy as np

from ._estimators import LinearPredictor, _require_y
from ._path import check_alphas
from ._solvers import check_X_y
from ._spectral import Spectral

# Spectral's route names, as RidgeCV reports them in ``solver_``.
_ROUTES = {"svd": "svd", "cov": "eigen-primal", "gram": "eigen-dual"}


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
        _require_y(self, y)
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
        best = np.argmin(mse, axis=0)  # () or (k,)
        if per_target:
            self.alpha_ = alphas[best]
            self.best_score_ = -mse[best, np.arange(mse.shape[1])]
        else:
            self.alpha_ = float(alphas[best])
            self.best_score_ = -float(mse[best])
        coef = spectral.coef(self.alpha_)  # coef.shape = (d, k)
        self.coef_ = coef[:, 0] if y.ndim == 1 else np.ascontiguousarray(coef.T)
        if not self.fit_intercept:
            self.intercept_ = 0.0  # a scalar whatever y's shape, as in scikit-learn
        else:
            intercept = spectral.intercept(coef).astype(X.dtype)  # intercept.shape = (k,)
            self.intercept_ = float(intercept[0]) if y.ndim == 1 else intercept
        self.loo_mse_ = mse
        self.solver_ = _ROUTES[spectral.method]
        self.n_features_in_ = X.shape[1]
        return self
