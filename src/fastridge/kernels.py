"""Pairwise kernels: scikit-learn's formulas and defaults, computed without scikit-learn.

A kernel ``k(x, y)`` replaces the inner product of the dual view of ridge (docs/math.md
§1.6): ``w = Xᵀ(XXᵀ + αI)⁻¹y`` becomes the dual coefficients ``a = (K + αI)⁻¹y`` with
``K_ij = k(x_i, x_j)``, and a new point is predicted by ``Σ_i a_i k(x, x_i)``.

==============  ===============================================  ====================
kernel          ``k(x, y)``                                      parameters
==============  ===============================================  ====================
``linear``      ``⟨x, y⟩``                                       —
``poly``        ``(γ⟨x, y⟩ + c₀)^degree``                         gamma, degree, coef0
``rbf``         ``exp(−γ‖x − y‖²)``                              gamma
``laplacian``   ``exp(−γ‖x − y‖₁)``                              gamma
``cosine``      ``⟨x, y⟩ / (‖x‖‖y‖)`` (0 for a zero row)         —
``sigmoid``     ``tanh(γ⟨x, y⟩ + c₀)``                            gamma, coef0
==============  ===============================================  ====================

``gamma=None`` means ``1/n_features``; ``degree=3`` and ``coef0=1`` by default
(``"polynomial"`` is another name for ``"poly"``).  ``"precomputed"`` takes X as the
kernel matrix itself, and a callable ``f(x, y, **kernel_params) -> float`` is called on
every pair of rows, as scikit-learn's ``pairwise_kernels`` does.

How it is computed (:mod:`fastridge._pairwise`, ``csrc/pairwise_kernels.c``): one
?gemm of the rows (?syrk when the kernel is symmetric, filling one triangle), then one
compiled pass that applies the formula — for rbf ``exp(−γ·max(‖x‖² − 2⟨x, y⟩ + ‖y‖², 0))``
from the rows' squared norms, the same expansion scikit-learn uses.  The laplacian
kernel's L1 distances are a compiled loop (vectorized down the columns of X).  A
symmetric kernel is computed on its upper triangle and mirrored.  NumPy references:
:func:`fastridge.reference.pairwise_kernel`.

Examples
--------
>>> import numpy as np, fastridge as fr
>>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> fr.kernels.pairwise(X, kernel="laplacian", gamma=1.0).round(4)
array([[1.    , 0.1353, 0.3679],
       [0.1353, 1.    , 0.3679],
       [0.3679, 0.3679, 1.    ]])
"""
from __future__ import annotations

import numbers
from typing import Callable, Optional, Union

import numpy as np

from . import _pairwise
from ._validation import as_float_array, check_choice, check_lapack_dims, check_scalar

__all__ = ["pairwise"]

#: The kernels by name (a callable is accepted too).
KERNELS = ("linear", "poly", "polynomial", "rbf", "laplacian", "cosine", "sigmoid",
           "precomputed")

#: The parameters each named kernel takes (scikit-learn's ``KERNEL_PARAMS``).
KERNEL_PARAMS = {
    "linear": (), "cosine": (), "precomputed": (),
    "poly": ("gamma", "degree", "coef0"), "polynomial": ("gamma", "degree", "coef0"),
    "rbf": ("gamma",), "laplacian": ("gamma",), "sigmoid": ("gamma", "coef0"),
}

_DEFAULTS = {"gamma": None, "degree": 3, "coef0": 1}

# Elements of one block of a kernel computed for prediction (64 MiB of float64).
PREDICT_BLOCK = 1 << 23


# ======================================================================================
# Input checks.  NOTE for the lead: check_same_features belongs in _validation.py; it
# lives here until it is moved there.
# ======================================================================================

def check_same_features(d_x: int, d_y: int, name: str = "Y", first: str = "X") -> None:
    """Raise the one message for two data arrays whose numbers of features differ."""
    if d_x != d_y:
        raise ValueError(
            f"{first} has {d_x} features but {name} has {d_y}; they must match"
        )


