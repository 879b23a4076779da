"""Tests for ``ridge_path`` and the spectral engine (``_spectral.Spectral``): coefficients
for many α from one decomposition, and exact leave-one-out errors (docs/math.md §1, §3).

Everything is checked against something computed another way: ``fastridge.ridge`` at each
α, ``numpy.linalg.lstsq``/``pinv`` at α = 0, refitting without each sample
(``brute_force_loo_mse``) and scikit-learn's ``RidgeCV``.
"""
import inspect
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastridge as fr
from fastridge import _spectral
from fastridge._lstsq import lstsq
from fastridge._path import ridge_path
from fastridge._validation import check_alphas
from fastridge._policy import eigen_tolerance
from fastridge._spectral import Spectral

DTYPES = (np.float32, np.float64)
RTOL = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-10}
ALPHAS = np.array([0.0, 0.01, 0.3, 1.0, 10.0, 1e3])
LOO_ALPHAS = np.array([1e-3, 0.1, 1.0, 10.0, 1e3])
SHAPES = {"tall": (40, 6), "wide": (6, 40), "square": (8, 8)}


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

def make_data(n, d, k=None, seed=0, dtype=np.float64, order="C"):
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.standard_normal((n, d)), dtype=dtype, order=order)
    y = np.asarray(rng.standard_normal((n,) if k is None else (n, k)), dtype=dtype,
                   order=order)
    return X, y


def assert_close(got, want, rtol):
    """Elementwise, with atol relative to the largest entry of ``want``."""
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


