"""Regression tests for inputs and exit paths that misbehaved on some CPU or input.

Each test here failed on the code before its fix: a Cholesky request on a numerically
singular Gram matrix that succeeded on AVX2 rounding, numeric object arrays refused,
float16 X refused while float16 y was accepted, LAPACK's raw ?syevd text for a Gram
matrix that overflows, an unhelpful K-fold message after one ``partial_fit``, and Dask
accepting all-zero weights that ``Ridge`` refuses.
"""
import warnings

import numpy as np
import pytest

import fastridge as fr
from fastridge import reference
from fastridge._policy import singular_rcond


def _data(n, d, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n if k is None else (n, k))
    return X, y


# -- an explicit Cholesky request on a singular Gram matrix raises on every CPU ------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["primal", "dual"])
def test_explicit_cholesky_refuses_a_numerically_singular_gram(solver, dtype):
    # Exactly rank-deficient (a duplicated column, or row for the dual) at α = 0: whether
    # ?potrf meets a non-positive pivot depends on rounding, so on some CPUs and seeds it
    # "succeeds".  The condition estimate sees it either way.
    for seed in range(25):
        X, y = _data(30, 4, seed=seed)
        X = X.astype(dtype)
        dup = np.hstack([X, X[:, :1]]) if solver == "primal" else np.vstack([X.T, X.T[:1]])
        yy = y.astype(dtype) if solver == "primal" else y[:5].astype(dtype)
        with pytest.raises(np.linalg.LinAlgError,
                           match=r"(leading minor|numerically singular).*solver='svd'"):
            fr.ridge(dup, yy, alpha=0.0, solver=solver)
        # auto falls back to the SVD on the same data and says so
        model = fr.Ridge(alpha=0.0, fit_intercept=False).fit(dup, yy)
        assert model.solver_ == "svd"
        np.testing.assert_allclose(dup @ model.coef_, dup @ np.linalg.pinv(
            dup.astype(np.float64)) @ yy, rtol=0, atol=50 * np.finfo(dtype).eps * 30)


def test_explicit_cholesky_still_solves_ill_conditioned_but_regular_problems():
    # κ(G) = 1e8 is far above auto's sqrt(eps) fallback but far below the singular bound.
    rng = np.random.default_rng(3)
    U, _ = np.linalg.qr(rng.standard_normal((40, 4)))
    X = U * np.array([1.0, 1e-1, 1e-3, 1e-4])
    y = rng.standard_normal(40)
    coef = fr.ridge(X, y, alpha=0.0, solver="primal")
    np.testing.assert_allclose(coef, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-6)
    assert singular_rcond(4, np.float64) < 1e-8


# -- object arrays of numbers are converted; anything else is named ------------------------

def test_numeric_object_arrays_are_converted_like_scikit_learn():
    X, y = _data(12, 3, k=2)
    W = np.linspace(0.5, 2.0, 12)
    Xo, yo, Wo = X.astype(object), y.astype(object), W.astype(object)
    Xo[0, 0] = int(3)  # mixed Python ints and floats, as a pandas Int64 column gives
    X[0, 0] = 3.0
    np.testing.assert_array_equal(fr.ridge(Xo, yo, 1.0), fr.ridge(X, y, 1.0))
    np.testing.assert_array_equal(fr.Ridge().fit(Xo, yo, sample_weight=Wo).coef_,
                                  fr.Ridge().fit(X, y, sample_weight=W).coef_)
    np.testing.assert_array_equal(fr.ridge_path(Xo, yo, [0.1, 1.0]),
                                  fr.ridge_path(X, y, [0.1, 1.0]))
    np.testing.assert_array_equal(fr.RidgeCV().fit(Xo, yo).coef_, fr.RidgeCV().fit(X, y).coef_)
    np.testing.assert_array_equal(fr.lstsq(Xo, yo), fr.lstsq(X, y))
    assert fr.ridge(Xo, yo, 1.0).dtype == np.float64
    model = fr.Ridge().fit(X, y)
    np.testing.assert_array_equal(model.predict(Xo), model.predict(X))


@pytest.mark.parametrize("bad, what", [("a", "str"), ("1.5", "str"), (None, "missing value"),
                                       (1j, "complex"), ({"foo": 1}, "dict"),
                                       (b"1", "bytes")])
