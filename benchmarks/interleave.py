"""Interleaved timings of the RidgeCV / ridge_path cases: drift-proof ratios.

On a shared machine the speed of a core drifts between benchmarks; pytest-benchmark
times one benchmark after the other, so a ratio of two medians can carry that drift.
This script runs the members of a case in turn, round after round (fastridge, peer,
floor, fastridge, peer, floor, ...), so every ratio compares neighbours in time:

    python benchmarks/interleave.py                  # every case, BLAS on 1 thread
    python benchmarks/interleave.py --threads default
    python benchmarks/interleave.py --threads compare   # fastridge at 1 vs default threads
    python benchmarks/interleave.py --cases loo_tall path --rounds 9

Prints, per case, the median of every member and the ratios ``peer / fastridge`` and
``fastridge / floor`` (or, with ``--threads compare``, ``default / 1 thread``).  The data
and the checked results are those of ``bench_path.py`` and ``bench_crossval.py``.
"""
import argparse
import os
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(__file__))
import bench_crossval as bc  # noqa: E402
import bench_path as bp  # noqa: E402

import fastridge as fr  # noqa: E402


def _cases():
    """name → (rounds, {member: callable}); 'fastridge' is the subject, 'floor' the floor."""
    from sklearn import linear_model as lm
    from sklearn import model_selection as ms
    cases = {}

    X, y = bp._data(5_000, 300, seed=2)
    cases["loo_tall"] = (9, {
        "fastridge": lambda: fr.RidgeCV(bp.ALPHAS_20).fit(X, y),
        "sklearn RidgeCV": lambda: lm.RidgeCV(alphas=bp.ALPHAS_20).fit(X, y),
        "floor": lambda: bp._tall_floor(X, bp.ALPHAS_20),
    })
    Xp, yp = bp._data(5_000, 300, seed=1)
    cases["path"] = (9, {
        "fastridge": lambda: fr.ridge_path(Xp, yp, bp.ALPHAS_50),
        "50 ridge calls": lambda: bp._ridge_loop(Xp, yp, bp.ALPHAS_50),
    })
    Xw, Yw = bp._data(2_000, 5_000, k=100, seed=3)
    cases["loo_wide"] = (3, {
        "fastridge": lambda: fr.RidgeCV(bp.ALPHAS_20, alpha_per_target=True).fit(Xw, Yw),
        "sklearn RidgeCV": lambda: lm.RidgeCV(alphas=bp.ALPHAS_20,
                                              alpha_per_target=True).fit(Xw, Yw),
        "floor": lambda: bp._wide_floor(Xw, Yw, bp.ALPHAS_20),
    })
    Xe, Ye = bc.make_encoding()
    cases["kfold_per_target"] = (3, {
        "fastridge": lambda: bc._fastridge_kfold(Xe, Ye, True),
        "himalaya RidgeCV": lambda: _himalaya(Xe, Ye),
        "floor": lambda: bc._kfold_floor(Xe, Ye, bc.ALPHAS),
        "floor expanded": lambda: bc._kfold_floor(Xe, Ye, bc.ALPHAS, "expanded"),
    })
    cases["kfold_one_alpha"] = (3, {
        "fastridge": lambda: bc._fastridge_kfold(Xe, Ye, False),
        "sklearn GridSearchCV": lambda: ms.GridSearchCV(
            lm.Ridge(), {"alpha": bc.ALPHAS}, cv=ms.KFold(bc.FOLDS),
            scoring="neg_mean_squared_error").fit(Xe, Ye),
        "floor": lambda: bc._kfold_floor(Xe, Ye, bc.ALPHAS, "one_alpha"),
    })
    M = None

    def loo_floor():
        nonlocal M
        if M is None:
            M = bc.make_loo_factor(Xe, Ye)
        return bc._loo_floor(Xe, M)

    loo_floor()  # build the right factor before any timing
    cases["loo_per_target"] = (3, {
        "fastridge": lambda: bc._fastridge_loo(Xe, Ye),
        "sklearn RidgeCV": lambda: lm.RidgeCV(alphas=bc.ALPHAS,
                                              alpha_per_target=True).fit(Xe, Ye),
        "floor": loo_floor,
    })
    return cases


def _himalaya(X, Y):
    from himalaya.backend import set_backend
    from himalaya.ridge import RidgeCV
    set_backend("numpy", on_error="raise")
    return RidgeCV(alphas=bc.ALPHAS, cv=bc.FOLDS, fit_intercept=True).fit(X, Y)


def _time(fn, limit):
    with threadpool_limits(limits=limit, user_api="blas"):
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0


def run(name, rounds, members, threads):
    if threads == "compare":  # fastridge alone, 1 thread and default alternating
        members = {"fastridge 1 thread": (members["fastridge"], 1),
                   "fastridge default threads": (members["fastridge"], None)}
    else:
        limit = 1 if threads == "1" else None
        members = {k: (fn, limit) for k, fn in members.items()}
    times = {k: [] for k in members}
    for _ in range(rounds):
        for k, (fn, limit) in members.items():
            times[k].append(_time(fn, limit))
    med = {k: float(np.median(v)) for k, v in times.items()}
    print(f"\n{name} (threads={threads}, {rounds} interleaved rounds, load "
          f"{os.getloadavg()[0]:.1f})")
    for k, v in med.items():
        print(f"  {k:28s} median {v * 1e3:10.1f} ms   (min {min(times[k]) * 1e3:.1f})")
    if threads == "compare":
        a, b = med["fastridge default threads"], med["fastridge 1 thread"]
        print(f"  default / 1 thread = {a / b:.2f}")
        return
    base = med["fastridge"]
    for k, v in med.items():
        if k.startswith("floor"):
            print(f"  fastridge / {k} = {base / v:.2f}")
        elif k != "fastridge":
            print(f"  {k} / fastridge = {v / base:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", choices=("1", "default", "compare"), default="1")
    parser.add_argument("--cases", nargs="*", default=None)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    cases = _cases()
    for name in args.cases or list(cases):
        rounds, members = cases[name]
        run(name, args.rounds or rounds, members, args.threads)


if __name__ == "__main__":
    main()
