"""``ridge_path``: ridge coefficients for many penalties from one decomposition (docs/math.md §1, §3)."""
from __future__ import annotations

import numpy as np

from ._spectral import Spectral
from ._validation import check_alphas, check_X_y

__all__ = ["ridge_path"]


def ridge_path(X, y, alphas, *, check_finite: bool = True) -> np.ndarray:
    """Ridge coefficients for every penalty in ``alphas``, no intercept.

    Decomposes X once (eigen of the smaller Gram matrix when that is accurate enough,
    otherwise the thin SVD; see :class:`fastridge._spectral.Spectral`); each α then
    costs only ``O(min(n, d) · d · k)``.  Every slice equals
    ``fastridge.ridge(X, y, alpha)``, including α = 0 (least squares, minimum norm or
    pseudo-inverse solution, as in ``ridge(solver="svd")``).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Training data.  Its dtype is the working dtype: float32 stays float32, float64
        stays float64, integers and bools become float64.
    y : array_like of shape (n_samples,) or (n_samples, n_targets)
        Targets, cast to the working dtype.
    alphas : array_like of shape (n_alphas,)
        Penalties ``α >= 0``, in any order; the output keeps it.
    check_finite : bool, default=True
        Check that X, y hold no NaN or infinity.

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_features) or (n_alphas, n_features, n_targets)
        ``coefs[i]`` is the ridge solution for ``alphas[i]``, in the working dtype.

    Raises
    ------
    ValueError
        Bad shapes, empty input, NaN/inf in data, ``alphas`` not a non-empty 1-D array
        of finite values ``>= 0``.
    TypeError
        Complex, object or string arrays.

    See Also
    --------
    fastridge.ridge : one penalty (or one per target).

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> from fastridge._path import ridge_path
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_path(X, np.array([1.0, 2.0, 3.0]), [0.0, 1.0, 100.0]).round(4)
    array([[1.4444, 1.1111],
           [1.    , 1.    ],
           [0.0386, 0.0663]])
    """
    X, y = check_X_y(X, y, check_finite=check_finite)
    alphas = check_alphas(alphas)
    coefs = Spectral(X, y, loo=False).path(alphas)  # coefs.shape = (n_alphas, d, k)
    return np.ascontiguousarray(coefs[:, :, 0]) if y.ndim == 1 else coefs
