"""Ridge solver benchmarks (issue: foundation kernels).

Each group pits fastridge against what a user would otherwise pick, in the same run,
with BLAS pinned to one thread (see conftest.py).  Data is built outside the timer and
every timed result is checked.

    python -m pytest benchmarks/bench_ridge.py --benchmark-only
"""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fastridge as fr

ALPHA = 1.0


def _data(n, d, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n if k is None else (n, k))
    return X, y


def _numpy_solve(X, y, alpha):
    return np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y)


# --- small 100×10, one target ------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    X, y = _data(100, 10)
    return X, y, _numpy_solve(X, y, ALPHA)


def test_small_fastridge(benchmark, small):
    X, y, expected = small
    benchmark.group = "small 100x10"
    coef = benchmark(fr.ridge, X, y, ALPHA)
    np.testing.assert_allclose(coef, expected, rtol=1e-10)


def test_small_numpy_solve(benchmark, small):
    X, y, expected = small
    benchmark.group = "small 100x10"
    coef = benchmark(_numpy_solve, X, y, ALPHA)
    np.testing.assert_allclose(coef, expected, rtol=1e-10)


def test_small_sklearn_cholesky(benchmark, small):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y, expected = small
    benchmark.group = "small 100x10"
    model = linear_model.Ridge(alpha=ALPHA, solver="cholesky", fit_intercept=False)
    fitted = benchmark(model.fit, X, y)
    np.testing.assert_allclose(fitted.coef_, expected, rtol=1e-10)


# --- the Gram floor: tall 50 000×1 000 and wide 2 000×20 000 -----------------------------

@pytest.fixture(scope="module")
def tall():
    return _data(50_000, 1_000, seed=1)


@pytest.fixture(scope="module")
def wide():
    return _data(2_000, 20_000, seed=2)


def _pedantic(benchmark, fn, *args):
    return benchmark.pedantic(fn, args=args, rounds=5, iterations=1, warmup_rounds=1)


def test_tall_fastridge_primal(benchmark, tall):
    X, y = tall
    benchmark.group = "tall 50000x1000 vs X.T@X"
    coef = _pedantic(benchmark, fr.ridge, X, y, ALPHA)
    # optimality: gradient of the objective vanishes
    grad = X.T @ (X @ coef - y) + ALPHA * coef
    assert np.linalg.norm(grad) < 1e-8 * np.linalg.norm(X.T @ y)


def test_tall_gram_floor(benchmark, tall):
    X, _ = tall
    benchmark.group = "tall 50000x1000 vs X.T@X"
    G = _pedantic(benchmark, lambda A: A.T @ A, X)
    assert G.shape == (1_000, 1_000)


def test_wide_fastridge_dual(benchmark, wide):
    X, y = wide
    benchmark.group = "wide 2000x20000 vs X@X.T"
    coef = _pedantic(benchmark, fr.ridge, X, y, ALPHA)
    grad = X.T @ (X @ coef - y) + ALPHA * coef
    assert np.linalg.norm(grad) < 1e-8 * np.linalg.norm(X.T @ y)


def test_wide_gram_floor(benchmark, wide):
    X, _ = wide
    benchmark.group = "wide 2000x20000 vs X@X.T"
    K = _pedantic(benchmark, lambda A: A @ A.T, X)
    assert K.shape == (2_000, 2_000)


# --- many targets, few distinct α ---------------------------------------------------------

@pytest.fixture(scope="module")
def many_targets():
    X, Y = _data(5_000, 200, k=1_000, seed=3)
    alphas = np.repeat(np.logspace(-2, 3, 10), 100)  # 10 distinct α, 100 targets each
    np.random.default_rng(4).shuffle(alphas)
    return X, Y, alphas


def _check_per_target(X, Y, alphas, coef, columns=(0, 1, 999)):
    for j in columns:
        np.testing.assert_allclose(coef[:, j], _numpy_solve(X, Y[:, j], alphas[j]),
                                   rtol=1e-8, atol=1e-12)


def test_many_targets_fastridge(benchmark, many_targets):
    X, Y, alphas = many_targets
    benchmark.group = "5000x200, 1000 targets, 10 distinct alpha"
    coef = _pedantic(benchmark, fr.ridge, X, Y, alphas)
    _check_per_target(X, Y, alphas, coef)


def test_many_targets_sklearn(benchmark, many_targets):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, Y, alphas = many_targets
    benchmark.group = "5000x200, 1000 targets, 10 distinct alpha"
    model = linear_model.Ridge(alpha=alphas, fit_intercept=False)
    fitted = _pedantic(benchmark, model.fit, X, Y)
    _check_per_target(X, Y, alphas, fitted.coef_.T)


# --- peak memory beyond inputs and output (tall 50 000×1 000 float64) ----------------------

_PEAK_SCRIPT = textwrap.dedent(
    """
    import json, numpy as np, fastridge as fr
    from threadpoolctl import threadpool_limits

    def status(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024

    rng = np.random.default_rng(1)
    X = rng.standard_normal((50_000, 1_000)); y = rng.standard_normal(50_000)
    with threadpool_limits(1):
        # Warm up imports and OpenBLAS's own work buffer on a block of the same width;
        # its d×d Gram is freed (returned to the OS) before the baseline is read.
        fr.ridge(X[:4_000], y[:4_000], 1.0, solver="primal")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                           # reset the peak (VmHWM) to the current RSS
        before = status("VmRSS")                   # inputs are resident and counted here
        coef = fr.ridge(X, y, 1.0, solver="primal")
        peak = status("VmHWM")
    print(json.dumps({"extra_bytes": peak - before}))
    """
)


def test_tall_peak_memory(benchmark):
    pytest.importorskip("threadpoolctl")
    d = 1_000
    benchmark.group = "peak memory tall 50000x1000"
    # One measurement in a fresh process (ru_maxrss is a high-water mark per process).
    out = benchmark.pedantic(
        lambda: subprocess.run([sys.executable, "-c", _PEAK_SCRIPT], check=True,
                               capture_output=True, text=True, env=dict(os.environ)),
        rounds=1, iterations=1,
    )
    extra = json.loads(out.stdout)["extra_bytes"]
    benchmark.extra_info["extra_bytes"] = extra
    benchmark.extra_info["limit_bytes"] = 1.1 * d * d * 8
    print(f"\npeak memory beyond inputs and output: {extra / 1e6:.2f} MB "
          f"(limit 1.1 * d^2 * 8 = {1.1 * d * d * 8 / 1e6:.2f} MB)")
    assert extra <= 1.1 * d * d * 8
