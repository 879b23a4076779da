"""The pictures of the ReLU network of docs/math.md §2: the fit over training, the elbows over
training, where the elbows of many runs end up, and training as an animation.

Re-exported by :mod:`fastridge.plotting`, whose conventions they follow (pyplot-free
figures, matplotlib imported on first call).
"""
from __future__ import annotations

import os
from typing import Mapping, Optional

import numpy as np

from ._elbows import slope_change

__all__ = ["plot_relu_fit", "plot_elbows", "plot_relu_training", "plot_elbow_landing",
           "animate_relu_training"]


def _new_figure(figsize, dpi, ax=None):
    from .plotting import _new_figure as new  # plotting imports this module at its end
    return new(figsize, dpi, ax)


def _blank_figure(figsize, dpi):
    from .plotting import _blank_figure as blank
    return blank(figsize, dpi)


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


def _padded_range(x, pad=0.06):
    """(lo, hi) of ``x`` widened by ``pad`` of its span on each side."""
    lo, hi = float(np.min(x)), float(np.max(x))
    margin = pad * (hi - lo) if hi > lo else 1.0
    return lo - margin, hi + margin


def _data_rug(ax, x):
    """A tick at the foot of ``ax`` for every data point ``x``."""
    ax.plot(x, np.full_like(x, 0.03), "|", color="C3", markersize=14, markeredgewidth=1.5,
            zorder=4, transform=ax.get_xaxis_transform(), label="data points")


def _mark_kinks(ax, kinks, label=True):
    for j, kink in enumerate(kinks or ()):
        ax.axvline(kink, color="0.2", linestyle=":", linewidth=1.2, zorder=1,
                   label="target's kinks" if label and j == 0 else None)


