"""Many-α benchmarks (issue 3): ``ridge_path`` and the exact leave-one-out engine.

Each group pits fastridge against what a user would otherwise do, in the same run, with
BLAS pinned to one thread (autouse fixture in conftest.py).  Data is built outside the
timer and every timed result is checked.

    python -m pytest benchmarks/bench_path.py --benchmark-only

- path: ``ridge_path`` over 50 α vs 50 separate ``fastridge.ridge`` calls (5 000×300).
- LOO tall: ``fastridge.RidgeCV(alphas).fit`` (exact LOO for every α, best α, its
  coefficients and intercept) vs scikit-learn ``RidgeCV(alphas).fit`` (5 000×300, 20 α,
  1 target).
- LOO wide: the same per target vs ``RidgeCV(alphas, alpha_per_target=True)``
  (2 000×5 000, 20 α, 100 targets).
- Kernel floors (``*_kernel_floor``): only the BLAS/LAPACK calls the exact-LOO
  algorithm cannot skip, timed back to back — the Gram matrix of the smaller side
  (?syrk), its eigendecomposition (?syevd), and the one big product every α shares
  (``X V`` for the leverages on the tall side; ``U (g ⊙ C)`` for the residuals of all
  α and targets on the wide side).  ``peer / floor`` bounds the speed-up any
  implementation of this algorithm can show over that peer on this machine.
"""
import numpy as np
import pytest
import scipy.linalg as sla

import fastridge as fr
from fastridge import ridge_path

ALPHAS_50 = np.logspace(-3, 4, 50)
ALPHAS_20 = np.logspace(-3, 4, 20)


def _data(n, d, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d if k is None else (d, k)) / np.sqrt(d)
    noise = rng.standard_normal(n if k is None else (n, k))
    return X, X @ w + noise


def _pedantic(benchmark, fn, *args, rounds=5):
    return benchmark.pedantic(fn, args=args, rounds=rounds, iterations=1, warmup_rounds=1)


def _fastridge_cv(X, y, alphas, per_target):
    model = fr.RidgeCV(alphas, alpha_per_target=per_target).fit(X, y)
    # coef (d, k) and intercept (k,) whatever y's shape, for the checks below
    return (model.alpha_, -model.best_score_, np.atleast_2d(model.coef_).T,
            np.atleast_1d(model.intercept_))


# --- path: 5 000×300, 50 α ----------------------------------------------------------------

@pytest.fixture(scope="module")
def path_data():
    X, y = _data(5_000, 300, seed=1)
    return X, y, np.array([fr.ridge(X, y, a, solver="svd") for a in ALPHAS_50])


def _ridge_loop(X, y, alphas):
    return np.array([fr.ridge(X, y, a) for a in alphas])


def test_path_fastridge(benchmark, path_data):
    X, y, expected = path_data
    benchmark.group = "path 5000x300, 50 alphas"
    coefs = _pedantic(benchmark, ridge_path, X, y, ALPHAS_50, rounds=10)
    np.testing.assert_allclose(coefs, expected, rtol=1e-9, atol=1e-12)


def test_path_ridge_loop(benchmark, path_data):
    X, y, expected = path_data
    benchmark.group = "path 5000x300, 50 alphas"
    coefs = _pedantic(benchmark, _ridge_loop, X, y, ALPHAS_50)
    np.testing.assert_allclose(coefs, expected, rtol=1e-9, atol=1e-12)


# --- LOO tall: 5 000×300, 20 α, 1 target ---------------------------------------------------

@pytest.fixture(scope="module")
def loo_tall():
    return _data(5_000, 300, seed=2)


@pytest.fixture(scope="module")
def loo_tall_sklearn(loo_tall):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = loo_tall
    return linear_model.RidgeCV(alphas=ALPHAS_20).fit(X, y)


