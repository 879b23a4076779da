"""``fastridge demo``: ridge on the Longley data, the α → 0 limit against NIST, timings
against the NumPy reference, then the ReLU network of docs/math.md §2."""
from __future__ import annotations

import os

import numpy as np

from ..sgd import train_relu
from ._common import CLIError, fmt_time, median_time, one_blas_thread, table
from ._outputs import atomic_write, check_output_dir, figure_bytes, require_matplotlib, say
from ._sgd import FUNCTIONS, elbow_report, loss_lines, snapshot_epochs


def add_parser(sub) -> None:
    """Add ``demo`` and its options to the subparsers ``sub``."""
    p = sub.add_parser(
        "demo", help="ridge on the Longley data and a ReLU network on a 1-D function",
        description="Ridge on Longley's data: the ridge trace, the exact leave-one-out "
                    "curve and the α RidgeCV picks, the α → 0 fit against NIST's certified "
                    "coefficients, timings against the NumPy reference; then a ReLU network "
                    "trained by per-sample SGD, with its loss per epoch and how its elbows "
                    "moved.  Takes a few seconds.")
    p.add_argument("--plot", metavar="DIR",
                   help="write longley_ridge.png and relu_training.png into DIR "
                        "(created if missing; needs matplotlib)")
    p.set_defaults(func=run)


def digits(estimate, certified) -> np.ndarray:
    """Significant digits of each estimate that agree with the certified value (≤ 16).

    Examples
    --------
    >>> from fastridge.cli._demo import digits
    >>> digits([1.0001, 2.0], [1.0, 2.0])
    array([ 4., 16.])
    """
    est = np.asarray(estimate, dtype=np.float64)
    cert = np.asarray(certified, dtype=np.float64)
    rel = np.abs(est - cert) / np.abs(cert)
    with np.errstate(divide="ignore"):
        return np.clip(-np.log10(np.maximum(rel, 1e-16)), 0.0, 16.0)


def run(args) -> int:
    """``fastridge demo``: print both parts; with ``--plot``, write the two figures."""
    plotting = None
    if args.plot:
        plotting = require_matplotlib()
        check_output_dir(args.plot, "--plot")
    figures = {}
    alphas, path, cv, names = _longley()
    if plotting is not None:
        figures["longley_ridge.png"] = plotting.plot_ridge_cv(
            alphas, path, cv.loo_mse_, float(cv.alpha_), names=names)
    x, y, tr, kinks = _relu()
    if plotting is not None:
        figures["relu_training.png"] = plotting.plot_relu_training(
            x, y, tr.snapshots, tr.elbows, record_every=tr.record_every, kinks=kinks)
        files = {os.path.join(args.plot, name): figure_bytes(fig)
                 for name, fig in figures.items()}
        atomic_write(files, "--plot")
        say(f"\nwrote {', '.join(files)}")
    return 0


def _longley():
    """Part 1: ridge trace, LOO curve, NIST digits, timings; returns the trace data."""
    import fastridge as fr
    from fastridge.datasets import load_longley, load_nist

    X, y, names = load_longley()
    n, d = X.shape
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised: comparable coefficients
    yc = y - y.mean()
    alphas = np.logspace(-5, 2, 29)
    say(f"== 1. Ridge on the Longley data: {n} years x {d} regressors, target "
        "total employment ==")
    say("Regressors standardised (mean 0, std 1) so that their coefficients compare; "
        "the intercept is the mean of y.\n")
    path = fr.ridge_path(Xs, yc, alphas)  # path.shape = (n_alphas, d)
    cv = fr.RidgeCV(alphas=alphas).fit(Xs, y)
    chosen = float(cv.alpha_)
    say("Ridge trace (coefficients vs α; the chosen α is marked *):")
    rows = [("α",) + tuple(n_[:10] for n_ in names) + ("LOO MSE",)]
    show = sorted(set(range(0, len(alphas), 4)) | {len(alphas) - 1,
                                                   int(np.argmin(np.abs(alphas - chosen)))})
    for i in show:
        mark = "*" if alphas[i] == chosen else " "
        rows.append((f"{alphas[i]:.1e}{mark}",) + tuple(f"{c:+.0f}" for c in path[i])
                    + (f"{cv.loo_mse_[i]:.4g}",))
    say(table(rows))
    i_best = int(np.argmin(cv.loo_mse_))
    say(f"\nRidgeCV (exact leave-one-out over {len(alphas)} α in "
        f"[{alphas[0]:.0e}, {alphas[-1]:.0e}], one decomposition) picks α = {chosen:.3g}: "
        f"LOO MSE {cv.loo_mse_[i_best]:.4g} vs {cv.loo_mse_[0]:.4g} at α = "
        f"{alphas[0]:.0e} ({cv.loo_mse_[0] / cv.loo_mse_[i_best]:.2f}x worse) and "
        f"{cv.loo_mse_[-1]:.4g} at α = {alphas[-1]:.0e}.")

    # ---- the α → 0 limit against NIST ------------------------------------------------
    Xn, yn, certified = load_nist("Longley")
    coef0 = fr.lstsq(Xn, yn)
    dig = digits(coef0, certified)
    dig_np = digits(np.linalg.lstsq(Xn, yn, rcond=None)[0], certified)
    say("\nα → 0: fastridge.lstsq on the raw design [1, X] (condition number "
        f"{np.linalg.cond(Xn):.1e}) against NIST's certified coefficients:")
    rows = [("coefficient", "NIST certified", "fastridge.lstsq", "digits", "numpy digits")]
    for j, label in enumerate(["intercept"] + names):
        rows.append((label, f"{certified[j]:.15g}", f"{coef0[j]:.15g}", f"{dig[j]:.1f}",
                     f"{dig_np[j]:.1f}"))
    say(table(rows))
    Xf, yf, cf = load_nist("Filippelli")
    say(f"fastridge.lstsq matches NIST to {dig.min():.1f} significant digits (worst "
        f"coefficient; numpy.linalg.lstsq: {dig_np.min():.1f} digits).  On Filippelli "
        f"(degree-10 polynomial): {digits(fr.lstsq(Xf, yf), cf).min():.1f} digits vs "
        f"numpy {digits(np.linalg.lstsq(Xf, yf, rcond=None)[0], cf).min():.1f}.")
    _timings(Xs, yc, y, chosen, alphas, Xn, yn)
    return alphas, path, cv, names


