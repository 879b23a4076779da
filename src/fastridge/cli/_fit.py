"""``fastridge fit``: :class:`fastridge.RidgeCV` (exact leave-one-out over α) on a data file."""
from __future__ import annotations

import csv
import io
import json
import time

import numpy as np

from .._solvers import SOLVERS
from ._common import CLIError, fmt_time, table
from ._inputs import MAX_ALPHAS, load_table, parse_alphas, split_columns
from ._outputs import atomic_write, check_output_file, say

#: α grid when ``--alphas`` is not given.
DEFAULT_ALPHAS = "logspace:-3:3:13"


def add_parser(sub) -> None:
    """Add ``fit`` and its options to the subparsers ``sub``."""
    p = sub.add_parser(
        "fit", help="RidgeCV on a CSV / .npy / .npz file",
        description="Fit fastridge.RidgeCV (exact leave-one-out over a grid of α) and print "
                    "the chosen α, the leave-one-out error, the coefficients and timings.",
        epilog="DATA formats: CSV with a header row (columns by name or 0-based index); "
               ".npy, a 2-D array (columns by index, e.g. --target -1); .npz with arrays X "
               "(n, d) and y (n,) or (n, k), optional string arrays feature_names and "
               "target_names (--target then optional, selecting columns of y; --features "
               "and --drop select columns of X).  --alphas takes numbers, comma lists or "
               f"logspace:START:STOP:NUM (powers of ten), at most {MAX_ALPHAS} in all; default "
               f"{DEFAULT_ALPHAS}.  Exit status 2 on bad input; nothing is written then.")
    p.add_argument("data", metavar="DATA", help="data file: .csv, .npy or .npz")
    p.add_argument("--target", action="append", metavar="COL",
                   help="target column (repeat for several targets: multi-target ridge)")
    cols = p.add_mutually_exclusive_group()
    cols.add_argument("--features", metavar="COLS",
                      help="comma-separated feature columns, by name or 0-based index "
                           "(default: every column that is not a target)")
    cols.add_argument("--drop", metavar="COLS",
                      help="comma-separated columns to leave out of the features "
                           "(e.g. an ID or text column)")
    p.add_argument("--alphas", nargs="+", metavar="A",
                   help=f"penalties to try (default {DEFAULT_ALPHAS})")
    p.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    p.add_argument("--alpha-per-target", action="store_true",
                   help="choose α separately for each target")
    p.add_argument("--solver", choices=list(SOLVERS),
                   help="refit at the chosen α with fastridge.Ridge and this solver "
                        "(default: RidgeCV's own coefficients)")
    p.add_argument("--out", metavar="FILE",
                   help="write the coefficients to FILE: .json or .csv (by extension); "
                        "never the data file itself")
    p.set_defaults(func=run)


