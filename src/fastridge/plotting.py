"""Pictures of ridge and ReLU-SGD results, as matplotlib Figures (optional extra ``plot``).

Each function takes plain arrays — what :func:`fastridge.ridge_path`, ``RidgeCV`` and
:func:`fastridge.relu_sgd` return — and returns a new :class:`matplotlib.figure.Figure`
of ``figsize`` inches at ``dpi`` (so ``figsize=(6, 4), dpi=100`` saves as 600×400
pixels).  Figures are created without pyplot (no global state, no GUI window, safe
in threads and servers); save one with ``fig.savefig("trace.png")``.

matplotlib is imported when a function is first called, not when this module is
imported, so ``import fastridge.plotting`` works without it; calling a function
without matplotlib raises :class:`ImportError` naming the extra to install.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import numpy as np

__all__ = [
    "plot_ridge_trace",
    "plot_loo_curve",
    "plot_ridge_cv",
    "plot_relu_fit",
    "plot_elbows",
    "plot_relu_training",
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


def _relu_net(x, W1, b, W2):
    """``f(x) = Σ_i W2_i relu(W1_i x + b_i)`` for a 1-D grid x."""
    return np.maximum(np.outer(x, W1) + b, 0.0) @ W2


def plot_relu_fit(x, y, snapshots: Mapping[int, tuple], *, grid=None, ax=None,
                  figsize=(6.4, 4.8), dpi=100):
    """The data and the network's function after several epochs.

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Training data, drawn as points.
    snapshots : mapping of int to (W1, b, W2)
        ``{epoch: (W1, b, W2)}``: the parameters after that many epochs (0 = the
        initial network); one curve each, in increasing epoch order.
    grid : array_like, optional
        Where to evaluate the network; default 400 points spanning the data.
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
    >>> from fastridge.plotting import plot_relu_fit
    >>> x = np.linspace(-1, 1, 20)
    >>> snaps = {0: ([1.0], [0.0], [0.1]), 10: ([1.0], [0.0], [1.0])}
    >>> fig = plot_relu_fit(x, np.maximum(x, 0), snaps)
    >>> len(fig.axes[0].lines)
    2
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length; got {x.size} and {y.size}")
    if grid is None:
        lo, hi = (float(x.min()), float(x.max())) if x.size else (-1.0, 1.0)
        grid = np.linspace(lo, hi, 400)
    grid = np.asarray(grid, dtype=float).ravel()
    own = ax is None
    fig, ax = _new_figure(figsize, dpi, ax)
    ax.scatter(x, y, s=8, color="0.5", label="data", zorder=1)
    epochs = sorted(snapshots)
    try:
        from matplotlib import colormaps
        cmap = colormaps["viridis"]
    except ImportError:  # pragma: no cover - matplotlib < 3.5 is not supported anyway
        cmap = None
    for j, epoch in enumerate(epochs):
        W1, b, W2 = (np.asarray(p, dtype=float).ravel() for p in snapshots[epoch])
        color = None if cmap is None else cmap(j / max(1, len(epochs) - 1) * 0.9)
        ax.plot(grid, _relu_net(grid, W1, b, W2), color=color, label=f"epoch {epoch}",
                zorder=2)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("ReLU network during SGD")
    ax.legend(fontsize="small", loc="best")
    if own:
        fig.tight_layout()
    return fig


def plot_elbows(elbows, *, record_every: int = 1, xlim=None, kinks=None, ax=None,
                figsize=(6.4, 4.8), dpi=100):
    """Elbow position of every hidden unit against the SGD step, one line per unit.

    Parameters
    ----------
    elbows : array_like of shape (n_records, n_hidden)
        ``relu_sgd(..., record_every=k).elbows``: row ``j`` after ``j * k`` steps.
        NaN (a unit with ``W1 = 0``) leaves a gap in its line.
    record_every : int, default=1
        The ``k`` used when recording, to label the step axis.
    xlim : (float, float), optional
        Range of the elbow axis, e.g. the data range (elbows far outside it are
        units that never switch on or off within the data).
    kinks : sequence of float, optional
        Known kinks of the target function, drawn as dotted horizontal lines.
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
    >>> from fastridge.plotting import plot_elbows
    >>> rec = np.array([[0.0, 1.0], [0.1, 0.9], [0.2, 0.85]])
    >>> fig = plot_elbows(rec, record_every=100, kinks=[0.5])
    >>> len(fig.axes[0].lines)
    3
    """
    rec = np.asarray(elbows, dtype=float)
    if rec.ndim != 2:
        raise ValueError(f"elbows must have shape (n_records, n_hidden); got {rec.shape}")
    steps = np.arange(rec.shape[0]) * int(record_every)
    own = ax is None
    fig, ax = _new_figure(figsize, dpi, ax)
    for i in range(rec.shape[1]):
        ax.plot(steps, rec[:, i], linewidth=1)
    for kink in kinks or ():
        ax.axhline(kink, color="0.2", linestyle=":", linewidth=1)
    if xlim is not None:
        ax.set_ylim(*xlim)
    ax.set_xlabel("SGD step")
    ax.set_ylabel("elbow  −b/W1")
    ax.set_title("Elbows during training (one line per hidden unit)")
    if own:
        fig.tight_layout()
    return fig


def plot_relu_training(x, y, snapshots: Mapping[int, tuple], elbows, *,
                       record_every: int = 1, kinks=None, figsize=(11.0, 4.5), dpi=100):
    """The ReLU fit at several epochs (left) and the elbows over training (right).

    Parameters
    ----------
    x, y, snapshots
        See :func:`plot_relu_fit`.
    elbows : array_like of shape (n_records, n_hidden)
        See :func:`plot_elbows`; the elbow axis is limited to the data range, padded.
    record_every : int, default=1
        See :func:`plot_elbows`.
    kinks : sequence of float, optional
        Known kinks of the target function.
    figsize : (float, float), default=(11.0, 4.5)
    dpi : float, default=100

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.plotting import plot_relu_training
    >>> x = np.linspace(-1, 1, 20)
    >>> fig = plot_relu_training(x, np.abs(x), {0: ([1.0], [0.0], [1.0])},
    ...                          np.zeros((3, 1)), record_every=10, kinks=[0.0])
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['x', 'SGD step']
    """
    fig = _blank_figure(figsize, dpi)
    left, right = fig.subplots(1, 2)
    plot_relu_fit(x, y, snapshots, ax=left)
    x = np.asarray(x, dtype=float)
    pad = 0.1 * float(np.ptp(x)) if x.size else 1.0
    xlim = (float(x.min()) - pad, float(x.max()) + pad) if x.size else None
    plot_elbows(elbows, record_every=record_every, xlim=xlim, kinks=kinks, ax=right)
    fig.tight_layout()
    return fig