def brute_force_loo_mse(X, Y, alphas, fit_intercept):
    """Leave-one-out MSE by refitting n times, shape (n_alphas, k) (k = 1 for 1-D Y).

    Each fold drops row i, centres the remaining rows by *their* means when
    ``fit_intercept`` (unpenalized intercept), solves ridge as the augmented least-squares
    problem ``[X; √α I] w ≈ [Y; 0]`` (docs/math.md §1.4) in float64 and predicts row i.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    Y = Y[:, None] if Y.ndim == 1 else Y
    n, d = X.shape
    out = np.zeros((len(alphas), Y.shape[1]))
    for i in range(n):
        keep = np.arange(n) != i
        Xt, Yt = X[keep], Y[keep]
        x_mean = Xt.mean(axis=0) if fit_intercept else np.zeros(d)
        y_mean = Yt.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
        Xt, Yt = Xt - x_mean, Yt - y_mean
        for j, alpha in enumerate(alphas):
            A = np.vstack([Xt, np.sqrt(alpha) * np.eye(d)])
            B = np.vstack([Yt, np.zeros((d, Y.shape[1]))])
            w = np.linalg.lstsq(A, B, rcond=None)[0]
            out[j] += (Y[i] - y_mean - (X[i] - x_mean) @ w) ** 2
    return out / n


def intercept_ridge(X, Y, alpha):
    """(w, b) of ridge with an unpenalized intercept: augmented lstsq with a ones column."""
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    A = np.block([[X, np.ones((n, 1))], [np.sqrt(alpha) * np.eye(d), np.zeros((d, 1))]])
    B = np.vstack([Y, np.zeros((d, Y.shape[1]))])
    sol = np.linalg.lstsq(A, B, rcond=None)[0]
    return sol[:d], sol[d]


# --------------------------------------------------------------------------------------
# ridge_path against ridge, lstsq and pinv
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("solver", ["svd", "auto"])
def test_path_equals_ridge_at_every_alpha(solver, shape, k, order, dtype):
    X, y = make_data(*shape, k=k, dtype=dtype, order=order)
    coefs = ridge_path(X, y, ALPHAS)
    assert coefs.dtype == dtype
    assert coefs.shape == (ALPHAS.size, shape[1]) + (() if k is None else (k,))
    assert coefs.flags.c_contiguous
    for alpha, coef in zip(ALPHAS, coefs):
        assert_close(coef, fr.ridge(X, y, alpha, solver=solver), RTOL[np.dtype(dtype)])


def test_path_keeps_the_order_of_alphas():
    X, y = make_data(30, 5, k=2)
    alphas = np.array([10.0, 0.1, 10.0, 0.0, 3.0])
    coefs = ridge_path(X, y, alphas)
    for alpha, coef in zip(alphas, coefs):
        assert_close(coef, fr.ridge(X, y, alpha, solver="svd"), 1e-10)
    np.testing.assert_array_equal(coefs[0], coefs[2])


def test_alpha_zero_tall_is_least_squares():
    X, y = make_data(50, 7, k=2, seed=1)
    coef = ridge_path(X, y, [0.0])[0]
    assert_close(coef, np.linalg.lstsq(X, y, rcond=None)[0], 1e-10)


def test_alpha_zero_wide_is_minimum_norm():
    X, y = make_data(7, 50, seed=2)
    coef = ridge_path(X, y, [0.0])[0]
    assert_close(coef, X.T @ np.linalg.solve(X @ X.T, y), 1e-10)
    assert_close(X @ coef, y, 1e-10)  # interpolates


@pytest.mark.parametrize("shape", [(20, 6), (6, 20)], ids=["tall", "wide"])
def test_alpha_zero_rank_deficient_is_pseudo_inverse(shape):
    rng = np.random.default_rng(3)
    n, d = shape
    X = rng.standard_normal((n, 3)) @ rng.standard_normal((3, d))  # rank 3
    y = rng.standard_normal(n)
    coef = ridge_path(X, y, [0.0, 1.0])
    assert_close(coef[0], np.linalg.pinv(X) @ y, 1e-8)
    assert_close(coef[1], fr.ridge(X, y, 1.0, solver="svd"), 1e-8)


def test_large_alpha_shrinks_to_zero():
    X, y = make_data(30, 4)
    coefs = ridge_path(X, y, [1e12])
    assert_close(coefs[0] * 1e12, X.T @ y, 1e-6)  # ||w|| ≈ ||Xᵀy|| / α


def test_integer_and_list_input():
    X = [[1, 0], [0, 2], [1, 1]]
    coefs = ridge_path(X, [1, 2, 3], (0, 1))
    assert coefs.dtype == np.float64
    assert_close(coefs[1], np.array([1.0, 1.0]), 1e-12)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 12), d=st.integers(1, 12), k=st.integers(1, 3),
       seed=st.integers(0, 2**16), log_alpha=st.floats(-3, 3))
def test_path_equals_svd_ridge_property(n, d, k, seed, log_alpha):
    X, y = make_data(n, d, k=k, seed=seed)
    alphas = [10.0**log_alpha, 1.0]
    coefs = ridge_path(X, y, alphas)
    for alpha, coef in zip(alphas, coefs):
        assert_close(coef, fr.ridge(X, y, alpha, solver="svd"), 1e-8)


# --------------------------------------------------------------------------------------
# Input rules
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("alphas, exc, match", [
    (1.0, ValueError, r"non-empty 1-D .* got shape \(\)"),
    ([], ValueError, r"non-empty 1-D .* got shape \(0,\)"),
    ([[1.0, 2.0]], ValueError, r"1-D .* got shape \(1, 2\)"),
    ([1.0, -0.5], ValueError, r"finite and >= 0; got \[-0.5\] at positions \[1\]"),
    ([np.nan], ValueError, r"finite and >= 0; got \[nan\]"),
    ([1.0, np.inf], ValueError, r"finite and >= 0; got \[inf\]"),
    (["a"], TypeError, r"alphas must be an array of real numbers"),
    ([1 + 1j], TypeError, r"alphas must be an array of real numbers"),
])
def test_bad_alphas_raise(alphas, exc, match):
    X, y = make_data(5, 2)
    with pytest.raises(exc, match=match):
        ridge_path(X, y, alphas)


@pytest.mark.parametrize("X, y, exc, match", [
    (np.ones((5, 2)), np.ones(4), ValueError, "X has 5 samples but y has 4"),
    (np.ones(5), np.ones(5), ValueError, "X must be 2-D"),
    (np.ones((0, 2)), np.ones(0), ValueError, "X must not be empty"),
    (np.array([[1.0, np.nan]]), np.ones(1), ValueError, "X contains NaN or infinity"),
    (np.ones((2, 2)), np.array([1.0, np.inf]), ValueError, "y contains NaN or infinity"),
    (np.ones((2, 2), dtype=complex), np.ones(2), TypeError, "X has dtype complex128"),
])
def test_bad_data_raise(X, y, exc, match):
    with pytest.raises(exc, match=match):
        ridge_path(X, y, [1.0])


def test_check_finite_false_accepts_finite_data():
    X, y = make_data(10, 3)
    assert_close(ridge_path(X, y, [1.0], check_finite=False)[0], fr.ridge(X, y, 1.0), 1e-10)


def test_check_alphas_returns_float64_copy():
    raw = np.array([1, 2], dtype=np.int32)
    a = check_alphas(raw)
    assert a.dtype == np.float64 and a.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", [(30, 5), (5, 30)], ids=["tall", "wide"])
def test_inputs_not_modified(shape, order, dtype):
    X, y = make_data(*shape, k=2, dtype=dtype, order=order)
    alphas = np.array([0.0, 1.0])
    X0, y0, a0 = X.copy(order="K"), y.copy(order="K"), alphas.copy()
    ridge_path(X, y, alphas)
    for fit_intercept in (False, True):
        for method in ("auto", "svd", "eigen"):
            S = Spectral(X, y, fit_intercept=fit_intercept, method=method)
            S.path(alphas), S.loo_mse(alphas + 1)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(alphas, a0)
    assert X.flags.f_contiguous == (order == "F")


# --------------------------------------------------------------------------------------
# Spectral: coefficients, intercept, routes
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("method", ["auto", "svd"])
def test_intercept_model_matches_augmented_lstsq(method, shape):
    X, Y = make_data(*shape, k=2, seed=4)
    X = X + np.array([3.0] * shape[1])  # non-zero means
    S = Spectral(X, Y, fit_intercept=True, method=method)
    for alpha in (0.1, 5.0):
        w, b = intercept_ridge(X, Y, alpha)
        coef = S.coef(alpha)
        assert_close(coef, w, 1e-9)
        assert_close(S.intercept(coef), b, 1e-9)
    coefs = S.path([0.1, 5.0])
    assert S.intercept(coefs).shape == (2, 2)
    assert_close(S.intercept(coefs)[1], intercept_ridge(X, Y, 5.0)[1], 1e-9)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_coef_per_target_alpha(shape, fit_intercept):
    X, Y = make_data(*shape, k=3, seed=5)
    alphas = np.array([0.1, 1.0, 30.0])
    S = Spectral(X, Y, fit_intercept=fit_intercept)
    coef = S.coef(alphas)
    path = S.path(alphas)
    for j in range(3):
        assert_close(coef[:, j], path[j, :, j], 1e-12)
    if not fit_intercept:
        assert_close(coef, fr.ridge(X, Y, alphas, solver="svd"), 1e-10)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape, route", [((40, 6), "cov"), ((6, 40), "gram"),
                                          ((7, 7), "gram")], ids=["tall", "wide", "square"])
def test_auto_route_by_shape(shape, route, fit_intercept):
    X, y = make_data(*shape, seed=6)
    S = Spectral(X, y, fit_intercept=fit_intercept)
    if shape == (7, 7):  # n = d: "cov" without intercept, "gram" with it (rank n − 1)
        route = "gram" if fit_intercept else "cov"
    if S.method == "svd":  # random square data may be too ill-conditioned for a Gram
        lam = np.linalg.svd(X - X.mean(0) if fit_intercept else X, compute_uv=False) ** 2
        lam = lam[: min(shape[0] - fit_intercept, shape[1])]
        assert lam[-1] < eigen_tolerance(np.float64) * lam[0]
    else:
        assert S.method == route
    assert S.rank == min(shape[0] - fit_intercept, shape[1])


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape", [(40, 6), (6, 40)], ids=["tall", "wide"])
def test_eigen_and_svd_agree_on_well_conditioned_data(shape, fit_intercept):
    X, Y = make_data(*shape, k=2, seed=7)
    eig = Spectral(X, Y, fit_intercept=fit_intercept, method="eigen")
    svd = Spectral(X, Y, fit_intercept=fit_intercept, method="svd")
    assert eig.method in ("cov", "gram") and svd.method == "svd"
    assert_close(eig.eigenvalues, svd.eigenvalues, 1e-12)
    assert_close(eig.path(ALPHAS[1:]), svd.path(ALPHAS[1:]), 1e-10)
    assert_close(eig.loo_mse(LOO_ALPHAS, per_target=True),
                 svd.loo_mse(LOO_ALPHAS, per_target=True), 1e-10)


def test_ill_conditioned_columns_choose_svd_and_stay_accurate():
    # Columns scaled 1 ... 1e-6: κ(X) ≈ 1e6, κ(XᵀX) ≈ 1e12.  Zero-residual targets, so the
    # least-squares solution (α = 0) is determined to about eps · κ(X).
    rng = np.random.default_rng(8)
    X = rng.standard_normal((60, 6)) * np.logspace(0, -6, 6)
    y = X @ rng.standard_normal(6)
    reference = lstsq(X, y)  # equilibrated QR with extended-precision refinement
    S = Spectral(X, y)
    assert S.method == "svd"
    err = np.linalg.norm(S.coef(0.0)[:, 0] - reference) / np.linalg.norm(reference)
    assert err < 1e-9
    # What the rule avoids: the Gram route loses about κ(X) more digits here.
    forced = Spectral(X, y, method="eigen").coef(0.0)[:, 0]
    assert np.linalg.norm(forced - reference) / np.linalg.norm(reference) > 100 * err


def test_ill_conditioned_loo_matches_brute_force():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((25, 4)) * np.logspace(0, -5, 4)
    y = X @ rng.standard_normal(4) + 1e-3 * rng.standard_normal(25)
    alphas = [1e-12, 1e-8, 1e-4]
    for fit_intercept in (False, True):
        S = Spectral(X, y, fit_intercept=fit_intercept)
        assert S.method == "svd"
        assert_close(S.loo_mse(alphas, per_target=True),
                     brute_force_loo_mse(X, y, alphas, fit_intercept), 1e-6)


@pytest.mark.parametrize("shape", [(300, 5), (5, 300)], ids=["tall", "wide"])
def test_large_means_are_centred_exactly(shape, monkeypatch):
    # Means 1e6 around unit noise: XᵀX − n·x̄x̄ᵀ would lose ~eps·1e12 ≈ 1e-4 here.  Several
    # centring blocks, to exercise the blocked passes.
    monkeypatch.setattr(_spectral, "_BLOCK", 64)
    rng = np.random.default_rng(10)
    n, d = shape
    noise = rng.standard_normal((n, d))
    X = 1e6 + noise
    Y = 5e5 + noise @ rng.standard_normal((d, 2)) + rng.standard_normal((n, 2))
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)  # exact: nearby floats subtract exactly
    S = Spectral(X, Y, fit_intercept=True)
    assert S.method == ("cov" if n > d else "gram")
    for alpha in (1e-3, 1.0, 100.0):
        assert_close(S.coef(alpha), fr.ridge(Xc, Yc, alpha, solver="svd"), 1e-9)
    if n < 50:
        assert_close(S.loo_mse(LOO_ALPHAS, per_target=True),
                     brute_force_loo_mse(Xc, Yc, LOO_ALPHAS, True), 1e-9)
    else:  # brute force is slow at n = 300: compare with the SVD route instead
        assert_close(S.loo_mse(LOO_ALPHAS, per_target=True),
                     Spectral(Xc, Yc, fit_intercept=True, method="svd")
                     .loo_mse(LOO_ALPHAS, per_target=True), 1e-9)


@pytest.mark.parametrize("mean, shifted", [(0.5, True), (1e6, False)])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape, method", [((9, 60), "gram"), ((60, 9), "cov")],
                         ids=["wide", "tall"])
def test_centring_by_subtraction_only_when_safe(shape, method, mean, shifted, order,
                                                monkeypatch):
    # With an intercept, XXᵀ is double-centred by subtraction and Xcᵀ A formed as
    # Xᵀ(A − 1Āᵀ) ("gram"), and U = Xc V / s as X V / s − 1 x̄ᵀV / s ("cov"), for modest
    # means only; means 1e6 around unit noise must take the exact blockwise centring.
    # Both must match the same problem centred beforehand.
    monkeypatch.setattr(_spectral, "_BLOCK", 100)  # several row blocks on the tall side
    rng = np.random.default_rng(15)
    n, d = shape
    noise = rng.standard_normal(shape)
    X = np.asarray(mean + noise, order=order)
    Y = noise @ rng.standard_normal((d, 2)) + rng.standard_normal((n, 2))
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    S = Spectral(X, Y, fit_intercept=True)
    assert S.method == method and S._shift_ok is shifted
    ref = Spectral(Xc, Yc, fit_intercept=True, method="svd")
    assert_close(S.path(LOO_ALPHAS), ref.path(LOO_ALPHAS), 1e-9)
    assert_close(S.coef(1.0), ref.coef(1.0), 1e-9)  # "gram": the uncached back-transform
    assert_close(S.loo_mse(LOO_ALPHAS, per_target=True),
                 brute_force_loo_mse(Xc, Yc, LOO_ALPHAS, True), 1e-9)


def _conditioned_with_means(n, d, kappa, ratio, seed):
    """Centred X with singular values geomspace(1, 1/kappa), shifted by means with
    n‖x̄‖² = ratio·‖Xc‖²_F; targets from the centred part plus a little noise."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    U, _, Vt = np.linalg.svd(A - A.mean(axis=0), full_matrices=False)
    r = min(n - 1, d)
    s = np.geomspace(1.0, 1.0 / kappa, U.shape[1])
    s[r:] = 0.0
    Xc = (U * s) @ Vt
    mean = rng.standard_normal(d)
    mean *= np.sqrt(ratio * (Xc ** 2).sum() / n / (mean @ mean))
    Y = Xc @ rng.standard_normal((d, 2)) + 0.01 * rng.standard_normal((n, 2))
    return Xc + mean, Y


