"""Pictures of ridge and ReLU-SGD results, as matplotlib Figures (optional extra ``plot``).

Each function takes plain arrays — what :func:`fastridge.ridge_path`, ``RidgeCV``,
:func:`fastridge.relu_sgd` and :func:`fastridge.relu_sgd_many` return — and returns a
new :class:`matplotlib.figure.Figure` of ``figsize`` inches at ``dpi`` (so
``figsize=(6, 4), dpi=100`` saves as 600×400 pixels).  Figures are created without
pyplot (no global state, no GUI window, safe in threads and servers); save one with
``fig.savefig("trace.png")``.  :func:`animate_relu_training` writes a GIF (Pillow) or
an MP4 (ffmpeg) of training, frame by frame.

matplotlib is imported when a function is first called, not when this module is
imported, so ``import fastridge.plotting`` works without it; calling a function
without matplotlib raises :class:`ImportError` naming the extra to install.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

__all__ = [
    "plot_ridge_trace",
    "plot_loo_curve",
    "plot_ridge_cv",
    "plot_relu_fit",
    "plot_elbows",
    "plot_relu_training",
    "plot_elbow_landing",
    "animate_relu_training",
]

_INSTALL_HINT = "fastridge.plotting needs matplotlib; install it with: pip install 'fastridge[plot]'"


def _blank_figure(figsize, dpi):
    """A pyplot-free Figure with an Agg canvas attached (``fig.savefig`` just works)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # the optional extra is not installed
        raise ImportError(_INSTALL_HINT) from exc
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)  # attaches itself to fig
    return fig


def _new_figure(figsize, dpi, ax=None):
    """A new Figure and its single Axes, or ``ax`` and its figure."""
    if ax is not None:
        return ax.figure, ax
    fig = _blank_figure(figsize, dpi)
    return fig, fig.add_subplot()


def _mark_alpha(ax, alpha, label):
    """A dashed vertical line at each chosen α (one per target if an array)."""
    if alpha is None:
        return
    values = np.unique(np.atleast_1d(np.asarray(alpha, dtype=float)))
    for j, a in enumerate(values):
        ax.axvline(a, color="0.3", linestyle="--", linewidth=1,
                   label=(f"{label} = {a:.3g}" if len(values) == 1 else
                          (label if j == 0 else None)))


def plot_ridge_trace(alphas, coefs, *, names: Optional[Sequence[str]] = None,
                     chosen_alpha=None, ax=None, figsize=(6.4, 4.8), dpi=100):
    """Ridge trace: each coefficient against the penalty α, on a log α axis.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,)
        Penalties, all > 0 (a log axis); any order.
    coefs : array_like of shape (n_alphas, n_features)
        ``coefs[i]`` the coefficients for ``alphas[i]``, as :func:`fastridge.ridge_path`
        returns them for one target.
    names : sequence of str, optional
        One legend label per feature.
    chosen_alpha : float or array_like, optional
        Marked with a dashed vertical line (e.g. ``RidgeCV().alpha_``).
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (of a larger figure) instead of a new Figure; ``figsize``
        and ``dpi`` are then ignored and ``ax.figure`` is returned.
    figsize : (float, float), default=(6.4, 4.8)
        Inches.
    dpi : float, default=100
        Pixels per inch of the saved image.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the shapes do not match or an α is not > 0.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.plotting import plot_ridge_trace
    >>> alphas = np.logspace(-2, 2, 5)
    >>> coefs = np.array([[1.0, -1.0]]) / (1 + alphas[:, None])
    >>> fig = plot_ridge_trace(alphas, coefs, names=["a", "b"], chosen_alpha=1.0,
    ...                        figsize=(4, 3), dpi=50)
    >>> [int(v) for v in fig.get_size_inches() * fig.dpi]
    [200, 150]
    """
    alphas = np.asarray(alphas, dtype=float)
    coefs = np.asarray(coefs, dtype=float)
    if alphas.ndim != 1 or coefs.ndim != 2 or coefs.shape[0] != alphas.size:
        raise ValueError(
            f"expected alphas of shape (n_alphas,) and coefs of shape (n_alphas, n_features); "
            f"got {alphas.shape} and {coefs.shape}"
        )
    if not np.all(alphas > 0):
        raise ValueError("alphas must all be > 0 on a log axis; got "
                         f"{alphas[~(alphas > 0)][:5].tolist()}")
    if names is not None and len(names) != coefs.shape[1]:
        raise ValueError(f"names has {len(names)} entries but coefs has {coefs.shape[1]} columns")
    order = np.argsort(alphas)
    own = ax is None
    fig, ax = _new_figure(figsize, dpi, ax)
    for j in range(coefs.shape[1]):
        ax.plot(alphas[order], coefs[order, j],
                label=None if names is None else str(names[j]))
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    _mark_alpha(ax, chosen_alpha, "chosen α")
    ax.set_xscale("log")
    ax.set_xlabel("α (penalty)")
    ax.set_ylabel("coefficient")
    ax.set_title("Ridge trace")
    if names is not None or chosen_alpha is not None:
        ax.legend(fontsize="small", loc="best")
    if own:
        fig.tight_layout()
    return fig


