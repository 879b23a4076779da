"""The compiled driver pieces directly: Gram accumulation over row blocks.

``gram_update`` (and the Cholesky solvers through it) take X in ~1 MiB row blocks when
the d×d Gram stays in cache; these sizes are large enough to go through that path, with
blocks that do not divide n.
"""
import numpy as np
import pytest

import fastridge as fr
from fastridge import _policy, _ridge, reference

EMPTY = {np.float32: np.empty(0, np.float32), np.float64: np.empty(0, np.float64)}


def _data(n, d, k, dtype, x_order, y_order, seed=0):
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.standard_normal((n, d)), dtype=dtype, order=x_order)
    Y = rng.standard_normal((n, k)) if k else rng.standard_normal(n)
    return X, np.asarray(Y, dtype=dtype, order=y_order)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("y_order", ["C", "F"])
@pytest.mark.parametrize("k", [0, 1, 3, 9])  # 9 > d = 4: XᵀY computed as (YᵀX)ᵀ
@pytest.mark.parametrize("n, d", [(9_001, 40), (70_003, 4), (300, 40), (5_000, 300),
                                  (600, 4)])
def test_gram_update_blocks(dtype, x_order, y_order, k, n, d):
    X, Y = _data(n, d, k, dtype, x_order, y_order)
    kk = max(k, 1)
    G = np.full((d, d), 7.0, dtype=dtype, order="F")  # lower triangle must stay 7
    B = np.zeros((d, kk), dtype=dtype, order="F")
    e = EMPTY[dtype]
    limit = _policy.centring_limit(dtype)
    assert _ridge.gram_update(X, Y, e, e, e, G, B, False, limit) == (0, 0.0)  # no centring
    X64, Y64 = X.astype(np.float64), Y.reshape(n, kk).astype(np.float64)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    scale = np.abs(X64.T @ X64).max()
    np.testing.assert_allclose(np.triu(G), np.triu(X64.T @ X64), rtol=tol, atol=tol * scale)
    np.testing.assert_array_equal(np.tril(G, -1), np.tril(np.full((d, d), 7.0), -1))
    np.testing.assert_allclose(B, X64.T @ Y64, rtol=tol, atol=tol * scale)
    # accumulate: a second block adds on
    assert _ridge.gram_update(X, Y, e, e, e, G, B, True, limit) == (0, 0.0)
    np.testing.assert_allclose(np.triu(G), 2 * np.triu(X64.T @ X64), rtol=tol,
                               atol=tol * scale)
    np.testing.assert_allclose(B, 2 * X64.T @ Y64, rtol=tol, atol=tol * scale)


@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_solvers_on_blocked_sizes(x_order, fit_intercept):
    X, y = _data(20_001, 30, 2, np.float64, x_order, "C", seed=3)
    X = X + 2.0
    model = fr.Ridge(alpha=3.0, fit_intercept=fit_intercept).fit(X, y)
    xm = X.mean(0) if fit_intercept else 0.0
    ym = y.mean(0) if fit_intercept else 0.0
    want = reference.ridge_normal_equations(X - xm, y - ym, 3.0)
    np.testing.assert_allclose(model.coef_.T, want, rtol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("x_order", ["C", "F"])
def test_blockwise_centring_over_many_row_blocks(weighted, x_order):
    # Means 1e4 × the spread: no rank-one correction, exact centring of ~8k-row blocks
    # (the block count does not divide n); weights take the same blocked path.
    X, y = _data(20_001, 30, 2, np.float64, x_order, "F", seed=5)
    X = X + 1e4
    sw = np.random.default_rng(6).uniform(0.5, 2.0, len(X)) if weighted else None
    model = fr.Ridge(alpha=3.0, solver="primal").fit(X, y, sample_weight=sw)
    w = np.ones(len(X)) if sw is None else sw
    xm, ym = w @ X / w.sum(), w @ y / w.sum()
    root = np.sqrt(w)[:, None]
    want = reference.ridge_normal_equations(root * (X - xm), root * (y - ym), 3.0)
    np.testing.assert_allclose(model.coef_.T, want, rtol=1e-9)


@pytest.mark.parametrize("x_order", ["C", "F"])
def test_dual_centring_over_many_column_blocks(x_order):
    # Wide data with an intercept: the kernel XcXcᵀ is accumulated over centred column
    # blocks (~870 columns each here, the count not dividing d).
    X, y = _data(300, 5_003, 0, np.float64, x_order, "C", seed=7)
    X = X + 50.0
    model = fr.Ridge(alpha=2.0, solver="dual").fit(X, y)
    want = reference.ridge_dual(X - X.mean(0), y - y.mean(), 2.0)
    np.testing.assert_allclose(model.coef_, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.intercept_, y.mean() - X.mean(0) @ want, rtol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 7, 33])
def test_center_kernel_is_double_centring(n):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 5)) + 2.0
    m = X.mean(axis=0)
    K = np.asfortranarray(X @ X.T)
    lower = np.tril(K, -1).copy()
    _ridge.center_kernel(K, X @ m, float(m @ m))
    Xc = X - m
    np.testing.assert_allclose(np.triu(K), np.triu(Xc @ Xc.T), atol=1e-12)
    np.testing.assert_array_equal(np.tril(K, -1), lower)  # the lower triangle untouched


@pytest.mark.parametrize("r", [1, 7, 8, 300])
@pytest.mark.parametrize("centre", [False, True])
def test_center_square_rows(r, centre):
    rng = np.random.default_rng(r)
    Z = rng.standard_normal((13, r))
    c = rng.standard_normal(r) if centre else np.empty(0)
    want = Z - c if centre else Z.copy()
    Z2, rowsum = np.empty_like(Z), np.empty(13)
    _ridge.center_square_rows(Z, c, Z2, rowsum)
    np.testing.assert_array_equal(Z, want)  # centred in place, exactly
    np.testing.assert_array_equal(Z2, want * want)
    np.testing.assert_allclose(rowsum, (want * want).sum(axis=1), rtol=1e-15)