@pytest.mark.parametrize("name", ["X", "y", "sample_weight"])
def test_object_arrays_of_non_numbers_raise_naming_the_argument(name, bad, what):
    X, y = _data(6, 2)
    args = {"X": X.astype(object), "y": y.astype(object),
            "sample_weight": np.ones(6, dtype=object)}
    args[name][1] = bad
    before = {k: v.copy() for k, v in args.items()}
    with pytest.raises(TypeError, match=rf"{name} has dtype object holding a {what}"):
        fr.Ridge().fit(args["X"], args["y"], sample_weight=args["sample_weight"])
    for k in args:  # inputs untouched
        assert all(a is b or a == b for a, b in zip(args[k].ravel(), before[k].ravel()))


def test_pandas_nullable_columns_fit():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1, 2, 3, 5], "b": [0.5, 2.5, 3.0, 4.0]}).astype(
        {"a": "Int64", "b": "Float64"})
    y = np.array([1.0, 2.0, 2.5, 4.0])
    ref = fr.Ridge().fit(np.array([[1, 0.5], [2, 2.5], [3, 3.0], [5, 4.0]]), y)
    np.testing.assert_array_equal(fr.Ridge().fit(frame, y).coef_, ref.coef_)


def test_float16_is_computed_in_float32_for_x_and_y_alike():
    X, y = _data(20, 3)
    X16, y16 = X.astype(np.float16), y.astype(np.float16)
    for Xa, ya in [(X16, y16), (X16, y), (X16.astype(np.float32), y16)]:
        coef = fr.ridge(Xa, ya, 1.0)
        assert coef.dtype == np.float32
        expected = reference.ridge_normal_equations(X16.astype(np.float64),
                                                    np.asarray(ya, np.float64), 1.0)
        np.testing.assert_allclose(coef, expected, rtol=1e-4, atol=1e-5)
    assert fr.Ridge().fit(X16, y16).coef_.dtype == np.float32
    if np.dtype(np.longdouble).itemsize > 8:  # extended precision is refused, not rounded
        with pytest.raises(TypeError, match=r"X has dtype float\d+; expected float16"):
            fr.ridge(X.astype(np.longdouble), y)


# -- a Gram matrix that overflows: the same clear message on every path ---------------------

def test_overflowing_gram_says_rescale_everywhere():
    X, y = _data(50, 5, seed=1)
    big = X * 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings on the way
        for call in (lambda: fr.ridge_path(big, y, [1.0, 2.0]),
                     lambda: fr.RidgeCV().fit(big, y),
                     lambda: fr.RidgeCV().fit(big[:4], y[:4]),          # the n×n route
                     lambda: fr.ridge_path(big.T[:, :3], y[:5], [1.0]),
                     lambda: fr.Ridge().partial_fit(big, y).coef_):
            with pytest.raises(ValueError, match="overflows in float64; rescale X"):
                call()
        # Ridge falls back to the SVD, which never forms the squares
        model = fr.Ridge(alpha=1.0, fit_intercept=False).fit(big, y)
        assert model.solver_ == "svd"
        np.testing.assert_allclose(model.coef_ * 1e200,
                                   np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-8)


# -- streamed K-fold after too few blocks says what to do ------------------------------------

def test_ridgecv_partial_fit_once_says_how_to_fill_the_folds():
    X, y = _data(40, 3)
    model = fr.RidgeCV().partial_fit(X, y)
    with pytest.raises(ValueError, match=r"fold\(s\) \[1, 2, 3, 4\] received no rows.*"
                                         r"pass folds="):
        model.predict(X)
    folds = np.arange(40) % 5
    model = fr.RidgeCV().partial_fit(X, y, folds=folds)
    assert model.predict(X).shape == (40,)


# -- Dask refuses all-zero weights with Ridge's message --------------------------------------

def test_dask_refuses_all_zero_weights_like_ridge():
    da = pytest.importorskip("dask.array")
    import fastridge.dask as frd

    X, y = _data(30, 3)
    zero = np.zeros(30)
    with pytest.raises(ValueError, match="sample_weight must not be all zero") as in_memory:
        fr.Ridge().fit(X, y, sample_weight=zero)
    for model in (frd.Ridge(), frd.RidgeCV(n_splits=3)):
        with pytest.raises(ValueError, match="sample_weight must not be all zero") as err:
            model.fit(da.from_array(X, chunks=(10, 3)), da.from_array(y, chunks=10),
                      da.from_array(zero, chunks=10))
        assert str(err.value) == str(in_memory.value)