@pytest.mark.parametrize("shape", [(60, 300), (300, 60)], ids=["wide", "tall"])
@pytest.mark.parametrize("ratio", [1.0, 1e3])
def test_centring_shortcut_never_costs_accuracy(shape, ratio):
    # κ(Xc) = 300 and means ~30× the spread: subtracting n·x̄x̄ᵀ from XᵀX (or
    # double-centring XXᵀ) multiplies the Gram's rounding error by ~1 + ratio, which
    # κ(G) = 9e4 turns into ~1e-8 on the coefficients.  The eigen route must notice and
    # centre exactly, keeping the answer at the accuracy of an explicitly centred SVD.
    X, Y = _conditioned_with_means(*shape, kappa=300.0, ratio=ratio, seed=1)
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    S = Spectral(X, Y, fit_intercept=True)
    assert S.method == ("gram" if shape[0] < shape[1] else "cov")
    ref = Spectral(Xc, Yc, fit_intercept=True, method="svd")
    alphas = np.array([1e-6, 1e-3, 0.1, 1.0])
    assert_close(S.path(alphas), ref.path(alphas), 1e-10)
    assert_close(S.loo_mse(alphas, per_target=True), ref.loo_mse(alphas, per_target=True),
                 1e-10)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 14), d=st.integers(1, 14), k=st.integers(1, 3),
       seed=st.integers(0, 2**16), mean=st.sampled_from([0.0, 2.0, 1e5]),
       fit_intercept=st.booleans(), order=st.sampled_from(["C", "F"]),
       block=st.integers(1, 60), chunk=st.integers(1, 200),
       method=st.sampled_from(["auto", "svd", "eigen"]))
