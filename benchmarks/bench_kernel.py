"""Kernel and banded ridge benchmarks (issue: the fifth view of ridge).

    python -m pytest benchmarks/bench_kernel.py --benchmark-only

Every case runs at one BLAS thread and at the library's default (the ``threads``
parameter; the group name says which), peers in the same run.  The big peers take a
minute or more each, so every member of those groups runs once
(``benchmark.pedantic(rounds=1)``); each asserts on the result it timed.

- ``KernelRidgeCV`` rbf, n = 3 000, d = 50, 20 α, ``cv=5``, 1 target, against
  scikit-learn's ``GridSearchCV(KernelRidge)`` on the same folds (same α) and himalaya's
  ``KernelRidgeCV`` (numpy backend).
- ``KernelRidgeCV`` leave-one-out on the same data, against its floor: the kernel and one
  ``eigh`` of it.
- ``BandedRidgeCV``: 2 bands of 500 features, n = 1 000, 1 000 targets, 20 candidates,
  10 α, ``cv=5``, against himalaya's ``BandedRidgeCV`` with the same candidates (same
  choices per target).
- ``KernelRidge().fit`` rbf, n = 5 000, d = 50, against scikit-learn's and against the
  floor: the kernel's upper triangle and ?potrf/?potrs in place.
"""
import numpy as np
import pytest
import scipy.linalg as sla
from scipy.linalg import lapack

import fastridge as fr
from fastridge import _banded

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # the bench extra is missing: run unpinned
    threadpool_info = threadpool_limits = None

#: BLAS threads of the library's default (read before conftest pins them to one).
DEFAULT_THREADS = (max((p["num_threads"] for p in threadpool_info()
                        if p["user_api"] == "blas"), default=1)
                   if threadpool_info else 1)
THREADS = [1, DEFAULT_THREADS] if DEFAULT_THREADS > 1 else [1]


@pytest.fixture(params=THREADS, ids=lambda t: f"{t}thread")
def threads(request):
    """Run the benchmark at ``request.param`` BLAS threads (inside conftest's pin)."""
    if threadpool_limits is None:
        yield request.param
        return
    with threadpool_limits(limits=request.param, user_api="blas"):
        yield request.param


def _once(benchmark, func, *args):
    return benchmark.pedantic(func, args=args, rounds=1, iterations=1, warmup_rounds=0)


# ----------------------------------------------------------------------- KernelRidgeCV

ALPHAS = np.logspace(-3, 3, 20)


@pytest.fixture(scope="module")
def krr():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 50))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] + 0.3 * rng.standard_normal(3000)
    return X, y


def _kfold_group(benchmark, threads, what):
    benchmark.group = f"KernelRidgeCV rbf n=3000 d=50 20 alphas {what} [{threads} thread]"


def _sklearn_alpha(X, y):
    model_selection = pytest.importorskip("sklearn.model_selection")
    kernel_ridge = pytest.importorskip("sklearn.kernel_ridge")
    gs = model_selection.GridSearchCV(kernel_ridge.KernelRidge(kernel="rbf"),
                                      {"alpha": ALPHAS}, cv=model_selection.KFold(5),
                                      scoring="neg_mean_squared_error")
    return gs.fit(X, y)


@pytest.fixture(scope="module")
def krr_alpha(krr):
    """The α scikit-learn's grid search chooses (computed once, outside the timings)."""
    return fr.KernelRidgeCV(ALPHAS, kernel="rbf", cv=5).fit(*krr).alpha_


def test_kfold_fastridge(benchmark, krr, threads, krr_alpha):
    _kfold_group(benchmark, threads, "cv=5")
    model = _once(benchmark, fr.KernelRidgeCV(ALPHAS, kernel="rbf", cv=5).fit, *krr)
    assert model.cv_route_ == "heldout" and model.alpha_ == krr_alpha


def test_kfold_sklearn_gridsearch(benchmark, krr, threads, krr_alpha):
    _kfold_group(benchmark, threads, "cv=5")
    gs = _once(benchmark, _sklearn_alpha, *krr)
    assert gs.best_params_["alpha"] == krr_alpha  # the same α


def test_kfold_himalaya(benchmark, krr, threads, krr_alpha):
    kernel_ridge = pytest.importorskip("himalaya.kernel_ridge")
    backend = pytest.importorskip("himalaya.backend")
    model_selection = pytest.importorskip("sklearn.model_selection")
    backend.set_backend("numpy")
    _kfold_group(benchmark, threads, "cv=5")
    model = kernel_ridge.KernelRidgeCV(alphas=ALPHAS, kernel="rbf",
                                       cv=model_selection.KFold(5))
    fitted = _once(benchmark, model.fit, *krr)
    assert np.isclose(float(np.ravel(fitted.best_alphas_)[0]), krr_alpha)


def test_loo_fastridge(benchmark, krr, threads):
    _kfold_group(benchmark, threads, "leave-one-out vs floor")
    model = benchmark.pedantic(fr.KernelRidgeCV(ALPHAS, kernel="rbf").fit, args=krr,
                               rounds=3, iterations=1, warmup_rounds=0)
    assert model.cv_route_ == "loo" and model.cv_scores_.shape == (20,)


