"""Estimator benchmarks (issue: many α / estimators): Ridge with intercept.

    python -m pytest benchmarks/bench_estimators.py --benchmark-only

- ``Ridge().fit`` 100×10 with intercept vs scikit-learn ``Ridge().fit``.
- ``Ridge().fit`` 50 000×1 000 with intercept vs ``X.T @ X`` alone (the floor): the
  intercept is fitted by centring row blocks inside the driver, not a centred copy of X.
"""
import numpy as np
import pytest

import fastridge as fr


def _data(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + 3.0
    y = X @ rng.standard_normal(d) + 1.0 + rng.standard_normal(n)
    return X, y


@pytest.fixture(scope="module")
def small():
    X, y = _data(100, 10, seed=0)
    return X, y


def _check(model, X, y):
    centred = X - X.mean(0)
    w = np.linalg.solve(centred.T @ centred + np.eye(X.shape[1]), centred.T @ (y - y.mean()))
    np.testing.assert_allclose(model.coef_, w, rtol=1e-8)
    np.testing.assert_allclose(model.intercept_, y.mean() - X.mean(0) @ w, rtol=1e-8)


def test_small_intercept_fastridge(benchmark, small):
    X, y = small
    benchmark.group = "Ridge().fit 100x10 with intercept"
    model = benchmark(fr.Ridge().fit, X, y)
    _check(model, X, y)


def test_small_intercept_sklearn(benchmark, small):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = small
    benchmark.group = "Ridge().fit 100x10 with intercept"
    model = benchmark(linear_model.Ridge().fit, X, y)
    _check(model, X, y)


@pytest.fixture(scope="module")
def tall():
    return _data(50_000, 1_000, seed=1)


def test_tall_intercept_fastridge(benchmark, tall):
    X, y = tall
    benchmark.group = "Ridge().fit 50000x1000 with intercept vs X.T@X"
    model = benchmark.pedantic(fr.Ridge().fit, args=(X, y), rounds=5, iterations=1,
                               warmup_rounds=1)
    residual = y - model.predict(X)
    # optimality of the slope and intercept: the centred normal equations hold
    grad = (X - X.mean(0)).T @ residual - model.coef_
    assert np.linalg.norm(grad) < 1e-8 * np.linalg.norm(X.T @ y)
    assert abs(residual.mean()) < 1e-8 * np.abs(y).max()


def test_tall_intercept_gram_floor(benchmark, tall):
    X, _ = tall
    benchmark.group = "Ridge().fit 50000x1000 with intercept vs X.T@X"
    G = benchmark.pedantic(lambda A: A.T @ A, args=(X,), rounds=5, iterations=1,
                           warmup_rounds=1)
    assert G.shape == (1_000, 1_000)