def test_blocked_loo_matches_brute_force_property(n, d, k, seed, mean, fit_intercept, order,
                                                  block, chunk, method):
    # Any shape, mean offset, layout, route and block/chunk sizes (several row blocks and
    # α chunks per block when small): leave-one-out equals refitting without each row.
    if method == "eigen" and not fit_intercept:
        mean = min(mean, 2.0)  # a forced Gram route squares κ(X) ≈ 1e5 of an offset of 1e5
    X, Y = make_data(n, d, k=k, seed=seed, order=order)
    X = np.asarray(X + mean, order=order)
    with mock.patch.object(_spectral, "_BLOCK", block), \
            mock.patch.object(_spectral, "_CHUNK", chunk):
        S = Spectral(X, Y, fit_intercept=fit_intercept, method=method)
        got = S.loo_mse(LOO_ALPHAS, per_target=True)
        res = S.loo_residuals(LOO_ALPHAS)
    want = brute_force_loo_mse(X, Y, LOO_ALPHAS, fit_intercept)
    # a forced Gram route squares κ; large means and float rounding of the brute force
    rtol = 1e-6 if method == "eigen" or mean > 1e3 else 1e-8
    assert_close(got, want, rtol)
    assert_close((res ** 2).mean(axis=1), got, 1e-12)