class Kernel:
    """A checked kernel: its name (or callable) and resolved parameters.

    Made by :func:`resolve`; :meth:`matrix` computes it on validated arrays.

    Attributes
    ----------
    name : str
        ``"poly"`` for ``"polynomial"``; ``"callable"`` for a callable.
    func : callable or None
    gamma : float or None
        ``None`` until :meth:`bind` fixes the ``1/n_features`` default.
    degree, coef0 : float
    params : dict
        Keyword arguments of a callable.
    """

    __slots__ = ("name", "func", "gamma", "degree", "coef0", "params")

    def __init__(self, name, func=None, gamma=None, degree=3.0, coef0=1.0, params=None):
        self.name, self.func = name, func
        self.gamma, self.degree, self.coef0 = gamma, degree, coef0
        self.params = {} if params is None else params

    @property
    def precomputed(self) -> bool:
        return self.name == "precomputed"

    def gamma_for(self, n_features: int) -> float:
        """γ, with ``None`` → ``1/n_features``."""
        return 1.0 / n_features if self.gamma is None else self.gamma

    def matrix(self, X, Y=None, *, full: bool = True) -> np.ndarray:
        """The kernel between the rows of validated ``X`` (m, d) and ``Y`` (n, d).

        ``Y=None``: the symmetric ``k(X, X)``; with ``full=False`` only its upper
        triangle is computed and the lower one holds ARBITRARY values (meant for
        LAPACK with ``uplo="U"``).  Returns an F-ordered (m, n) array of X's dtype;
        "precomputed" returns X itself (validated, not copied).

        Raises
        ------
        ValueError
            A kernel value is NaN or infinite (the inner products overflowed).
        """
        if self.precomputed:
            return X
        if self.func is not None:
            return _callable_matrix(self.func, X, Y, self.params)
        m = X.shape[0]
        n = m if Y is None else Y.shape[0]
        check_lapack_dims(n_samples_X=m, n_samples_Y=n, n_features=X.shape[1])
        K = np.empty((m, n), dtype=X.dtype, order="F")
        status = _pairwise.kernel_matrix(
            _pairwise.KINDS[self.name], X, _EMPTY[X.dtype] if Y is None else Y,
            self.gamma_for(X.shape[1]), self.coef0, self.degree, full, K)
        if status == _pairwise.NOMEM:
            raise MemoryError("could not allocate the kernel's work space")
        if status == _pairwise.NONFINITE:
            raise ValueError(
                f"the {self.name} kernel of X overflows in {X.dtype}: a kernel value is "
                "NaN or infinite; rescale X (or lower gamma, degree or coef0)"
            )
        return K


_EMPTY = {np.dtype(np.float32): np.empty(0, np.float32),
          np.dtype(np.float64): np.empty(0, np.float64)}


def _callable_matrix(func, X, Y, params):
    """scikit-learn's ``_pairwise_callable``: ``func`` on every pair of rows (for Y =
    X the pairs i < j, mirrored, and the diagonal), float64, then X's dtype."""
    sym = Y is None
    Y = X if sym else Y
    m, n = X.shape[0], Y.shape[0]
    K = np.empty((m, n), order="F")
    for j in range(n):
        for i in range(j if sym else m):
            K[i, j] = func(X[i], Y[j], **params)
        if sym:
            K[j, :j] = K[:j, j]
            K[j, j] = func(X[j], X[j], **params)
    if not np.isfinite(K).all():
        raise ValueError(f"the kernel callable {getattr(func, '__name__', func)!r} "
                         "returned NaN or infinity; expected finite values")
    return K.astype(X.dtype, copy=False)


def resolve(kernel, *, gamma=None, degree=3, coef0=1, kernel_params=None,
            from_estimator=False) -> Kernel:
    """Check a kernel and its parameters; return a :class:`Kernel`.

    As scikit-learn's ``KernelRidge``: with ``from_estimator`` a named kernel takes only
    the parameters it uses (the others are ignored) and ``kernel_params`` only feeds a
    callable.  Otherwise (``pairwise``) a parameter the kernel does not take is an
    error.
    """
    if callable(kernel):
        params = {} if kernel_params is None else dict(kernel_params)
        return Kernel("callable", func=kernel, params=params)
    name = check_choice(kernel, "kernel", KERNELS)
    takes = KERNEL_PARAMS[name]
    if not from_estimator and kernel_params:
        extra = sorted(set(kernel_params) - set(takes))
        if extra:
            raise TypeError(
                f"kernel={name!r} takes the parameters {list(takes)}; got unexpected "
                f"{extra}"
            )
    out = Kernel("poly" if name == "polynomial" else name)
    if "gamma" in takes and gamma is not None:
        out.gamma = check_scalar(gamma, "gamma", low=0, low_inclusive=False)
    if "degree" in takes:
        out.degree = check_scalar(degree, "degree", low=0)
    if "coef0" in takes:
        out.coef0 = check_scalar(coef0, "coef0")
    return out