def plot_loo_curve(alphas, loo_mse, *, chosen_alpha=None, target_names=None, ax=None,
                   figsize=(6.4, 4.8), dpi=100):
    """Exact leave-one-out mean squared error against α (log–log), chosen α marked.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,)
        Penalties, all > 0.
    loo_mse : array_like of shape (n_alphas,) or (n_alphas, n_targets)
        ``RidgeCV().loo_mse_``; one line per target for 2-D input.
    chosen_alpha : float or array_like, optional
        Marked with a dashed vertical line (``RidgeCV().alpha_``).
    target_names : sequence of str, optional
        Legend labels for 2-D ``loo_mse``.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (of a larger figure) instead of a new Figure; ``figsize``
        and ``dpi`` are then ignored and ``ax.figure`` is returned.
    figsize : (float, float), default=(6.4, 4.8)
    dpi : float, default=100

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.plotting import plot_loo_curve
    >>> alphas = np.logspace(-2, 2, 9)
    >>> fig = plot_loo_curve(alphas, 1 + np.log(alphas) ** 2, chosen_alpha=1.0)
    >>> fig.axes[0].get_xscale()
    'log'
    """
    alphas = np.asarray(alphas, dtype=float)
    mse = np.asarray(loo_mse, dtype=float)
    if alphas.ndim != 1 or mse.ndim not in (1, 2) or mse.shape[0] != alphas.size:
        raise ValueError(
            "expected alphas of shape (n_alphas,) and loo_mse of shape (n_alphas,) or "
            f"(n_alphas, n_targets); got {alphas.shape} and {mse.shape}"
        )
    if not np.all(alphas > 0):
        raise ValueError("alphas must all be > 0 on a log axis; got "
                         f"{alphas[~(alphas > 0)][:5].tolist()}")
    mse2 = mse[:, None] if mse.ndim == 1 else mse  # mse2.shape = (n_alphas, k)
    order = np.argsort(alphas)
    own = ax is None
    fig, ax = _new_figure(figsize, dpi, ax)
    for j in range(mse2.shape[1]):
        label = None
        if target_names is not None:
            label = str(target_names[j])
        ax.plot(alphas[order], mse2[order, j], marker=".", label=label)
    _mark_alpha(ax, chosen_alpha, "chosen α")
    ax.set_xscale("log")
    if np.all(mse2[np.isfinite(mse2)] > 0):
        ax.set_yscale("log")
    ax.set_xlabel("α (penalty)")
    ax.set_ylabel("leave-one-out MSE")
    ax.set_title("Exact leave-one-out error")
    if target_names is not None or chosen_alpha is not None:
        ax.legend(fontsize="small", loc="best")
    if own:
        fig.tight_layout()
    return fig


def plot_ridge_cv(alphas, coefs, loo_mse, chosen_alpha, *, names=None,
                  figsize=(11.0, 4.5), dpi=100):
    """The ridge trace and the leave-one-out curve side by side, chosen α marked on both.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,)
        Penalties, all > 0.
    coefs : array_like of shape (n_alphas, n_features)
        See :func:`plot_ridge_trace`.
    loo_mse : array_like of shape (n_alphas,) or (n_alphas, n_targets)
        See :func:`plot_loo_curve`.
    chosen_alpha : float or array_like
        ``RidgeCV().alpha_``.
    names : sequence of str, optional
        Feature names for the trace's legend.
    figsize : (float, float), default=(11.0, 4.5)
    dpi : float, default=100

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.plotting import plot_ridge_cv
    >>> alphas = np.logspace(-2, 2, 5)
    >>> fig = plot_ridge_cv(alphas, 1 / (1 + alphas[:, None]), 1 + alphas, 0.01)
    >>> len(fig.axes)
    2
    """
    fig = _blank_figure(figsize, dpi)
    left, right = fig.subplots(1, 2)
    plot_ridge_trace(alphas, coefs, names=names, chosen_alpha=chosen_alpha, ax=left)
    plot_loo_curve(alphas, loo_mse, chosen_alpha=chosen_alpha, ax=right)
    fig.tight_layout()
    return fig


# The pictures of the ReLU network (docs/math.md §2) live in their own module; they import the
# figure helpers above at call time, so either module may be imported first.
from ._plot_relu import (animate_relu_training, plot_elbow_landing,  # noqa: E402
                         plot_elbows, plot_relu_fit, plot_relu_training)