def test_float32_gram_in_float64(monkeypatch):
    monkeypatch.setattr(_spectral, "_BLOCK", 50)
    X, Y = make_data(200, 8, k=2, dtype=np.float32, seed=11)
    S = Spectral(X, Y, fit_intercept=True)
    assert S.method == "cov"
    ref = Spectral(X.astype(np.float64), Y.astype(np.float64), fit_intercept=True)
    coef = S.coef(1.0)
    assert coef.dtype == np.float32 and S.intercept(coef).dtype == np.float32
    # Same float32 data, Gram accumulated in float64: agreement far below float32 eps.
    assert_close(coef, ref.coef(1.0), 1e-6)
    assert_close(S.loo_mse(LOO_ALPHAS), ref.loo_mse(LOO_ALPHAS), 1e-10)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_blocks_and_chunks_do_not_change_results(monkeypatch, fit_intercept):
    for shape in ((50, 7), (7, 50)):
        X, Y = make_data(*shape, k=3, seed=12, order="F")
        S = Spectral(X, Y, fit_intercept=fit_intercept)
        path, mse = S.path(LOO_ALPHAS), S.loo_mse(LOO_ALPHAS, per_target=True)
        res = S.loo_residuals(LOO_ALPHAS)
        with monkeypatch.context() as m:
            m.setattr(_spectral, "_BLOCK", 20)
            m.setattr(_spectral, "_CHUNK", 300)  # two α per chunk at n·k = 150
            small = Spectral(X, Y, fit_intercept=fit_intercept)
            assert_close(small.path(LOO_ALPHAS), path, 1e-12)
            assert_close(small.loo_mse(LOO_ALPHAS, per_target=True), mse, 1e-12)
            assert_close(small.loo_residuals(LOO_ALPHAS), res, 1e-12)