def plot_elbow_landing(x, params, *, kinks=None, kink_jumps=None, initial=None,
                       title: Optional[str] = None, figsize=(8.0, 6.0), dpi=100):
    """Where the elbows of many trained networks end up, against the data and the kinks.

    Top: one dot per hidden unit of every network — its elbow ``−b/W1`` and the change of
    slope ``|W1|·W2`` it puts in ``f`` there (:func:`fastridge._elbows.slope_change`;
    > 0 convex, < 0 concave); the target's kinks (and their slope changes, as stars).
    Bottom: histograms of the elbows over the data range, averaged over the networks —
    counted, and weighted by ``|slope change|`` (which units matter to the fit) — with a
    tick for every data point, and the initial elbows for comparison.  Elbows outside the
    data range (units straight over the data) and NaN elbows (``W1 = 0``) are counted in
    the title, not drawn.

    Parameters
    ----------
    x : array_like of shape (n,)
        The training inputs, drawn as a rug; their range (padded) is the x axis.
    params : tuple (W1, b, W2) of array_like of shape (m, d)
        The m networks after training (``relu_sgd_many(...)`` result's W1, b, W2).
    kinks : sequence of float, optional
        Where the target's slope changes (dotted lines).
    kink_jumps : sequence of float, optional
        The target's change of slope at each kink (stars in the top panel).
    initial : tuple (W1, b, W2) of array_like of shape (m, d), optional
        The networks before training: their elbows as a dashed histogram.
    title : str, optional
        Default: how many networks and units, and how many elbows are not shown.
    figsize : (float, float), default=(8.0, 6.0)
    dpi : float, default=100

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.plotting import plot_elbow_landing
    >>> x = np.linspace(-1, 1, 9)
    >>> W1 = np.array([[1.0, -1.0], [2.0, 1.0]]); b = np.array([[0.0, 0.5], [0.2, 3.0]])
    >>> fig = plot_elbow_landing(x, (W1, b, np.ones((2, 2))), kinks=[0.0], kink_jumps=[2.0])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['slope change |W1|·W2', 'share per bin']
    """
    x = np.asarray(x, dtype=float).ravel()
    W1, b, W2 = (np.asarray(p, dtype=float) for p in params)
    if W1.ndim != 2 or b.shape != W1.shape or W2.shape != W1.shape:
        raise ValueError("params must be (W1, b, W2), each of shape (m, d) (one row per "
                         f"network); got shapes {W1.shape}, {b.shape}, {W2.shape}")
    if kink_jumps is not None and len(kink_jumps) != len(kinks or ()):
        raise ValueError(f"kink_jumps has {len(kink_jumps)} entries but kinks has "
                         f"{len(kinks or ())}; give one slope change per kink")
    m, d = W1.shape
    lo, hi = _padded_range(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(W1 != 0, -b / np.where(W1 != 0, W1, 1.0), np.nan)
    jump = slope_change(W1, W2)
    shown = np.isfinite(e) & (e >= lo) & (e <= hi)
    fig = _blank_figure(figsize, dpi)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw=dict(height_ratios=(3, 2)))

    # top: elbow position against the slope change it carries
    alpha = float(np.clip(400.0 / max(1, shown.sum()), 0.06, 0.8))
    top.axhline(0.0, color="0.7", linewidth=0.8, zorder=0)
    top.scatter(e[shown], jump[shown], s=5, alpha=alpha, color="C0", linewidths=0,
                label=f"hidden units ({m} networks × {d})", zorder=2)
    _mark_kinks(top, kinks)
    if kink_jumps is not None:
        top.scatter(kinks, kink_jumps, marker="*", s=160, color="C3", edgecolor="k",
                    linewidths=0.6, zorder=4,
                    label="target's slope change (shared by the units there)")
    top.set_ylabel("slope change |W1|·W2")
    legend = top.legend(fontsize="small", loc="lower left")
    legend.legend_handles[0].set_alpha(1.0)

    # bottom: where the elbows are, as shares of all elbows shown and of their kinks
    bins = int(np.clip(25 * len(np.unique(x)), 80, 500))
    edges = np.linspace(lo, hi, bins + 1)
    count = np.histogram(e[shown], edges)[0]
    weighted = np.histogram(e[shown], edges, weights=np.abs(jump[shown]))[0]
    bottom.stairs(count / max(1, count.sum()), edges, fill=True, color="0.78",
                  label="share of the elbows")
    bottom.stairs(weighted / (weighted.sum() or 1.0), edges, color="C0", linewidth=1.3,
                  label="share of the |slope change|")
    if initial is not None:
        iW1, ib, _ = (np.asarray(p, dtype=float) for p in initial)
        with np.errstate(divide="ignore", invalid="ignore"):
            e0 = -ib / iW1
        e0 = np.unique(e0[np.isfinite(e0) & (e0 >= lo) & (e0 <= hi)])
        bottom.plot(e0, np.ones_like(e0), "v", color="0.45", markersize=4, zorder=3,
                    transform=bottom.get_xaxis_transform(), label="elbows before training")
    _mark_kinks(bottom, kinks, label=False)
    _data_rug(bottom, x)
    bottom.set_xlim(lo, hi)
    bottom.set_ylim(bottom=0)
    bottom.set_xlabel("x  (elbow −b/W1)")
    bottom.set_ylabel("share per bin")
    legend = bottom.legend(fontsize="small", loc="upper left")
    hidden = int(W1.size - shown.sum())
    fig.suptitle(title or (f"Where the elbows of {m} runs end up ({d} units each; "
                           f"{hidden} of {W1.size} outside the data, not shown)"),
                 fontsize="medium")
    fig.tight_layout()
    return fig


