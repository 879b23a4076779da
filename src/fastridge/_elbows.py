"""The elbows of the ReLU network of docs/math.md §2: where each unit switches on, and where one
SGD step moves it (the Möbius map of ``docs/math.md`` §2.5).  Re-exported by
:mod:`fastridge.sgd`.
"""
from __future__ import annotations

import numpy as np

from . import _sgd
from ._validation import as_float_array, check_scalar

__all__ = ["elbows", "elbow_after_step", "slope_change"]

_NO_W2 = object()  # _check_units without W2 (elbows)


def _check_units(W1, b, W2, dtype):
    """The parameter arrays (W2 may be ``_NO_W2``) as arrays of ``dtype``, each 1-D and
    all of one length; C- or F-contiguous, possibly the inputs themselves."""
    W1 = as_float_array(W1, "W1", dtype=dtype, ndims=(1,))
    b = as_float_array(b, "b", dtype=dtype, ndims=(1,))
    if W2 is not _NO_W2:
        W2 = as_float_array(W2, "W2", dtype=dtype, ndims=(1,))
    lengths = [len(W1), len(b)] + ([] if W2 is _NO_W2 else [len(W2)])
    if len(set(lengths)) != 1:
        names = "W1 and b" if W2 is _NO_W2 else "W1, b and W2"
        raise ValueError(
            f"{names} must have one entry per hidden unit, all the same length; "
            f"got lengths {', '.join(map(str, lengths))}"
        )
    return W1, b, W2


def elbows(W1, b) -> np.ndarray:
    """Where each hidden unit switches on: ``e_i = −b_i / W1_i`` (NaN where ``W1_i == 0``).

    Parameters
    ----------
    W1, b : array_like of shape (d,)
        Input weights and biases; ``W1`` decides the dtype.

    Returns
    -------
    ndarray of shape (d,)

    Examples
    --------
    >>> import fastridge as fr
    >>> fr.elbows([2.0, -1.0, 0.0], [1.0, 3.0, 1.0])
    array([-0.5,  3. ,  nan])
    """
    W1 = as_float_array(W1, "W1", ndims=(1,))
    W1, b, _ = _check_units(W1, b, _NO_W2, W1.dtype)
    out = np.empty_like(W1, order="C")
    _sgd.elbows(np.ascontiguousarray(W1), np.ascontiguousarray(b), out)
    return out


def elbow_after_step(x, y, W1, b, W2, lr) -> np.ndarray:
    """The elbows after one SGD step on ``(x, y)``, in closed form (docs/math.md §2).

    An inactive unit (``W1_i x + b_i ≤ 0``) learns nothing from the sample and keeps its
    elbow; an active one moves by the Möbius map

        ``e_i' = (e_i + a_i) / (1 − a_i x)``,  ``a_i = lr δ W2_i / W1_i``,  ``δ = f(x) − y``.

    With ``δ > 0`` (prediction too high) the active unit's line pivots about
    ``x_pivot = −1/x``, which the step leaves fixed: the elbow slides toward ``x``, unless
    it sits beyond the pivot.  For an active unit with ``W1_i = 0`` the map is taken in
    its limit, ``e' = (c W2_i − b_i) / (−c W2_i x)`` with ``c = lr δ``; where the new
    ``W1`` is 0 the elbow is NaN, as in :func:`elbows`.

    Parameters
    ----------
    x, y : float
        The sample.
    W1, b, W2 : array_like of shape (d,)
        Parameters before the step; ``W1`` decides the dtype.
    lr : float
        Learning rate, > 0.

    Returns
    -------
    ndarray of shape (d,)
        Equal (to rounding) to ``elbows`` of the parameters after the step.

    Examples
    --------
    >>> import fastridge as fr
    >>> fr.elbow_after_step(1.0, 0.0, [1.0, 1.0], [0.5, -2.0], [1.0, 1.0], lr=0.1)
    array([-0.41176471,  2.        ])
    """
    x = check_scalar(x, "x")
    y = check_scalar(y, "y")
    lr = check_scalar(lr, "lr", low=0, low_inclusive=False)
    W1 = as_float_array(W1, "W1", ndims=(1,))
    W1, b, W2 = _check_units(W1, b, W2, W1.dtype)
    dt = W1.dtype.type
    x, y, lr = dt(x), dt(y), dt(lr)
    z = W1 * x + b
    active = z > 0  # ReLU'(0) = 0: z == 0 is inactive
    delta = W2 @ np.maximum(z, 0) - y
    c = lr * delta
    e = elbows(W1, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = c * W2 / W1
        moved = (e + a) / (1 - a * x)
        denom = 1 - a * x
        # W1 == 0: the limit of the map, −b'/W1' with b' = b − c W2, W1' = −c W2 x
        limit = (c * W2 - b) / (-c * W2 * x)
        moved = np.where(W1 == 0, limit, moved)
        new_w1_zero = np.where(W1 == 0, c * W2 * x == 0, denom == 0)
    out = np.where(active, np.where(new_w1_zero, np.nan, moved), e)
    return out.astype(W1.dtype, copy=False)


def slope_change(W1, W2) -> np.ndarray:
    """The kink each unit puts in ``f`` at its elbow: ``f'(e⁺) − f'(e⁻) = |W1| · W2``.

    A unit facing right (``W1 > 0``) adds slope ``W1·W2`` beyond its elbow; one facing
    left adds ``W1·W2`` before it, which is a change of ``−W1·W2`` when crossing it.  So
    the sign says convex (> 0) or concave (< 0), and the changes of the units sitting at
    one point add up to the kink of ``f`` there.  Any shape; NumPy broadcasting.

    Examples
    --------
    >>> slope_change(np.array([2.0, -2.0]), np.array([0.5, 0.5]))
    array([1., 1.])
    """
    W1 = np.asarray(W1)
    return np.abs(W1) * np.asarray(W2)