def test_loo_tall_fastridge(benchmark, loo_tall, loo_tall_sklearn):
    X, y = loo_tall
    benchmark.group = "LOO 5000x300, 20 alphas, 1 target"
    best, mse, coef, intercept = _pedantic(benchmark, _fastridge_cv, X, y, ALPHAS_20,
                                           False, rounds=10)
    ref = loo_tall_sklearn
    assert best == ref.alpha_
    np.testing.assert_allclose(-mse, ref.best_score_, rtol=1e-8)
    np.testing.assert_allclose(coef[:, 0], ref.coef_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(intercept[0], ref.intercept_, rtol=1e-8, atol=1e-12)


def _tall_floor(X, alphas):
    G = X.T @ X  # ?syrk, as in the Gram pass
    lam, V = sla.eigh(G, driver="evd", overwrite_a=True, check_finite=False)
    return lam, X @ V  # the n×d product that gives every leverage


def test_loo_tall_kernel_floor(benchmark, loo_tall):
    X, _ = loo_tall
    benchmark.group = "LOO 5000x300, 20 alphas, 1 target"
    lam, XV = _pedantic(benchmark, _tall_floor, X, ALPHAS_20, rounds=10)
    # XV's columns are orthogonal with squared norms λ
    np.testing.assert_allclose(np.einsum("ij,ij->j", XV, XV), lam, rtol=1e-9)


def test_loo_tall_sklearn_ridgecv(benchmark, loo_tall, loo_tall_sklearn):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = loo_tall
    benchmark.group = "LOO 5000x300, 20 alphas, 1 target"
    model = linear_model.RidgeCV(alphas=ALPHAS_20)
    fitted = _pedantic(benchmark, model.fit, X, y, rounds=3)
    assert fitted.alpha_ == loo_tall_sklearn.alpha_


# --- LOO wide: 2 000×5 000, 20 α, 100 targets, α per target ---------------------------------

@pytest.fixture(scope="module")
def loo_wide():
    return _data(2_000, 5_000, k=100, seed=3)


@pytest.fixture(scope="module")
def loo_wide_fastridge(loo_wide):
    X, Y = loo_wide
    return _fastridge_cv(X, Y, ALPHAS_20, True)


def test_loo_wide_fastridge(benchmark, loo_wide, loo_wide_fastridge):
    X, Y = loo_wide
    benchmark.group = "LOO 2000x5000, 20 alphas, 100 targets per target"
    best, mse, coef, intercept = _pedantic(benchmark, _fastridge_cv, X, Y, ALPHAS_20,
                                           True, rounds=3)
    np.testing.assert_array_equal(best, loo_wide_fastridge[0])
    np.testing.assert_allclose(mse, loo_wide_fastridge[1], rtol=1e-12)
    assert len(set(best)) > 1  # the per-target choice is really exercised


def _wide_floor(X, Y, alphas):
    K = X @ X.T  # ?syrk
    lam, U = sla.eigh(K, driver="evd", overwrite_a=True, check_finite=False)
    C = U.T @ Y  # (n, k), cheap next to the rest
    g = alphas[None, :] / (lam[:, None] + alphas[None, :])  # (n, n_alphas)
    # the residual part of every α and target: one (n × n) @ (n × n_alphas·k) product
    return U @ (g[:, :, None] * C[:, None, :]).reshape(len(lam), -1)


def test_loo_wide_kernel_floor(benchmark, loo_wide):
    X, Y = loo_wide
    benchmark.group = "LOO 2000x5000, 20 alphas, 100 targets per target"
    F = _pedantic(benchmark, _wide_floor, X, Y, ALPHAS_20, rounds=3)
    assert F.shape == (2_000, 20 * 100) and np.isfinite(F).all()


def test_loo_wide_sklearn_ridgecv(benchmark, loo_wide, loo_wide_fastridge):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, Y = loo_wide
    benchmark.group = "LOO 2000x5000, 20 alphas, 100 targets per target"
    model = linear_model.RidgeCV(alphas=ALPHAS_20, alpha_per_target=True)
    fitted = _pedantic(benchmark, model.fit, X, Y, rounds=2)
    best, mse, coef, intercept = loo_wide_fastridge
    np.testing.assert_array_equal(fitted.alpha_, best)
    np.testing.assert_allclose(-fitted.best_score_, mse, rtol=1e-8)
    np.testing.assert_allclose(fitted.coef_, coef.T, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(fitted.intercept_, intercept, rtol=1e-6, atol=1e-10)