def _kernel_and_eigh(X):
    K = fr.kernels.resolve("rbf").matrix(X, full=False)  # upper triangle
    return sla.eigh(K, lower=False, driver="evd", overwrite_a=True, check_finite=False)


def test_loo_floor_kernel_eigh(benchmark, krr, threads):
    _kfold_group(benchmark, threads, "leave-one-out vs floor")
    lam, _ = benchmark.pedantic(_kernel_and_eigh, args=(krr[0],), rounds=3, iterations=1,
                                warmup_rounds=0)
    assert lam.shape == (3000,) and lam[-1] > 0


# ----------------------------------------------------------------------- BandedRidgeCV

@pytest.fixture(scope="module")
def banded():
    rng = np.random.default_rng(1)
    n, d, k = 1000, 1000, 1000
    X = rng.standard_normal((n, d))
    W = np.vstack([0.1 * rng.standard_normal((500, k)), 0.02 * rng.standard_normal((500, k))])
    Y = X @ W + rng.standard_normal((n, k))
    deltas = _banded.dirichlet_candidates(20, 2, np.array([0.1, 1.0]),
                                          np.random.default_rng(2))
    return X, Y, np.repeat([0, 1], 500), np.logspace(-1, 4, 10), deltas


def _banded_group(benchmark, threads):
    benchmark.group = ("BandedRidgeCV 2x500 features n=1000 1000 targets 20 candidates "
                       f"10 alphas cv=5 [{threads} thread]")


def test_banded_fastridge(benchmark, banded, threads):
    X, Y, groups, alphas, deltas = banded
    _banded_group(benchmark, threads)
    model = _once(benchmark, fr.BandedRidgeCV(groups, alphas, deltas=deltas, cv=5).fit, X, Y)
    assert model.cv_route_ == "heldout" and model.deltas_.shape == (1000, 2)
    np.save(_CHOICES, np.c_[model.deltas_, model.alpha_])


_CHOICES = __import__("os").path.join(__import__("tempfile").gettempdir(),
                                      "fastridge_bench_banded_choices.npy")


def test_banded_himalaya(benchmark, banded, threads):
    ridge = pytest.importorskip("himalaya.ridge")
    backend = pytest.importorskip("himalaya.backend")
    backend.set_backend("numpy")
    X, Y, groups, alphas, deltas = banded
    _banded_group(benchmark, threads)
    model = ridge.BandedRidgeCV(groups=groups, cv=5, fit_intercept=True, solver_params=dict(
        n_iter=deltas, alphas=alphas, progress_bar=False))
    fitted = _once(benchmark, model.fit, X, Y)
    gamma = np.exp(fitted.deltas_)                    # himalaya: δ_b/α per band
    alpha = 1.0 / gamma.sum(axis=0)
    ours = np.load(_CHOICES)
    same = np.isclose(ours[:, 0], gamma[0] * alpha) & np.isclose(ours[:, 2], alpha)
    assert same.mean() >= 0.99  # the same (δ, α) for (nearly) every target


# ------------------------------------------------------------------ KernelRidge().fit

@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5000, 50))
    return X, np.sin(X[:, 0]) + 0.3 * rng.standard_normal(5000)


def _fit_group(benchmark, threads):
    benchmark.group = f"KernelRidge().fit rbf n=5000 d=50 [{threads} thread]"


def _check_fit(dual, X, y):
    # optimality: (K + I) a = y on a few rows, K recomputed independently
    rows = slice(0, 50)
    Kr = np.exp(-((X[rows, None, :] - X[None, :, :]) ** 2).sum(axis=2) / X.shape[1])
    np.testing.assert_allclose(Kr @ dual + dual[rows], y[rows], rtol=1e-8, atol=1e-8)


def test_fit_fastridge(benchmark, big, threads):
    _fit_group(benchmark, threads)
    model = benchmark.pedantic(fr.KernelRidge(kernel="rbf").fit, args=big, rounds=3,
                               iterations=1, warmup_rounds=1)
    assert model.solver_ == "cholesky"
    _check_fit(model.dual_coef_, *big)


def test_fit_sklearn(benchmark, big, threads):
    kernel_ridge = pytest.importorskip("sklearn.kernel_ridge")
    _fit_group(benchmark, threads)
    model = benchmark.pedantic(kernel_ridge.KernelRidge(kernel="rbf").fit, args=big,
                               rounds=3, iterations=1, warmup_rounds=1)
    _check_fit(model.dual_coef_, *big)


def _floor(X, y):
    K = fr.kernels.resolve("rbf").matrix(X, full=False)
    K.ravel(order="F")[:: K.shape[0] + 1] += 1.0
    c, info = lapack.dpotrf(K, lower=0, clean=0, overwrite_a=1)
    return lapack.dpotrs(c, y, lower=0)[0]


def test_fit_floor_kernel_potrf_potrs(benchmark, big, threads):
    _fit_group(benchmark, threads)
    dual = benchmark.pedantic(_floor, args=big, rounds=3, iterations=1, warmup_rounds=1)
    _check_fit(dual, *big)