def animate_relu_training(path, x, y, snapshots: Mapping[int, tuple], elbows, *,
                          record_every: int, loss=None, kinks=None, fps: float = 8,
                          figsize=(6.4, 5.2), dpi=72) -> int:
    """Write training as an animation: the fit and its elbows, epoch by epoch.

    One frame per snapshot, in epoch order.  Top: the data, the network's function and
    its elbows (▲ a convex kink, ▼ a concave one, larger for a larger slope change).
    Bottom: each elbow's path so far (time runs down), from the recorded elbows.

    Parameters
    ----------
    path : str or os.PathLike
        ``.gif`` (written with Pillow, one shared 64-colour palette, looping) or
        ``.mp4`` (needs ``ffmpeg`` on the PATH).
    x, y : array_like of shape (n,)
        The training data.
    snapshots : mapping of int to (W1, b, W2)
        ``{epoch: parameters after that epoch}`` (``train_relu(...).snapshots``).
    elbows : array_like of shape (n_records, d)
        Elbows recorded every ``record_every`` steps (``train_relu(...).elbows``).
    record_every : int
        Steps between two rows of ``elbows``.
    loss : array_like of shape (epochs,), optional
        Per-epoch mean loss, shown in each frame's title.
    kinks : sequence of float, optional
        The target's kinks (dotted lines).
    fps : float, default=8
        Frames per second (the last frame is held four times as long in a GIF).
    figsize : (float, float), default=(6.4, 5.2)
    dpi : float, default=72

    Returns
    -------
    int
        The number of frames written (``len(snapshots)``).

    Raises
    ------
    ValueError
        An extension other than ``.gif``/``.mp4``, or inconsistent shapes.
    RuntimeError
        ``.mp4`` without ffmpeg.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from fastridge.plotting import animate_relu_training
    >>> from fastridge.sgd import train_relu
    >>> x = np.linspace(-1, 1, 20)
    >>> t = train_relu(x, np.abs(x), hidden=3, epochs=4, lr=0.05, seed=0,
    ...                snapshot_epochs=[1, 2, 3])
    >>> out = os.path.join(tempfile.mkdtemp(), "training.gif")
    >>> animate_relu_training(out, x, np.abs(x), t.snapshots, t.elbows,
    ...                       record_every=t.record_every, loss=t.loss, dpi=30)
    5
    """
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in (".gif", ".mp4"):
        raise ValueError(f"path must end in .gif or .mp4; got {os.fspath(path)!r}")
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    rec = np.asarray(elbows, dtype=float)
    epochs = sorted(snapshots)
    if x.shape != y.shape or rec.ndim != 2 or not epochs:
        raise ValueError(f"expected x, y of shape (n,), elbows (n_records, d) and at least "
                         f"one snapshot; got {x.shape}, {y.shape}, {rec.shape} and "
                         f"{len(epochs)} snapshots")
    every = int(record_every)
    fig = _blank_figure(figsize, dpi)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw=dict(height_ratios=(3, 2)))
    lo, hi = _padded_range(x)
    grid = np.linspace(lo, hi, 300)
    fits = {e: _relu_net(grid, *(np.asarray(p, dtype=float) for p in snapshots[e]))
            for e in epochs}
    span = np.concatenate([y] + list(fits.values()))
    ylo, yhi = float(span.min()), float(span.max())
    pad = 0.08 * (yhi - ylo or 1.0)

    top.scatter(x, y, s=10, color="0.55", zorder=1, label="data")
    _mark_kinks(top, kinks)
    (curve,) = top.plot([], [], color="C0", linewidth=2, zorder=2, label="f(x)")
    up = top.scatter([], [], marker="^", color="C1", edgecolor="k", linewidths=0.4,
                     zorder=3, label="elbow, convex")
    down = top.scatter([], [], marker="v", color="C4", edgecolor="k", linewidths=0.4,
                       zorder=3, label="elbow, concave")
    top.set_ylim(ylo - pad, yhi + pad)
    top.set_ylabel("f(x)")
    top.legend(fontsize="x-small", loc="upper left", ncol=2)
    title = top.set_title(f"epoch {epochs[-1]} of {epochs[-1]}   loss 0.00e+00",
                          fontsize="medium")  # its size, for tight_layout

    n_steps = max(1, epochs[-1] * len(x))
    trails = [bottom.plot([], [], linewidth=0.8, color=f"C{i % 10}")[0]
              for i in range(rec.shape[1])]
    heads = bottom.scatter([], [], s=8, color="k", zorder=3)
    _mark_kinks(bottom, kinks, label=False)
    bottom.set_xlim(lo, hi)
    bottom.set_ylim(n_steps, 0)  # time runs down
    bottom.set_xlabel("x")
    bottom.set_ylabel("SGD step")
    fig.tight_layout()
    steps = np.arange(rec.shape[0]) * every

    def update(k):
        epoch = epochs[k]
        W1, b, W2 = (np.asarray(p, dtype=float).ravel() for p in snapshots[epoch])
        curve.set_data(grid, fits[epoch])
        with np.errstate(divide="ignore", invalid="ignore"):
            e = -b / W1
        jump = slope_change(W1, W2)
        size = 10 + 70 * np.sqrt(np.abs(jump) / (np.abs(jump).max() or 1.0))
        keep = np.isfinite(e) & (e >= lo) & (e <= hi)
        at = _relu_net(e[keep], W1, b, W2)
        for marker, sign in ((up, jump[keep] > 0), (down, jump[keep] <= 0)):
            marker.set_offsets(np.column_stack([e[keep][sign], at[sign]]))
            marker.set_sizes(size[keep][sign])
        rows = min(rec.shape[0], epoch * len(x) // every + 1)
        for i, trail in enumerate(trails):
            trail.set_data(rec[:rows, i], steps[:rows])
        heads.set_offsets(np.column_stack([rec[rows - 1], np.full(rec.shape[1],
                                                                  steps[rows - 1])]))
        text = f"epoch {epoch} of {epochs[-1]}"
        if loss is not None and epoch > 0:
            text += f"   loss {float(np.asarray(loss)[epoch - 1]):.2e}"
        title.set_text(text)

    render = _blitter(fig, [curve, up, down, *trails, heads, title], update)
    frames = (render(k) for k in range(len(epochs)))
    if ext == ".gif":
        last = len(epochs) - 1  # the palette from the first, middle and last frames
        _write_gif(frames, len(epochs), path, fps,
                   [render(k) for k in sorted({0, last // 2, last})])
    else:
        _write_mp4(frames, path, fps)
    return len(epochs)


def _blitter(fig, moving, update):
    """``render(k)``: frame k as an (h, w, 3) uint8 array, after ``update(k)`` moved the
    artists ``moving``; everything else is drawn once and copied (blitting)."""
    for artist in moving:
        artist.set_animated(True)  # left out of full draws
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)

    def render(k):
        update(k)
        fig.canvas.restore_region(background)
        for artist in moving:  # in the order given
            fig.draw_artist(artist)
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()

    return render


def _write_gif(frames, n_frames: int, path, fps: float, samples) -> None:
    """``frames`` (an iterable of RGB arrays) as a looping GIF with one 64-colour palette
    made from ``samples`` (a few of the frames): no flicker, a small file."""
    from PIL import Image  # a dependency of matplotlib

    palette = Image.fromarray(np.concatenate(samples)).quantize(
        colors=64, method=Image.Quantize.MEDIANCUT)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE)
              for f in frames]
    ms = max(20, int(round(1000 / fps)))
    images[0].save(path, save_all=True, append_images=images[1:], loop=0,
                   duration=[ms] * (n_frames - 1) + [4 * ms])


def _write_mp4(frames, path, fps: float) -> None:
    """``frames`` (an iterable of RGB arrays) as an H.264 MP4, through ffmpeg."""
    import shutil
    import subprocess

    from matplotlib import rcParams

    ffmpeg = shutil.which(rcParams["animation.ffmpeg_path"])
    if ffmpeg is None:
        raise RuntimeError(f"writing {os.fspath(path)!r} needs ffmpeg on the PATH, which "
                           "was not found; install it or write a .gif instead")
    first = next(iter(frames))
    h, w, _ = first.shape
    cmd = [ffmpeg, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", f"{w}x{h}", "-r", f"{fps:g}", "-i", "-",
           "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",  # yuv420p needs even sides
           "-vcodec", "libx264", "-pix_fmt", "yuv420p", os.fspath(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdin.write(first.tobytes())
        for frame in frames:
            proc.stdin.write(frame.tobytes())
    except BrokenPipeError:  # ffmpeg stopped reading: its message says why
        pass
    finally:
        proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace").strip()
        proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed writing {os.fspath(path)!r} (exit "
                           f"{proc.returncode}): {err.splitlines()[-1] if err else ''}")
