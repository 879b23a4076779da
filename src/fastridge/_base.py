"""What every fastridge estimator shares: scikit-learn's conventions without scikit-learn.

Parameters are stored unchanged by ``__init__`` and validated in ``fit``; fitted state
lives in attributes ending in ``_``; ``get_params``/``set_params`` read the signature of
``__init__``.  scikit-learn is never imported here at run time — only when scikit-learn
itself asks for tags.
"""
from __future__ import annotations

import inspect

import numpy as np

from .exceptions import not_fitted_error


class RegressorBase:
    """Parameter handling, fitted-state checks and R² scoring for a regressor."""

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict:
        """Parameters of this estimator, as passed to ``__init__``.

        Parameters
        ----------
        deep : bool, default=True
            Ignored (no sub-estimators); kept for scikit-learn compatibility.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set parameters; unknown names raise ``ValueError``.

        Returns
        -------
        self
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}; "
                    f"valid parameters are {valid}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in
                    inspect.signature(type(self).__init__).parameters.values()}
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            same = default is value or (type(default) is type(value) and
                                        not isinstance(value, np.ndarray) and
                                        default == value)
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "n_features_in_")

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise not_fitted_error(
                f"This {type(self).__name__} instance is not fitted yet; "
                "call 'fit' with appropriate arguments first"
            )

    def _check_n_features(self, X):
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )

    def score(self, X, y, sample_weight=None) -> float:
        """Coefficient of determination R² of ``predict(X)`` against ``y``.

        ``1 − Σ s_i (y_i − ŷ_i)² / Σ s_i (y_i − ȳ)²``, averaged uniformly over targets.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array_like of shape (n_samples,), optional

        Returns
        -------
        float
        """
        y_pred = self.predict(X)
        return r2_score(y, y_pred, sample_weight)

    # scikit-learn's estimator checks ask for these; nothing else uses them.
    _estimator_type = "regressor"

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags, RegressorTags, InputTags

        return Tags(
            estimator_type="regressor",
            target_tags=TargetTags(required=True, multi_output=True,
                                   single_output=True),
            regressor_tags=RegressorTags(),
            input_tags=InputTags(),
        )


def r2_score(y, y_pred, sample_weight=None) -> float:
    """R² (uniform average over targets); a constant ``y`` scores 1 if fitted exactly, else 0."""
    y = np.asarray(y, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(y.shape)
    Y = y.reshape(len(y), -1)
    P = y_pred.reshape(len(y), -1)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    mean = w @ Y / w.sum()
    ss_res = w @ (Y - P) ** 2
    ss_tot = w @ (Y - mean) ** 2
    scores = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1),
                      np.where(ss_res > 0, 0.0, 1.0))
    return float(scores.mean())