def test_gram_route_cached_back_transform_matches_direct():
    X, Y = make_data(6, 40, k=2, seed=13)
    S = Spectral(X, Y, fit_intercept=True)
    assert S.method == "gram"
    one = S.coef(0.5)  # few columns: Xcᵀ(U M), nothing cached
    assert S._W is None
    many = S.path(np.linspace(0.1, 2.0, 10))  # 20 columns ≥ r: XcᵀU is cached
    assert S._W is not None
    assert_close(S.path([0.5])[0], one, 1e-12)
    assert_close(many[-1], S.coef(2.0), 1e-12)


def test_zero_X_gives_zero_coefficients():
    X = np.zeros((6, 3))
    y = np.arange(6.0)
    for fit_intercept in (False, True):
        S = Spectral(X, y, fit_intercept=fit_intercept)
        assert S.rank == 0
        np.testing.assert_array_equal(S.path([0.0, 1.0]), np.zeros((2, 3, 1)))
        # no features: the LOO prediction is 0, or the mean of the other samples
        expected = brute_force_loo_mse(X, y, [1.0], fit_intercept)
        assert_close(S.loo_mse([1.0], per_target=True), expected, 1e-12)


def test_spectral_rejects_unknown_method_and_loo_without_basis():
    X, y = make_data(10, 3)
    with pytest.raises(ValueError, match=r"method must be one of .* got 'qr'"):
        Spectral(X, y, method="qr")
    with pytest.raises(RuntimeError, match="loo=False"):
        Spectral(X, y, loo=False).loo_mse([1.0])