def check_kernel_inputs(kernel: Kernel, X, Y=None, *, fitted_rows: Optional[int] = None):
    """Validate ``X`` (and ``Y``, cast to X's dtype) for ``kernel``; return ``(X, Y)``.

    "precomputed": X is the kernel itself, with one column per row of Y, or per training
    sample (``fitted_rows``, for a prediction), or square (a fit).
    """
    X = as_float_array(X, "X")
    if Y is not None:
        Y = as_float_array(Y, "Y", dtype=X.dtype)
    if kernel.precomputed:
        if Y is not None:
            want, what = Y.shape[0], f"one column per row of Y ({Y.shape[0]})"
        elif fitted_rows is not None:
            want, what = fitted_rows, f"one column per training sample ({fitted_rows})"
        else:
            want, what = X.shape[0], "a square matrix (n_samples, n_samples)"
        if X.shape[1] != want:
            raise ValueError(
                f"kernel='precomputed' takes X as the kernel matrix, with {what}; got X "
                f"of shape {X.shape}"
            )
    elif Y is not None:
        check_same_features(X.shape[1], Y.shape[1])
    return X, Y


def pairwise(X, Y=None, kernel: Union[str, Callable] = "linear", **params) -> np.ndarray:
    """The kernel matrix ``K[i, j] = k(x_i, y_j)`` between the rows of X and Y.

    The same formulas and defaults as scikit-learn's ``pairwise_kernels`` (see the
    module docstring), computed by compiled kernels over BLAS; scikit-learn is not
    needed.

    Parameters
    ----------
    X : array_like of shape (n_samples_X, n_features)
        Its dtype is the working dtype (float32 stays float32, integers and bools become
        float64).  With ``kernel="precomputed"``, the kernel matrix itself.
    Y : array_like of shape (n_samples_Y, n_features), optional
        Default: X (the symmetric kernel, computed on one triangle and mirrored).
    kernel : {"linear", "poly", "polynomial", "rbf", "laplacian", "cosine", "sigmoid",
        "precomputed"} or callable, default="linear"
        A callable is called as ``kernel(x, y, **params)`` on every pair of rows and
        must return a number (slow: one Python call per pair).
    **params
        ``gamma`` (> 0, default ``1/n_features``), ``degree`` (>= 0, default 3) and
        ``coef0`` (default 1) for the kernels that take them (see
        :data:`KERNEL_PARAMS`); anything, for a callable.

    Returns
    -------
    K : ndarray of shape (n_samples_X, n_samples_Y)
        In the working dtype, F-ordered (a new array, also for "precomputed").

    Raises
    ------
    ValueError
        Unknown kernel, ``gamma <= 0``, negative ``degree``, X and Y with different
        numbers of features, NaN/inf in the input or the result.
    TypeError
        A parameter the kernel does not take; non-numeric input.

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> fr.kernels.pairwise(X, kernel="rbf", gamma=0.5).round(4)
    array([[1.    , 0.3679],
           [0.3679, 1.    ]])
    >>> fr.kernels.pairwise(X, [[2.0, 0.0]], kernel="poly", degree=2)
    array([[1.],
           [4.]])
    """
    if callable(kernel):
        spec = resolve(kernel, kernel_params=params)
    else:
        unknown = set(params) - set(_DEFAULTS)
        if unknown:
            check_choice(kernel, "kernel", KERNELS)  # an unknown kernel's error first
            raise TypeError(
                f"kernel={kernel!r} takes the parameters "
                f"{list(KERNEL_PARAMS[kernel])}; got unexpected {sorted(unknown)}"
            )
        spec = resolve(kernel, kernel_params=params,
                       **{k: params.get(k, v) for k, v in _DEFAULTS.items()})
    X, Y = check_kernel_inputs(spec, X, Y)
    if spec.precomputed:
        return np.array(X, order="F")
    return spec.matrix(X, Y, full=True)
