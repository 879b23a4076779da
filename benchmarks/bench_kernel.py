"""Kernel and banded ridge benchmarks (issue: the fifth view of ridge).

    python -m pytest benchmarks/bench_kernel.py --benchmark-only [--blas-threads default]
    python benchmarks/bench_kernel.py [--threads 1|default|compare] [--cases ...]

Under pytest every case runs at the BLAS threads conftest's ``--blas-threads`` sets
(1 by default), peers in the same run.  The big peers take a minute or more each, so
those groups run each member once (``benchmark.pedantic(rounds=1)``); every benchmark
asserts on the result it timed.  Run as a script, the members of each case run in turn,
round after round (``interleave.run``), so that the ratios compare neighbours in time.

- ``kfold``: ``KernelRidgeCV`` rbf, n = 3 000, d = 50, 20 α, ``cv=5``, 1 target, against
  scikit-learn's ``GridSearchCV(KernelRidge)`` on the same folds (same α) and himalaya's
  ``KernelRidgeCV`` (numpy backend).
- ``loo``: ``KernelRidgeCV`` leave-one-out on the same data, against its floor: the
  kernel and one ``eigh`` of it.
- ``banded``: ``BandedRidgeCV``, 2 bands of 500 features, n = 1 000, 1 000 targets, 20
  candidates, 10 α, ``cv=5``, against himalaya's ``BandedRidgeCV`` with the same
  candidates (the same choices per target).
- ``fit``: ``KernelRidge().fit`` rbf, n = 5 000, d = 50, against scikit-learn's and
  against the floor: the kernel's upper triangle and ?potrf/?potrs in place.
"""
import argparse
import os
import sys

import numpy as np
import pytest
import scipy.linalg as sla
from scipy.linalg import lapack

import fastridge as fr
from fastridge import _banded

ALPHAS = np.logspace(-3, 3, 20)


# ----------------------------------------------------------------------------- the data

def make_krr():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 50))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] + 0.3 * rng.standard_normal(3000)
    return X, y


def make_banded():
    rng = np.random.default_rng(1)
    n, d, k = 1000, 1000, 1000
    X = rng.standard_normal((n, d))
    W = np.vstack([0.1 * rng.standard_normal((500, k)), 0.02 * rng.standard_normal((500, k))])
    Y = X @ W + rng.standard_normal((n, k))
    deltas = _banded.dirichlet_candidates(20, 2, np.array([0.1, 1.0]),
                                          np.random.default_rng(2))
    return X, Y, np.repeat([0, 1], 500), np.logspace(-1, 4, 10), deltas


def make_big():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5000, 50))
    return X, np.sin(X[:, 0]) + 0.3 * rng.standard_normal(5000)


# ------------------------------------------------------------------- the timed callables

def fastridge_kfold(X, y):
    return fr.KernelRidgeCV(ALPHAS, kernel="rbf", cv=5).fit(X, y)


def sklearn_kfold(X, y):
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import GridSearchCV, KFold
    return GridSearchCV(KernelRidge(kernel="rbf"), {"alpha": ALPHAS}, cv=KFold(5),
                        scoring="neg_mean_squared_error").fit(X, y)


def himalaya_kfold(X, y):
    from himalaya.backend import set_backend
    from himalaya.kernel_ridge import KernelRidgeCV
    from sklearn.model_selection import KFold
    set_backend("numpy", on_error="raise")
    return KernelRidgeCV(alphas=ALPHAS, kernel="rbf", cv=KFold(5)).fit(X, y)


def fastridge_loo(X, y):
    return fr.KernelRidgeCV(ALPHAS, kernel="rbf").fit(X, y)


def kernel_and_eigh(X):
    """The leave-one-out floor: the rbf kernel's upper triangle and one ``eigh``."""
    K = fr.kernels.resolve("rbf").matrix(X, full=False)
    return sla.eigh(K, lower=False, driver="evd", overwrite_a=True, check_finite=False)


def fastridge_banded(X, Y, groups, alphas, deltas):
    return fr.BandedRidgeCV(groups, alphas, deltas=deltas, cv=5).fit(X, Y)


def himalaya_banded(X, Y, groups, alphas, deltas):
    from himalaya.backend import set_backend
    from himalaya.ridge import BandedRidgeCV
    set_backend("numpy", on_error="raise")
    return BandedRidgeCV(groups=groups, cv=5, fit_intercept=True, solver_params=dict(
        n_iter=deltas, alphas=alphas, progress_bar=False)).fit(X, Y)


def himalaya_choices(model):
    """(δ of band 0, α) per target from himalaya's ``deltas_ = log(δ_b/α)``."""
    gamma = np.exp(model.deltas_)
    alpha = 1.0 / gamma.sum(axis=0)
    return gamma[0] * alpha, alpha


def fit_floor(X, y):
    """``KernelRidge().fit``'s floor: the kernel and ?potrf/?potrs in place."""
    K = fr.kernels.resolve("rbf").matrix(X, full=False)
    K.ravel(order="F")[:: K.shape[0] + 1] += 1.0
    c, info = lapack.dpotrf(K, lower=0, clean=0, overwrite_a=1)
    return lapack.dpotrs(c, y, lower=0)[0]


def sklearn_fit(X, y):
    from sklearn.kernel_ridge import KernelRidge
    return KernelRidge(kernel="rbf").fit(X, y)


def check_fit(dual, X, y):
    """Optimality ``(K + I) a = y`` on 50 rows, K recomputed independently."""
    rows = slice(0, 50)
    Kr = np.exp(-((X[rows, None, :] - X[None, :, :]) ** 2).sum(axis=2) / X.shape[1])
    np.testing.assert_allclose(Kr @ dual + dual[rows], y[rows], rtol=1e-8, atol=1e-8)