def _timings(Xs, yc, y, chosen, alphas, Xn, yn) -> None:
    """fastridge against the NumPy reference, BLAS pinned to one thread when possible."""
    import fastridge as fr
    from fastridge import reference

    with one_blas_thread() as pinned:
        rng = np.random.default_rng(0)
        Xb, yb = rng.standard_normal((2000, 100)), rng.standard_normal(2000)
        cases = [
            ("ridge, Longley 16x6", lambda: fr.ridge(Xs, yc, chosen),
             "reference.ridge_normal_equations",
             lambda: reference.ridge_normal_equations(Xs, yc, chosen)),
            ("ridge, random 2000x100", lambda: fr.ridge(Xb, yb, 1.0),
             "reference.ridge_normal_equations",
             lambda: reference.ridge_normal_equations(Xb, yb, 1.0)),
            (f"ridge_path, {len(alphas)} α, 2000x100", lambda: fr.ridge_path(Xb, yb, alphas),
             f"reference.ridge_svd x {len(alphas)}",
             lambda: [reference.ridge_svd(Xb, yb, a) for a in alphas]),
            (f"RidgeCV LOO curve, Longley, {len(alphas)} α",
             lambda: fr.RidgeCV(alphas=alphas).fit(Xs, y),
             f"reference.loo_squared_errors x {len(alphas)}",
             lambda: [reference.loo_squared_errors(Xs, y, a, fit_intercept=True)
                      for a in alphas]),
            ("lstsq, Longley", lambda: fr.lstsq(Xn, yn),
             "reference.lstsq_min_norm", lambda: reference.lstsq_min_norm(Xn, yn)),
        ]
        rows = [("task", "fastridge", "NumPy reference", "", "ratio")]
        for label, fast, ref_name, ref in cases:
            tf, tr = median_time(fast, budget=0.03), median_time(ref, budget=0.03)
            rows.append((label, fmt_time(tf), ref_name, fmt_time(tr), f"{tr / tf:.2f}x"))
    say(f"\nTime per call (median; BLAS {'pinned to 1 thread' if pinned else 'threads unpinned'};"
        " ratio > 1: fastridge is faster):")
    say(table(rows, "lrlrr"))
    say("(lstsq trades speed for digits: QR plus iterative refinement in extended "
        "precision.)")


def _relu():
    """Part 2: the ReLU network on relu-mix; returns (x, y, training, kinks)."""
    fname, hidden, epochs, lr = "relu-mix", 12, 40, 0.03
    f, (lo, hi), kinks = FUNCTIONS[fname]
    x = np.linspace(lo, hi, 200)
    y = f(x)
    say(f"\n== 2. A ReLU network, {hidden} hidden units, trained by per-sample SGD on "
        f"{fname} (kinks at {', '.join(f'{k:+g}' for k in kinks)}) ==")
    try:
        tr = train_relu(x, y, hidden=hidden, epochs=epochs, lr=lr, seed=0,
                        snapshot_epochs=snapshot_epochs(epochs))
    except FloatingPointError as exc:  # not expected with these settings
        raise CLIError(str(exc).splitlines()[0]) from None
    say(f"{len(x)} samples on [{lo:g}, {hi:g}], lr={lr}, shuffled, {epochs} epochs in "
        f"{fmt_time(tr.seconds)}.  Mean loss ½(f(x)−y)² per epoch:")
    say(loss_lines(tr.loss))
    say(f"Loss {tr.loss[0]:.3e} → {tr.loss[-1]:.3e}.  Where the elbows −b/W1 moved "
        "(6 units with the largest slope change):")
    say(elbow_report(tr, x, kinks, limit=6))
    return x, y, tr, kinks
