"""``fastridge sgd``: train the ReLU network of SPEC §2 on a 1-D function, report its elbows.

The training itself is :func:`fastridge.sgd.train_relu`; this module chooses the data,
checks the options and formats the report (also used by ``fastridge demo``).
"""
from __future__ import annotations

import math
import os
from typing import Optional

import numpy as np

from ..sgd import Training, train_relu
from ._common import CLIError, Progress, check_option, fmt_time, table
from ._inputs import load_xy
from ._outputs import (atomic_write, check_output_file, figure_bytes, require_matplotlib,
                       say)

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


def snapshot_epochs(epochs: int) -> list:
    """Epochs after which the figure shows the fit: 1, about a tenth, a third, the end."""
    return sorted({1, max(1, epochs // 10), max(1, epochs // 3), epochs})


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
                    "each epoch) and report the loss and where the elbows −b/W1 moved.")
    p.add_argument("--function", default="relu-mix", metavar="NAME|FILE",
                   help=f"one of {', '.join(FUNCTIONS)} (default relu-mix), or a .csv "
                        "(header row) / .npy file with two columns x, y")
    p.add_argument("--hidden", type=int, default=32, help="hidden units (default 32)")
    p.add_argument("--epochs", type=int, default=50, help="passes over the data (default 50)")
    p.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed (>= 0) of initialisation and shuffling (default 0)")
    p.add_argument("--samples", type=int, default=200,
                   help="grid points for a built-in function (default 200)")
    p.add_argument("--noise", type=float, default=0.0,
                   help="std of Gaussian noise added to a built-in function (default 0)")
    p.add_argument("--plot", metavar="FILE",
                   help="write the fit at several epochs and the elbows over training to "
                        "FILE (.png, .pdf or .svg; needs matplotlib)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar and no per-epoch losses")
    p.set_defaults(func=run)


def run(args) -> int:
    """``fastridge sgd``: check every option, train, write the plot, then report."""
    hidden = check_option(args.hidden, "--hidden", low=1, integer=True)
    epochs = check_option(args.epochs, "--epochs", low=1, integer=True)
    lr = check_option(args.lr, "--lr", low=0, low_inclusive=False)
    seed = check_option(args.seed, "--seed", low=0, integer=True)
    samples = check_option(args.samples, "--samples", low=2, integer=True)
    noise = check_option(args.noise, "--noise", low=0)
    plotting = None
    if args.plot:
        plotting = require_matplotlib()
        inputs = [args.function] if args.function not in FUNCTIONS else []
        fmt = check_output_file(args.plot, (".png", ".pdf", ".svg"), "--plot", inputs)[1:]
    x, y, kinks, label = function_data(args.function, samples, noise,
                                       np.random.default_rng(seed))
    progress = Progress(epochs, enabled=not args.quiet)
    try:
        tr = train_relu(x, y, hidden=hidden, epochs=epochs, lr=lr, seed=seed,
                        snapshot_epochs=snapshot_epochs(epochs), on_epoch=progress.update)
    except FloatingPointError as exc:
        raise CLIError(str(exc).splitlines()[0]) from None
    except (ValueError, TypeError) as exc:
        raise CLIError(f"{label}: {str(exc).splitlines()[0]}") from None
    finally:
        progress.close()
    if plotting is not None:  # the file first: it is written whatever happens to stdout
        fig = plotting.plot_relu_training(x, y, tr.snapshots, tr.elbows,
                                          record_every=tr.record_every, kinks=kinks)
        atomic_write({args.plot: figure_bytes(fig, fmt)}, "--plot")
    say(f"trained {hidden} hidden units on {label} ({len(x)} samples, x in "
        f"[{x.min():.3g}, {x.max():.3g}]) for {epochs} epochs, lr={lr}, "
        f"seed={seed}: {fmt_time(tr.seconds)}")
    if not args.quiet:
        say("mean loss ½(f(x)−y)² per epoch:")
        say(loss_lines(tr.loss))
    say(f"final loss: {tr.loss[-1]:.6g} (first epoch {tr.loss[0]:.6g})")
    say("elbows −b/W1 (units by the slope they add, largest first):")
    say(elbow_report(tr, x, kinks))
    if plotting is not None:
        say(f"wrote {args.plot}")
    return 0