# ------------------------------------------------------------------------ pytest-benchmark

def _once(benchmark, func, *args):
    return benchmark.pedantic(func, args=args, rounds=1, iterations=1, warmup_rounds=0)


@pytest.fixture(scope="module")
def krr():
    return make_krr()


@pytest.fixture(scope="module")
def krr_alpha(krr):
    """fastridge's choice, computed once outside the timings; the peers must agree."""
    return fastridge_kfold(*krr).alpha_


KFOLD = "KernelRidgeCV rbf n=3000 d=50 20 alphas cv=5"
LOO = "KernelRidgeCV rbf n=3000 d=50 20 alphas leave-one-out vs floor"


def test_kfold_fastridge(benchmark, krr, krr_alpha):
    benchmark.group = KFOLD
    model = _once(benchmark, fastridge_kfold, *krr)
    assert model.cv_route_ == "heldout" and model.alpha_ == krr_alpha


def test_kfold_sklearn_gridsearch(benchmark, krr, krr_alpha):
    pytest.importorskip("sklearn")
    benchmark.group = KFOLD
    gs = _once(benchmark, sklearn_kfold, *krr)
    assert gs.best_params_["alpha"] == krr_alpha  # the same α


def test_kfold_himalaya(benchmark, krr, krr_alpha):
    pytest.importorskip("himalaya")
    benchmark.group = KFOLD
    model = _once(benchmark, himalaya_kfold, *krr)
    assert np.isclose(float(np.ravel(model.best_alphas_)[0]), krr_alpha)


def test_loo_fastridge(benchmark, krr):
    benchmark.group = LOO
    model = benchmark.pedantic(fastridge_loo, args=krr, rounds=3, iterations=1,
                               warmup_rounds=0)
    assert model.cv_route_ == "loo" and model.cv_scores_.shape == (20,)


def test_loo_floor_kernel_eigh(benchmark, krr):
    benchmark.group = LOO
    lam, _ = benchmark.pedantic(kernel_and_eigh, args=(krr[0],), rounds=3, iterations=1,
                                warmup_rounds=0)
    assert lam.shape == (3000,) and lam[-1] > 0


@pytest.fixture(scope="module")
def banded():
    return make_banded()


@pytest.fixture(scope="module")
def banded_choices(banded):
    model = fastridge_banded(*banded)  # computed once, outside the timings
    return model.deltas_[:, 0], model.alpha_


BANDED = "BandedRidgeCV 2x500 features n=1000 1000 targets 20 candidates 10 alphas cv=5"


def test_banded_fastridge(benchmark, banded, banded_choices):
    benchmark.group = BANDED
    model = _once(benchmark, fastridge_banded, *banded)
    assert model.cv_route_ == "heldout" and model.deltas_.shape == (1000, 2)
    np.testing.assert_array_equal(model.alpha_, banded_choices[1])


def test_banded_himalaya(benchmark, banded, banded_choices):
    pytest.importorskip("himalaya")
    benchmark.group = BANDED
    delta0, alpha = himalaya_choices(_once(benchmark, himalaya_banded, *banded))
    same = np.isclose(delta0, banded_choices[0]) & np.isclose(alpha, banded_choices[1])
    assert same.mean() >= 0.99  # the same (δ, α) for (nearly) every target


@pytest.fixture(scope="module")
def big():
    return make_big()


FIT = "KernelRidge().fit rbf n=5000 d=50"


def test_fit_fastridge(benchmark, big):
    benchmark.group = FIT
    model = benchmark.pedantic(fr.KernelRidge(kernel="rbf").fit, args=big, rounds=3,
                               iterations=1, warmup_rounds=1)
    assert model.solver_ == "cholesky"
    check_fit(model.dual_coef_, *big)


def test_fit_sklearn(benchmark, big):
    pytest.importorskip("sklearn")
    benchmark.group = FIT
    model = benchmark.pedantic(sklearn_fit, args=big, rounds=3, iterations=1,
                               warmup_rounds=1)
    check_fit(model.dual_coef_, *big)


def test_fit_floor_kernel_potrf_potrs(benchmark, big):
    benchmark.group = FIT
    dual = benchmark.pedantic(fit_floor, args=big, rounds=3, iterations=1, warmup_rounds=1)
    check_fit(dual, *big)


# ------------------------------------------------------------ interleaved (as a script)

def cases():
    """name → (rounds, {member: callable}); "fastridge" the subject, "floor" the floor."""
    X, y = make_krr()
    B = make_banded()
    Xb, yb = make_big()
    return {
        "kfold": (1, {"fastridge": lambda: fastridge_kfold(X, y),
                      "sklearn GridSearchCV": lambda: sklearn_kfold(X, y),
                      "himalaya KernelRidgeCV": lambda: himalaya_kfold(X, y)}),
        "loo": (3, {"fastridge": lambda: fastridge_loo(X, y),
                    "floor": lambda: kernel_and_eigh(X)}),
        "banded": (1, {"fastridge": lambda: fastridge_banded(*B),
                       "himalaya BandedRidgeCV": lambda: himalaya_banded(*B)}),
        "fit": (5, {"fastridge": lambda: fr.KernelRidge(kernel="rbf").fit(Xb, yb),
                    "sklearn KernelRidge": lambda: sklearn_fit(Xb, yb),
                    "floor": lambda: fit_floor(Xb, yb)}),
    }


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from interleave import run  # the colleague's drift-proof runner

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", choices=("1", "default", "compare"), default="1")
    parser.add_argument("--cases", nargs="*", default=None)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    table = cases()
    for name in args.cases or list(table):
        rounds, members = table[name]
        run(name, args.rounds or rounds, members, args.threads)


if __name__ == "__main__":
    main()
