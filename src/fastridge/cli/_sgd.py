"""``fastridge sgd``: train the ReLU network of docs/math.md §2 on a 1-D function, report its elbows.

One run (``--runs 1``, the default) is :func:`fastridge.sgd.train_relu`, with the fit and
the elbows over training as a figure (``--plot``) or an animation (``--animate``);
``--runs N`` trains N seeds at once with :func:`fastridge.sgd.train_relu_many` and reports
(and draws, :func:`fastridge.plotting.plot_elbow_landing`) where their elbows end up.
This module chooses the data, checks the options and formats the reports (also used by
``fastridge demo``).
"""
from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
from typing import Optional

import numpy as np

from .._elbows import slope_change
from ..sgd import Runs, Training, train_relu, train_relu_many
from ._common import CLIError, Progress, check_option, fmt_time, table
from ._inputs import load_xy
from ._outputs import (atomic_write, check_output_dir, check_output_file, figure_bytes,
                       require_matplotlib, say)

#: Built-in 1-D targets: name → (function, x range, known kinks).
FUNCTIONS = {
    "sin": (np.sin, (-math.pi, math.pi), ()),
    "abs": (np.abs, (-2.0, 2.0), (0.0,)),
    "relu-mix": (lambda x: (np.maximum(x + 1.0, 0.0) - 2.0 * np.maximum(x - 0.5, 0.0)
                            + 1.5 * np.maximum(x - 1.5, 0.0)), (-2.0, 3.0), (-1.0, 0.5, 1.5)),
}


def function_data(spec: str, n: int, noise: float, rng):
    """(x, y, kinks, label) for a built-in function name or a data file with two columns."""
    if spec in FUNCTIONS:
        f, (lo, hi), kinks = FUNCTIONS[spec]
        x = np.linspace(lo, hi, n)
        y = f(x) + (noise * rng.standard_normal(n) if noise else 0.0)
        return x, y, kinks, spec
    if not os.path.exists(spec):
        raise CLIError(f"--function {spec!r}: not one of {', '.join(FUNCTIONS)} and no such file")
    x, y = load_xy(spec, "--function")
    return x, y, (), os.path.basename(spec)


def kink_jumps(f, kinks) -> list:
    """The change of slope of the piecewise-linear ``f`` at each of its ``kinks``.

    Examples
    --------
    >>> from fastridge.cli._sgd import FUNCTIONS, kink_jumps
    >>> [round(j, 6) for j in kink_jumps(*FUNCTIONS["relu-mix"][::2])]
    [1.0, -2.0, 1.5]
    """
    h = 1e-4
    return [float((f(k + 2 * h) - f(k + h)) / h - (f(k - h) - f(k - 2 * h)) / h)
            for k in kinks]