# --------------------------------------------------------------------------------------
# Leave-one-out against refitting
# --------------------------------------------------------------------------------------

# A forced Gram route on a square random matrix is not accurate to 1e-10: not asked of it.
@pytest.mark.parametrize("shape, method", [
    ((30, 5), "auto"), ((30, 5), "svd"), ((30, 5), "eigen"),
    ((8, 20), "auto"), ((8, 20), "svd"), ((8, 20), "eigen"),
    ((10, 10), "auto"), ((10, 10), "svd"),
], ids=["tall-auto", "tall-svd", "tall-eigen", "wide-auto", "wide-svd", "wide-eigen",
        "square-auto", "square-svd"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("k", [None, 3])
def test_loo_matches_brute_force(shape, method, k, fit_intercept):
    X, Y = make_data(*shape, k=k, seed=14)
    S = Spectral(X, Y, fit_intercept=fit_intercept, method=method)
    expected = brute_force_loo_mse(X, Y, LOO_ALPHAS, fit_intercept)  # (n_alphas, k)
    assert_close(S.loo_mse(LOO_ALPHAS, per_target=True), expected, 1e-10)
    assert_close(S.loo_mse(LOO_ALPHAS), expected.mean(axis=1), 1e-10)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_loo_residuals_shape_and_mean(fit_intercept):
    X, Y = make_data(12, 4, k=2, seed=15)
    S = Spectral(X, Y, fit_intercept=fit_intercept)
    res = S.loo_residuals(LOO_ALPHAS)
    assert res.shape == (LOO_ALPHAS.size, 12, 2) and res.dtype == np.float64
    assert_close((res**2).mean(axis=1), S.loo_mse(LOO_ALPHAS, per_target=True), 1e-14)
    # residual i is y_i minus the prediction of the model fitted without row i
    keep = np.arange(12) != 3
    Xt, Yt = X[keep], Y[keep]
    xm = Xt.mean(0) if fit_intercept else 0.0
    ym = Yt.mean(0) if fit_intercept else 0.0
    w = fr.ridge(Xt - xm, Yt - ym, LOO_ALPHAS[2], solver="svd")
    assert_close(res[2, 3], Y[3] - ym - (X[3] - xm) @ w, 1e-10)


def test_loo_float32_input():
    X, Y = make_data(30, 5, k=2, dtype=np.float32, seed=16)
    S = Spectral(X, Y, fit_intercept=True)
    expected = brute_force_loo_mse(X, Y, LOO_ALPHAS, True)  # same float32 data, in float64
    assert_close(S.loo_mse(LOO_ALPHAS, per_target=True), expected, 1e-10)


def test_loo_alpha_zero_tall_is_ols_loo():
    X, y = make_data(20, 3, seed=17)
    S = Spectral(X, y, fit_intercept=True)
    H = np.column_stack([X, np.ones(20)])
    P = H @ np.linalg.pinv(H)  # hat matrix of OLS with intercept
    r = y - P @ y
    assert_close(S.loo_mse([0.0]), [np.mean((r / (1 - np.diag(P))) ** 2)], 1e-10)


# --------------------------------------------------------------------------------------
# Against scikit-learn's RidgeCV (generalized cross-validation = exact LOO)
# --------------------------------------------------------------------------------------

def _sklearn_ridgecv(**kwargs):
    linear_model = pytest.importorskip("sklearn.linear_model")
    params = inspect.signature(linear_model.RidgeCV).parameters
    store = "store_cv_results" if "store_cv_results" in params else "store_cv_values"
    kwargs[store] = True
    return linear_model.RidgeCV(**kwargs), store.replace("store_", "") + "_"


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape, gcv_mode", [
    ((60, 8), "svd"), ((60, 8), "eigen"), ((10, 30), "svd"), ((10, 30), "eigen"),
], ids=["tall-svd", "tall-eigen", "wide-svd", "wide-eigen"])
@pytest.mark.parametrize("k", [None, 3])
def test_loo_matches_sklearn_ridgecv(shape, gcv_mode, fit_intercept, k):
    X, Y = make_data(*shape, k=k, seed=18)
    X = X + 2.0  # non-zero means
    model, attr = _sklearn_ridgecv(alphas=LOO_ALPHAS, fit_intercept=fit_intercept,
                                   gcv_mode=gcv_mode)
    model.fit(X, Y)
    cv = getattr(model, attr)  # (n, n_alphas) or (n, k, n_alphas): squared errors
    sk = cv.mean(axis=0).T if k else cv.mean(axis=0)[:, None]
    S = Spectral(X, Y, fit_intercept=fit_intercept)
    assert_close(S.loo_mse(LOO_ALPHAS, per_target=True), sk, 1e-8)
    mse = S.loo_mse(LOO_ALPHAS)
    best = LOO_ALPHAS[np.argmin(mse)]
    assert model.alpha_ == best
    assert_close(S.loo_residuals(LOO_ALPHAS) ** 2,
                 np.moveaxis(cv if k else cv[:, None, :], -1, 0), 1e-8)
    coef = S.coef(best)
    assert_close(coef.T if k else coef[:, 0], model.coef_, 1e-8)
    want = np.broadcast_to(model.intercept_, (k or 1,))  # scikit-learn: 0.0 without intercept
    assert_close(S.intercept(coef), want, 1e-8)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape", [(50, 6), (12, 40)], ids=["tall", "wide"])
def test_alpha_per_target_matches_sklearn(shape, fit_intercept):
    rng = np.random.default_rng(19)
    X = rng.standard_normal(shape)
    # targets with very different noise levels, so their best α differ
    Y = X @ rng.standard_normal((shape[1], 3)) + rng.standard_normal((shape[0], 3)) * [
        0.01, 1.0, 30.0]
    alphas = np.logspace(-3, 4, 15)
    model, attr = _sklearn_ridgecv(alphas=alphas, fit_intercept=fit_intercept,
                                   alpha_per_target=True)
    model.fit(X, Y)
    S = Spectral(X, Y, fit_intercept=fit_intercept)
    mse = S.loo_mse(alphas, per_target=True)  # (n_alphas, k)
    assert_close(mse, getattr(model, attr).mean(axis=0).T, 1e-8)
    best = alphas[np.argmin(mse, axis=0)]
    np.testing.assert_array_equal(best, model.alpha_)
    assert len(set(best)) > 1
    assert_close(S.coef(best).T, model.coef_, 1e-8)
    assert_close(S.intercept(S.coef(best)), np.broadcast_to(model.intercept_, (3,)), 1e-8)
