"""``fastridge bench``: a quick timing of fastridge against NumPy, SciPy and scikit-learn.

Data are built before the timers start, BLAS is pinned to one thread (threadpoolctl,
when installed), and every peer's result is checked against fastridge's.  The peers
that need a JIT compiler (hand-written loops) and the full benchmark suite live in the
repository's ``benchmarks/`` directory (``python -m pytest benchmarks/
--benchmark-only``), not in the installed package.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._common import fmt_time, median_time, one_blas_thread, table
from ._outputs import say


def add_parser(sub) -> None:
    """Add ``bench`` and its options to the subparsers ``sub``."""
    p = sub.add_parser(
        "bench", help="time fastridge against NumPy, SciPy and scikit-learn",
        description="Time fastridge against the NumPy reference, SciPy and, where "
                    "installed, scikit-learn, with BLAS pinned to one thread "
                    "(threadpoolctl), and print peer/fastridge time ratios.  Every timed "
                    "result is checked.  Comparisons with JIT-compiled loops are in the "
                    "repository's benchmarks/ directory.")
    p.add_argument("--quick", action="store_true", help="small sizes; a few seconds")
    p.set_defaults(func=run)


@dataclass
class Peer:
    """A computation to time against fastridge, and how to check its result."""

    name: str
    run: Callable[[], object]
    agrees: Callable[[object], bool]  # does its result match fastridge's?
    scale: float = 1.0  # multiply the measured time (peer timed on a fraction of the work)


def close_to(expected, rtol):
    """A check that a result equals ``expected`` to ``rtol`` (relative to its max)."""
    expected = np.asarray(expected, dtype=float)
    atol = rtol * (float(np.max(np.abs(expected))) or 1.0)
    return lambda got: bool(np.allclose(np.asarray(got, dtype=float), expected, rtol=rtol,
                                        atol=atol))


def _scipy_ridge(X, y, alpha):
    """``(XᵀX + αI) w = Xᵀy`` by SciPy's Cholesky solve: what a SciPy user would write."""
    from scipy import linalg

    G = X.T @ X  # G = XᵀX
    G.flat[::G.shape[0] + 1] += alpha
    return linalg.solve(G, X.T @ y, assume_a="pos")


def cases(quick: bool):
    """``[(case, fastridge callable, [Peer])]``; data built here, outside the timers."""
    import fastridge as fr
    from fastridge import reference
    from fastridge.sgd import init_network

    try:
        from sklearn import linear_model
    except ImportError:
        linear_model = None
    rng = np.random.default_rng(0)
    out = []

    sizes = [(100, 10), (2000, 100)] if quick else [(100, 10), (5000, 200), (20000, 500)]
    for n, d in sizes:
        X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
        ok = close_to(fr.ridge(X, y, 1.0), 1e-8)
        peers = [Peer("numpy reference.ridge_normal_equations",
                      lambda X=X, y=y: reference.ridge_normal_equations(X, y, 1.0), ok),
                 Peer("scipy.linalg.solve(XᵀX + αI, assume_a='pos')",
                      lambda X=X, y=y: _scipy_ridge(X, y, 1.0), ok)]
        if linear_model is not None:
            m = linear_model.Ridge(alpha=1.0, fit_intercept=False, solver="cholesky")
            peers.append(Peer("scikit-learn Ridge(solver='cholesky')",
                              lambda m=m, X=X, y=y: m.fit(X, y).coef_, ok))
        out.append((f"ridge {n}x{d}", lambda X=X, y=y: fr.ridge(X, y, 1.0), peers))

    n, d, n_alphas = (500, 50, 20) if quick else (5000, 200, 50)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    alphas = np.logspace(-3, 3, n_alphas)
    ok = close_to(fr.ridge_path(X, y, alphas), 1e-7)
    peers = [Peer(f"numpy reference.ridge_svd x {n_alphas}",
                  lambda: np.array([reference.ridge_svd(X, y, a) for a in alphas]), ok)]
    out.append((f"ridge_path {n}x{d}, {n_alphas} α", lambda: fr.ridge_path(X, y, alphas), peers))
    if linear_model is not None:
        ok = close_to(fr.RidgeCV(alphas=alphas).fit(X, y).coef_, 1e-6)
        sk = linear_model.RidgeCV(alphas=alphas)
        out.append((f"RidgeCV {n}x{d}, {n_alphas} α",
                    lambda: fr.RidgeCV(alphas=alphas).fit(X, y),
                    [Peer("scikit-learn RidgeCV (GCV mode)", lambda: sk.fit(X, y).coef_, ok)]))

    n, hidden, epochs = (500, 32, 4) if quick else (2000, 32, 10)
    x = np.linspace(-2, 2, n)
    yv = np.abs(x)
    W1, b, W2 = init_network(x, yv, hidden, np.random.default_rng(1))
    one = fr.relu_sgd(x, yv, W1, b, W2, lr=0.01, epochs=1)
    # The NumPy reference is a Python loop (~1000x slower): time one epoch, scale by epochs.
    peers = [Peer(f"numpy reference.relu_sgd (1 epoch, x{epochs})",
                  lambda: reference.relu_sgd(x, yv, W1, b, W2, lr=0.01, epochs=1),
                  lambda res: close_to(one.W2, 1e-9)(res.W2), scale=float(epochs))]
    out.append((f"relu_sgd n={n} d={hidden}, {epochs} epochs",
                lambda: fr.relu_sgd(x, yv, W1, b, W2, lr=0.01, epochs=epochs), peers))
    return out


def run(args) -> int:
    """``fastridge bench``: print the table of peer/fastridge time ratios."""
    import fastridge as fr

    budget = 0.05 if args.quick else 0.3
    rows = [("case", "fastridge", "peer", "peer time", "peer / fastridge")]
    t_start = time.perf_counter()
    with one_blas_thread() as pinned:
        for label, fast, peers in cases(args.quick):
            tf = median_time(fast, budget=budget)
            for j, peer in enumerate(peers):
                agrees = peer.agrees(peer.run())
                tp = median_time(peer.run, budget=budget) * peer.scale
                rows.append((label if j == 0 else "", fmt_time(tf) if j == 0 else "",
                             peer.name, fmt_time(tp),
                             f"{tp / tf:.2f}" + ("" if agrees else "  (RESULTS DIFFER)")))
    blas = ("pinned to 1 thread (threadpoolctl)" if pinned
            else "threads NOT pinned (install threadpoolctl)")
    say(f"fastridge {fr.__version__} benchmark ({'quick' if args.quick else 'full'}); "
        f"BLAS {blas}; median time per call; ratio > 1: fastridge is faster.")
    say(table(rows, "lrlrr"))
    try:
        import sklearn  # noqa: F401
    except ImportError:
        say("not installed, skipped: scikit-learn (pip install 'fastridge[bench]')")
    say("JIT-compiled loop peers and the full suite: python -m pytest benchmarks/ "
        "--benchmark-only (in a source checkout)")
    say(f"total {time.perf_counter() - t_start:.1f} s")
    return 0