def snapshot_epochs(epochs: int) -> list:
    """Epochs after which the figure shows the fit: 1, about a tenth, a third, the end."""
    return sorted({1, max(1, epochs // 10), max(1, epochs // 3), epochs})


def frame_epochs(epochs: int, frames: int) -> list:
    """About ``frames`` epochs from 0 to ``epochs`` for an animation, denser early (where
    SGD moves fastest): ``round(epochs · (j / (frames − 1))²)``, duplicates dropped.

    Examples
    --------
    >>> from fastridge.cli._sgd import frame_epochs
    >>> frame_epochs(100, 6)
    [0, 4, 16, 36, 64, 100]
    """
    t = np.linspace(0.0, 1.0, max(2, frames)) ** 2
    return sorted({int(v) for v in np.round(t * epochs)})


def elbow_report(training: Training, x, kinks, limit: Optional[int] = None) -> str:
    """Table of elbow moves (start → end) of the units, largest output weight first."""
    W1, b, W2 = training.params
    start, end = training.elbows[0], training.elbows[-1]
    lo, hi = float(np.min(x)), float(np.max(x))
    order = np.argsort(-np.abs(W2 * W1))  # slope each unit adds beyond its elbow
    if limit is not None:
        order = order[:limit]
    rows = [("unit", "elbow start", "elbow end", "moved", "on for", "slope W1·W2", "")]
    for i in order:
        inside = lo <= end[i] <= hi if np.isfinite(end[i]) else False
        side = "x > e" if W1[i] > 0 else ("x < e" if W1[i] < 0 else "never")
        rows.append((str(i), f"{start[i]:+.3f}", f"{end[i]:+.3f}", f"{end[i] - start[i]:+.3f}",
                     side, f"{W1[i] * W2[i]:+.3f}", "" if inside else "(outside the data)"))
    text = table(rows)
    if kinks:
        weight = np.abs(W1 * W2)
        strong = weight >= 0.1 * weight.max() if weight.max() > 0 else np.ones_like(weight, bool)
        notes = []
        for k in kinks:
            cand = np.where(strong & np.isfinite(end), np.abs(end - k), np.inf)
            i = int(np.argmin(cand))
            notes.append(f"kink at {k:+g}: nearest strong elbow {end[i]:+.3f} (unit {i})")
        text += "\n" + "\n".join(notes)
    return text


def landing_report(runs: Runs, x, kinks, jumps) -> str:
    """Where the elbows of many runs ended: near each kink, and near the data points.

    A unit is *strong* if its slope change ``|W1|·W2`` is at least a tenth of its run's
    largest.  Per kink: in how many runs a strong elbow lies within 1 % of the data range,
    and the sum of the slope changes (median over runs) from the data point before the
    kink to the one after it (at least ±2 % of the range; widened by the tolerance
    below), against the target's: SGD may put the bend on those data points rather than
    on the kink.  Then: the share of all ``|slope change|`` inside the data that sits
    within an eighth of the median sample gap of a data point, against the share a
    uniform spread would put there.
    """
    W1, b, W2 = runs.params
    m = len(W1)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(W1 != 0, -b / np.where(W1 != 0, W1, 1.0), np.nan)
    jump = slope_change(W1, W2)
    lo, hi = float(np.min(x)), float(np.max(x))
    span = (hi - lo) or 1.0
    strong = np.abs(jump) >= 0.1 * np.abs(jump).max(axis=1, keepdims=True)
    xs = np.unique(np.asarray(x, dtype=float))
    tol = float(np.median(np.diff(xs))) / 8 if len(xs) > 1 else 0.0
    lines = []
    for k, target in zip(kinks, jumps):
        near = np.abs(e - k) <= 0.01 * span
        found = int(np.sum(np.any(near & strong, axis=1)))
        before, after = xs[xs <= k], xs[xs >= k]  # the data points around the kink
        a = min(k - 0.02 * span, (before[-1] if len(before) else k) - tol)
        z = max(k + 0.02 * span, (after[0] if len(after) else k) + tol)
        total = np.where((e >= a) & (e <= z), jump, 0.0).sum(axis=1)
        lines.append(f"  kink at {k:+g}: a strong elbow within {0.01 * span:.3g} in {found} "
                     f"of {m} runs; the slope changes in [{a:+.3g}, {z:+.3g}] add up to "
                     f"{np.median(total):+.3f} (median; the target's: {target:+.3g})")
    if len(xs) > 1:
        inside = np.isfinite(e) & (e >= lo) & (e <= hi)
        at = np.searchsorted(xs, np.where(inside, e, lo))  # nearest data point's distance
        dist = np.minimum(np.abs(e - xs[np.clip(at - 1, 0, len(xs) - 1)]),
                          np.abs(e - xs[np.clip(at, 0, len(xs) - 1)]))
        weight = np.where(inside, np.abs(jump), 0.0)
        share = float(weight[dist <= tol].sum() / (weight.sum() or 1.0))
        grid = np.linspace(lo, hi, 100_001)
        gi = np.searchsorted(xs, grid)
        gd = np.minimum(np.abs(grid - xs[np.clip(gi - 1, 0, len(xs) - 1)]),
                        np.abs(grid - xs[np.clip(gi, 0, len(xs) - 1)]))
        uniform = float(np.mean(gd <= tol))
        count = float(np.mean((dist <= tol)[inside])) if inside.any() else 0.0
        lines.append(f"  at the data: {share:.0%} of the |slope change| (and {count:.0%} of "
                     f"the elbows) inside the data lie within {tol:.3g} (1/8 of a sample "
                     f"gap) of a data point; a uniform spread would put {uniform:.0%} there")
    outside = int(np.sum(~(np.isfinite(e) & (e >= lo) & (e <= hi))))
    lines.append(f"  {outside} of {e.size} elbows lie outside the data (their units are "
                 "straight over it)")
    return "\n".join(lines)


def loss_lines(loss: np.ndarray, per_line: int = 10) -> str:
    """The per-epoch losses, ``per_line`` to a line, each line prefixed by its epoch range.

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.cli._sgd import loss_lines
    >>> print(loss_lines(np.array([0.5, 0.25, 0.125]), per_line=2))
      epochs   1-2   5.00e-01 2.50e-01
      epochs   3-3   1.25e-01
    """
    lines = []
    for start in range(0, len(loss), per_line):
        chunk = loss[start:start + per_line]
        label = f"epochs {start + 1:>3}-{start + len(chunk):<3}"
        lines.append(f"  {label} " + " ".join(f"{v:.2e}" for v in chunk))
    return "\n".join(lines)


def add_parser(sub) -> None:
    """Add ``sgd`` and its options to the subparsers ``sub``."""
    p = sub.add_parser(
        "sgd", help="train the ReLU network on a 1-D function by per-sample SGD",
        description="Train f(x) = Σ W2_i relu(W1_i x + b_i) by per-sample SGD (shuffled "
                    "each epoch) and report the loss and where the elbows −b/W1 moved; "
                    "with --runs N, train N seeds at once (on every core) and report where "
                    "their elbows end up against the data and the target's kinks.")
    p.add_argument("--function", default="relu-mix", metavar="NAME|FILE",
                   help=f"one of {', '.join(FUNCTIONS)} (default relu-mix), or a .csv "
                        "(header row) / .npy file with two columns x, y")
    p.add_argument("--hidden", type=int, default=32, help="hidden units (default 32)")
    p.add_argument("--epochs", type=int, default=50, help="passes over the data (default 50)")
    p.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed (>= 0) of initialisation and shuffling (default 0); run k of "
                        "--runs uses seed + k")
    p.add_argument("--samples", type=int, default=200,
                   help="grid points for a built-in function (default 200)")
    p.add_argument("--noise", type=float, default=0.0,
                   help="std of Gaussian noise added to a built-in function (default 0)")
    p.add_argument("--runs", type=int, default=1,
                   help="train this many networks, seeds SEED .. SEED+RUNS-1, all at once "
                        "(fastridge.relu_sgd_many), and report where their elbows end up "
                        "(default 1)")
    p.add_argument("--threads", type=int, default=None,
                   help="threads for --runs (default: every core available)")
    p.add_argument("--plot", metavar="FILE|DIR",
                   help="write a figure (needs matplotlib): one run, the fit at several "
                        "epochs and the elbows over training; --runs N, where the elbows "
                        "of the N runs end up.  FILE: .png, .pdf or .svg; DIR (no "
                        "extension, created if missing): relu_training.png or "
                        "elbow_landing.png in it")
    p.add_argument("--animate", metavar="FILE",
                   help="write training (of the run with --seed) as an animation: the fit "
                        "and its elbows, epoch by epoch; .gif, or .mp4 with ffmpeg (needs "
                        "matplotlib)")
    p.add_argument("--frames", type=int, default=40,
                   help="frames of --animate, denser early (default 40)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar and no per-epoch losses")
    p.set_defaults(func=run)


def _plot_path(path: str, runs: int, inputs) -> tuple:
    """(file, format) for --plot: a file name as given, or the figure's name in a DIR."""
    ext = os.path.splitext(path)[1].lower()
    if ext and not os.path.isdir(path):
        ext = check_output_file(path, (".png", ".pdf", ".svg"), "--plot", inputs)
        return path, ext[1:]
    check_output_dir(path, "--plot")
    return os.path.join(path, "relu_training.png" if runs == 1 else "elbow_landing.png"), "png"


def _check_animate(path: str, inputs) -> None:
    """--animate: matplotlib, a writable .gif/.mp4 path, ffmpeg for .mp4 (before work)."""
    try:
        import matplotlib
    except ImportError:
        raise CLIError("--animate needs matplotlib, which is not installed; install it "
                       "with: pip install 'fastridge[plot]'") from None
    ext = check_output_file(path, (".gif", ".mp4"), "--animate", inputs)
    if ext == ".mp4" and shutil.which(matplotlib.rcParams["animation.ffmpeg_path"]) is None:
        raise CLIError(f"--animate {path!r}: writing .mp4 needs ffmpeg on the PATH, which "
                       "was not found; install it or write a .gif")


def _animation_bytes(plotting, path: str, x, y, tr: Training, kinks, frames) -> bytes:
    """The animation of ``tr``, one frame per epoch in ``frames``, rendered to a temporary
    file beside ``path``; its bytes."""
    fd, tmp = tempfile.mkstemp(prefix=".fastridge-animate.", dir=os.path.dirname(
        os.path.abspath(path)), suffix=os.path.splitext(path)[1].lower())
    os.close(fd)
    try:
        snapshots = {e: tr.snapshots[e] for e in frames}
        plotting.animate_relu_training(tmp, x, y, snapshots, tr.elbows,
                                       record_every=tr.record_every, loss=tr.loss,
                                       kinks=kinks)
        with open(tmp, "rb") as f:
            return f.read()
    except (OSError, RuntimeError) as exc:
        raise CLIError(f"--animate {path!r}: {exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def run(args) -> int:
    """``fastridge sgd``: check every option, train, write the files, then report."""
    hidden = check_option(args.hidden, "--hidden", low=1, integer=True)
    epochs = check_option(args.epochs, "--epochs", low=1, integer=True)
    lr = check_option(args.lr, "--lr", low=0, low_inclusive=False)
    seed = check_option(args.seed, "--seed", low=0, integer=True)
    samples = check_option(args.samples, "--samples", low=2, integer=True)
    noise = check_option(args.noise, "--noise", low=0)
    runs = check_option(args.runs, "--runs", low=1, integer=True)
    threads = (None if args.threads is None else
               check_option(args.threads, "--threads", low=1, integer=True))
    frames = check_option(args.frames, "--frames", low=2, integer=True)
    inputs = [args.function] if args.function not in FUNCTIONS else []
    plotting = plot = None
    if args.plot:
        plotting = require_matplotlib()
        plot = _plot_path(args.plot, runs, inputs)
    if args.animate:
        _check_animate(args.animate, inputs)
        plotting = require_matplotlib()
    x, y, kinks, label = function_data(args.function, samples, noise,
                                       np.random.default_rng(seed))
    where = f"{label} ({len(x)} samples, x in [{x.min():.3g}, {x.max():.3g}])"
    # one run, or run 0 of --runs for the animation: snapshots for the figure and frames
    tr = None
    if runs == 1 or args.animate:
        wanted = set(snapshot_epochs(epochs) if runs == 1 else ())
        if args.animate:
            wanted |= set(frame_epochs(epochs, frames))
        progress = Progress(epochs, enabled=not args.quiet and runs == 1)
        try:
            tr = train_relu(x, y, hidden=hidden, epochs=epochs, lr=lr, seed=seed,
                            snapshot_epochs=sorted(wanted), on_epoch=progress.update)
        except FloatingPointError as exc:
            raise CLIError(str(exc).splitlines()[0]) from None
        except (ValueError, TypeError) as exc:
            raise CLIError(f"{label}: {str(exc).splitlines()[0]}") from None
        finally:
            progress.close()
    many = None
    if runs > 1:
        try:
            many = train_relu_many(x, y, hidden=hidden, epochs=epochs, lr=lr,
                                   seeds=range(seed, seed + runs), n_threads=threads)
        except FloatingPointError as exc:
            i = exc.network
            raise CLIError(f"run {i} (seed {seed + i}) of {runs} diverged "
                           f"{str(exc).splitlines()[0].split(' diverged ', 1)[1]}") from None
        except (ValueError, TypeError) as exc:
            raise CLIError(f"{label}: {str(exc).splitlines()[0]}") from None
    # the files first: they are written whatever happens to stdout
    files = {}
    if plot is not None:
        if many is None:
            shown = {e: tr.snapshots[e] for e in [0] + snapshot_epochs(epochs)}
            fig = plotting.plot_relu_training(x, y, shown, tr.elbows,
                                              record_every=tr.record_every, kinks=kinks)
        else:
            jumps = kink_jumps(FUNCTIONS[args.function][0], kinks) if kinks else None
            fig = plotting.plot_elbow_landing(
                x, many.params, kinks=kinks, kink_jumps=jumps, initial=many.initial,
                title=f"Where the elbows of {runs} runs end up: {hidden} units, "
                      f"{epochs} epochs, lr={lr:g}, {where}")
        files[plot[0]] = figure_bytes(fig, plot[1])
    if args.animate:
        files[args.animate] = _animation_bytes(plotting, args.animate, x, y, tr, kinks,
                                               frame_epochs(epochs, frames))
    if files:
        atomic_write(files, "--plot" if plot is not None else "--animate")
    if many is None:
        _report_one(tr, x, kinks, where, hidden, epochs, lr, seed, args.quiet)
    else:
        _report_many(many, x, kinks, where, args.function, hidden, epochs, lr, seed, runs)
    for path in files:
        say(f"wrote {path}")
    return 0


def _report_one(tr: Training, x, kinks, where, hidden, epochs, lr, seed, quiet) -> None:
    say(f"trained {hidden} hidden units on {where} for {epochs} epochs, lr={lr}, "
        f"seed={seed}: {fmt_time(tr.seconds)}")
    if not quiet:
        say("mean loss ½(f(x)−y)² per epoch:")
        say(loss_lines(tr.loss))
    say(f"final loss: {tr.loss[-1]:.6g} (first epoch {tr.loss[0]:.6g})")
    say("elbows −b/W1 (units by the slope they add, largest first):")
    say(elbow_report(tr, x, kinks))


def _report_many(many: Runs, x, kinks, where, function, hidden, epochs, lr, seed,
                 runs) -> None:
    say(f"trained {runs} networks of {hidden} hidden units on {where} for {epochs} "
        f"epochs, lr={lr}, seeds {seed}..{seed + runs - 1}: {fmt_time(many.seconds)} on "
        f"{many.n_threads} thread{'s' if many.n_threads > 1 else ''}")
    last, first = many.loss[:, -1], many.loss[:, 0]
    say(f"final loss over the runs: median {np.median(last):.3g}, best {last.min():.3g}, "
        f"worst {last.max():.3g} (first epoch: median {np.median(first):.3g})")
    say("where the elbows ended ('strong': a slope change |W1|·W2 of at least 1/10 of "
        "its run's largest):")
    jumps = kink_jumps(FUNCTIONS[function][0], kinks) if kinks else []
    say(landing_report(many, x, kinks, jumps))