def run(args) -> int:
    """``fastridge fit``: check, load, fit, write ``--out``, then report."""
    import fastridge as fr

    alphas = parse_alphas(args.alphas if args.alphas else [DEFAULT_ALPHAS])
    out_ext = (check_output_file(args.out, (".json", ".csv"), "--out", inputs=[args.data])
               if args.out else None)
    t0 = time.perf_counter()
    tab = load_table(args.data, args.target, split_columns(args.features),
                     split_columns(args.drop))
    t_load = time.perf_counter() - t0
    X, Y = tab.X, tab.Y
    y = Y[:, 0] if Y.shape[1] == 1 else Y
    n, d = X.shape
    k = Y.shape[1]
    try:
        t0 = time.perf_counter()
        cv = fr.RidgeCV(alphas=alphas, fit_intercept=not args.no_intercept,
                        alpha_per_target=args.alpha_per_target).fit(X, y)
        t_fit = time.perf_counter() - t0
        coef = np.asarray(cv.coef_).reshape(k, d)
        intercept = np.broadcast_to(np.asarray(cv.intercept_, dtype=float), (k,))
        solver = "RidgeCV: one decomposition for all α"
        t_refit = None
        if args.solver is not None:
            t0 = time.perf_counter()
            model = fr.Ridge(alpha=cv.alpha_, fit_intercept=not args.no_intercept,
                             solver=args.solver).fit(X, y)
            t_refit = time.perf_counter() - t0
            coef = np.asarray(model.coef_).reshape(k, d)
            intercept = np.broadcast_to(np.asarray(model.intercept_, dtype=float), (k,))
            solver = (f"refit at the chosen α by Ridge(solver={args.solver!r}); "
                      f"ran {model.solver_!r}")
    except (ValueError, TypeError, np.linalg.LinAlgError) as exc:
        raise CLIError(f"{args.data}: {str(exc).splitlines()[0]}") from None
    alpha = np.asarray(cv.alpha_, dtype=float)
    mse = np.asarray(cv.loo_mse_, dtype=float)

    if args.out:  # the file first: it is written whatever happens to stdout
        data = (_json_bytes(args, tab, alphas, cv, coef, intercept) if out_ext == ".json"
                else _csv_bytes(tab, coef, intercept, not args.no_intercept))
        atomic_write({args.out: data}, "--out")

    say(f"data: {args.data}: {n} samples, {d} features, {k} target{'s' * (k > 1)} "
        f"({', '.join(tab.targets)})")
    say(f"alphas: {len(alphas)} value{'s' * (len(alphas) > 1)} in "
        f"[{alphas.min():.3g}, {alphas.max():.3g}]; "
        f"intercept: {'no' if args.no_intercept else 'yes'}")
    if alpha.ndim == 0:
        say(f"chosen α = {float(alpha):.6g}   leave-one-out MSE = {float(-cv.best_score_):.6g}")
        edge = alphas.size > 1 and alpha in (alphas.min(), alphas.max())
    else:
        for name, a, s in zip(tab.targets, alpha, np.atleast_1d(cv.best_score_)):
            say(f"chosen α[{name}] = {a:.6g}   leave-one-out MSE = {-s:.6g}")
        edge = alphas.size > 1 and bool(np.isin(alpha, [alphas.min(), alphas.max()]).any())
    if edge:
        say("note: the chosen α is at the edge of the grid; widen --alphas")
    if len(alphas) <= 30:
        say("\nleave-one-out MSE per α:")
        rows = [("α",) + (tuple(tab.targets) if mse.ndim == 2 else ("LOO MSE",))]
        for i, a in enumerate(alphas):
            vals = mse[i] if mse.ndim == 2 else [mse[i]]
            chosen = np.any(alpha == a)
            rows.append((f"{a:.4g}{' *' if chosen else '  '}",) + tuple(f"{v:.6g}" for v in vals))
        say(table(rows))
    say(f"\ncoefficients ({solver}):")
    rows = [("feature",) + tuple(tab.targets)]
    if not args.no_intercept:
        rows.append(("(intercept)",) + tuple(f"{v:.8g}" for v in intercept))
    for j, name in enumerate(tab.features):
        rows.append((name,) + tuple(f"{coef[t, j]:.8g}" for t in range(k)))
    say(table(rows))
    timing = f"\ntimings: load {fmt_time(t_load)}, RidgeCV fit {fmt_time(t_fit)}"
    if t_refit is not None:
        timing += f", refit {fmt_time(t_refit)}"
    say(timing)
    if args.out:
        say(f"wrote {args.out}")
    return 0


def _json_bytes(args, tab, alphas, cv, coef, intercept) -> bytes:
    """Everything the report shows, with coefficients by target and feature name."""
    payload = {
        "data": args.data,
        "features": tab.features,
        "targets": tab.targets,
        "fit_intercept": not args.no_intercept,
        "alphas": alphas.tolist(),
        "alpha": np.asarray(cv.alpha_, dtype=float).tolist(),
        "loo_mse": np.asarray(cv.loo_mse_, dtype=float).tolist(),
        "best_score": np.asarray(cv.best_score_, dtype=float).tolist(),
        "solver": args.solver or "RidgeCV",
        "intercept": {t: float(intercept[i]) for i, t in enumerate(tab.targets)},
        "coef": {t: {f: float(coef[i, j]) for j, f in enumerate(tab.features)}
                 for i, t in enumerate(tab.targets)},
    }
    return (json.dumps(payload, indent=2) + "\n").encode()


def _csv_bytes(tab, coef, intercept, with_intercept: bool) -> bytes:
    """One row per feature (and the intercept), one column per target; exact reprs."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["feature"] + tab.targets)
    if with_intercept:
        w.writerow(["(intercept)"] + [repr(float(v)) for v in intercept])
    for j, name in enumerate(tab.features):
        w.writerow([name] + [repr(float(coef[t, j])) for t in range(coef.shape[0])])
    return buf.getvalue().encode()
