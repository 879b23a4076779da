"""Streaming ridge: Ridge.partial_fit / RidgeCV.partial_fit (K-fold), the statistics
merge, fastridge.stream helpers (bounded-memory .npy reading, fit_stream)."""
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import fastridge as fr
from fastridge import _sufficient_stats as _stream, reference
from fastridge.stream import fit_stream, iter_npy_blocks, iter_npy_pairs, zip_strict

RidgeCV = getattr(fr, "RidgeCV", None) or __import__("fastridge._ridgecv",
                                                     fromlist=["RidgeCV"]).RidgeCV


def make(n, d, k=None, seed=0, shift=0.0, scale=1.0):
    rng = np.random.default_rng(seed)
    X = scale * rng.standard_normal((n, d)) + shift * rng.standard_normal(d)
    w = rng.standard_normal(d if k is None else (d, k))
    y = X @ w + rng.standard_normal(n if k is None else (n, k)) + 3.0
    return X, y


def chunks_of(n, cuts):
    edges = sorted({0, n, *[c % (n + 1) for c in cuts]})
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def stream_fit(model, X, y, sw, slices, **kw):
    for s in slices:
        model.partial_fit(X[s], y[s], None if sw is None else sw[s], **kw)
    return model


# -- partial_fit equals fit -------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(0, 200), max_size=8),
       fit_intercept=st.booleans(), weighted=st.booleans(),
       k=st.sampled_from([None, 1, 3]), dtype=st.sampled_from(["float64", "float32"]),
       order=st.sampled_from("CF"), seed=st.integers(0, 2**16))
def test_partial_fit_equals_fit_any_chunking(cuts, fit_intercept, weighted, k, dtype, order,
                                             seed):
    X, y = make(137, 6, k, seed=seed, shift=5.0)
    X, y = np.asarray(X, dtype, order=order), y.astype(dtype)
    sw = np.random.default_rng(seed).uniform(0.1, 3.0, len(X)).astype(dtype) if weighted else None
    ref = fr.Ridge(alpha=0.5, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    model = stream_fit(fr.Ridge(alpha=0.5, fit_intercept=fit_intercept), X, y, sw,
                       chunks_of(len(X), cuts))
    tol = 1e-10 if dtype == "float64" else 2e-3
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=tol, atol=tol * scale)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=tol,
                               atol=tol * (1 + np.abs(ref.intercept_).max()))
    assert model.coef_.dtype == np.dtype(dtype) and model.coef_.shape == ref.coef_.shape
    assert np.ndim(model.intercept_) == np.ndim(ref.intercept_)
    assert model.n_features_in_ == 6
    np.testing.assert_allclose(model.predict(X), ref.predict(X), rtol=tol,
                               atol=tol * (1 + np.abs(ref.predict(X)).max()))


@pytest.mark.parametrize("solver", ["auto", "primal", "svd"])
def test_solvers_and_alpha_per_target(solver):
    X, y = make(90, 5, k=3, seed=3)
    alpha = [0.1, 1.0, 10.0]
    ref = fr.Ridge(alpha=alpha, solver=solver).fit(X, y)
    model = stream_fit(fr.Ridge(alpha=alpha, solver=solver), X, y, None,
                       chunks_of(90, [10, 11, 50]))
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
    assert model.solver_ == ("primal" if solver == "auto" else solver)


def test_alpha_zero_wide_blocks_is_least_squares():
    # every block has fewer rows than features; together they determine w
    X, y = make(40, 8, seed=4)
    model = stream_fit(fr.Ridge(alpha=0.0), X, y, None, chunks_of(40, range(0, 40, 3)))
    ref = fr.Ridge(alpha=0.0).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-9)
    assert model.solver_ == "svd"


def test_large_means_stay_accurate():
    """Means 1e6 × the spread: partial_fit matches the float64 reference on explicitly
    centred data; the naive XᵀX − n x̄x̄ᵀ does not."""
    rng = np.random.default_rng(7)
    n, d = 3000, 5
    X = 1e6 * (1 + rng.random(d)) + rng.standard_normal((n, d))
    y = (X - X.mean(0)) @ rng.standard_normal(d) + 1e6 + rng.standard_normal(n)
    xm, ym = X.mean(0), y.mean()
    Xc, yc = X - xm, y - ym
    coef_ref = reference.ridge_normal_equations(Xc, yc, 1.0)
    model = stream_fit(fr.Ridge(alpha=1.0), X, y, None, chunks_of(n, [1, 500, 1700, 2999]))
    np.testing.assert_allclose(model.coef_, coef_ref, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, ym - xm @ coef_ref, rtol=1e-12)
    # the naive one-pass formula loses the digits
    G_naive = X.T @ X - n * np.outer(xm, xm)
    b_naive = X.T @ y - n * xm * ym
    coef_naive = np.linalg.solve(G_naive + np.eye(d), b_naive)
    assert np.abs(coef_naive - coef_ref).max() > 1e-6 * np.abs(coef_ref).max()


def test_statistics_merge_is_exact_on_shifted_data():
    X, y = make(500, 4, k=2, seed=8, shift=1e8, scale=0.5)
    parts = [_stream.block_stats(np.ascontiguousarray(X[s]), np.ascontiguousarray(y[s]))
             for s in chunks_of(500, [3, 100, 101, 333])]
    total = _stream.merge(parts)
    G, R = total.system(True)
    L = np.longdouble
    Xc = X.astype(L) - X.astype(L).mean(0)
    Yc = y.astype(L) - y.astype(L).mean(0)
    np.testing.assert_allclose(G, (Xc.T @ Xc).astype(float), rtol=1e-13)
    np.testing.assert_allclose(R, (Xc.T @ Yc).astype(float), rtol=1e-12,
                               atol=1e-12 * float(np.abs(Xc.T @ Yc).max()))
    np.testing.assert_allclose(total.yy, (Yc ** 2).sum(0).astype(float), rtol=1e-13)


def test_solve_is_lazy(monkeypatch):
    calls = []
    real = _stream.solve
    monkeypatch.setattr(_stream, "solve", lambda *a, **k: calls.append(1) or real(*a, **k))
    X, y = make(100, 3)
    model = fr.Ridge()
    for s in chunks_of(100, range(0, 100, 10)):
        model.partial_fit(X[s], y[s])
    assert calls == []
    model.coef_, model.intercept_, model.predict(X[:2])
    assert calls == [1]
    model.partial_fit(X[:5], y[:5])
    assert calls == [1]
    model.predict(X[:2])
    assert calls == [1, 1]


def test_fit_and_partial_fit_interplay():
    X, y = make(80, 3, seed=2)
    model = fr.Ridge().fit(X[:40], y[:40])
    model.partial_fit(X[40:], y[40:])  # starts a new stream: fit keeps no statistics
    np.testing.assert_allclose(model.coef_, fr.Ridge().fit(X[40:], y[40:]).coef_, rtol=1e-10)
    model.fit(X, y)  # fit discards the stream
    np.testing.assert_allclose(model.coef_, fr.Ridge().fit(X, y).coef_, rtol=1e-12)
    assert "_stream" not in vars(model)


def test_pickle_mid_stream():
    import pickle
    X, y = make(60, 3)
    model = fr.Ridge().partial_fit(X[:30], y[:30])
    clone = pickle.loads(pickle.dumps(model))
    clone.partial_fit(X[30:], y[30:])
    np.testing.assert_allclose(clone.coef_, fr.Ridge().fit(X, y).coef_, rtol=1e-10)


# -- bad input ----------------------------------------------------------------------------

def test_different_number_of_features_is_an_error():
    X, y = make(20, 4)
    model = fr.Ridge().partial_fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="X has 3 features, but Ridge is expecting 4"):
        model.partial_fit(X[10:, :3], y[10:])
    with pytest.raises(ValueError, match="expected 1-D y .* got y with 2 target columns"):
        model.partial_fit(X[10:], np.c_[y[10:], y[10:]])
    np.testing.assert_allclose(model.coef_, fr.Ridge().fit(X[:10], y[:10]).coef_)


def test_fit_stream_reports_the_bad_block():
    X, y = make(30, 4)
    blocks = [(X[:10], y[:10]), (X[10:20, :2], y[10:20])]
    with pytest.raises(ValueError, match=r"block 1: X has 2 features, but Ridge is "
                                         r"expecting 4 features"):
        fit_stream(fr.Ridge(), blocks)
    with pytest.raises(ValueError, match=r"block 0: expected a tuple \(X, y\)"):
        fit_stream(fr.Ridge(), [X])


def test_nonfinite_block_is_rejected_and_stream_continues():
    X, y = make(60, 3, shift=10.0)
    model = fr.Ridge().partial_fit(X[:20], y[:20])
    bad = X[20:40].copy()
    bad[5, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        model.partial_fit(bad, y[20:40])
    bad[5, 1] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        model.partial_fit(bad, y[20:40])
    with pytest.raises(ValueError, match="y contains NaN"):
        model.partial_fit(X[20:40], np.where(np.arange(20) == 3, np.nan, y[20:40]))
    model.partial_fit(X[40:], y[40:])
    keep = np.r_[0:20, 40:60]
    np.testing.assert_allclose(model.coef_, fr.Ridge().fit(X[keep], y[keep]).coef_,
                               rtol=1e-10)


def test_dual_solver_is_refused():
    X, y = make(10, 3)
    with pytest.raises(ValueError, match="solver='dual' needs all rows"):
        fr.Ridge(solver="dual").partial_fit(X, y)


# -- RidgeCV: K-fold from per-fold statistics ---------------------------------------------

def brute_force_kfold(X, y, fold, alphas, fit_intercept, sw=None):
    """Refit Ridge on the other folds for every α and fold; weighted MSE (n_alphas, k)."""
    sw = np.ones(len(X)) if sw is None else sw
    Y = y.reshape(len(X), -1)
    sse = np.zeros((len(alphas), Y.shape[1]))
    for a, alpha in enumerate(alphas):
        for f in np.unique(fold):
            tr, te = fold != f, fold == f
            m = fr.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X[tr], Y[tr],
                                                                       sample_weight=sw[tr])
            sse[a] += sw[te] @ (Y[te] - m.predict(X[te])) ** 2
    return sse / sw.sum()


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k", [None, 2])
def test_kfold_consecutive_blocks_matches_brute_force(fit_intercept, weighted, k):
    X, y = make(130, 5, k=k, seed=11, shift=3.0)
    sw = np.random.default_rng(1).uniform(0.2, 2.0, 130) if weighted else None
    alphas = [1e-3, 0.1, 3.0, 100.0, 1e4]
    slices = chunks_of(130, [17, 40, 41, 77, 100, 120])  # 7 blocks → folds 0,1,2,0,1,2,0
    model = RidgeCV(alphas=alphas, fit_intercept=fit_intercept, alpha_per_target=True)
    for i, s in enumerate(slices):
        model.partial_fit(X[s], y[s], None if sw is None else sw[s],
                          n_splits=3 if i == 0 else None)
    fold = np.concatenate([np.full(s.stop - s.start, i % 3) for i, s in enumerate(slices)])
    mse = brute_force_kfold(X, y, fold, alphas, fit_intercept, sw)
    expected = mse if k else mse[:, 0]
    np.testing.assert_allclose(model.cv_mse_, expected, rtol=1e-10)
    best = np.asarray(alphas)[np.argmin(expected, axis=0)]
    np.testing.assert_array_equal(model.alpha_, best)
    np.testing.assert_allclose(model.best_score_, -expected.min(axis=0), rtol=1e-10)
    ref = fr.Ridge(alpha=model.alpha_, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=1e-9, atol=1e-9)


def test_kfold_assignment_array_and_mean_over_targets():
    X, y = make(150, 4, k=3, seed=12, shift=1e4)
    fold = np.random.default_rng(0).integers(0, 4, 150)
    alphas = [0.01, 1.0, 30.0, 1000.0]
    model = RidgeCV(alphas=alphas)
    for s in chunks_of(150, [33, 90]):
        model.partial_fit(X[s], y[s], folds=fold[s], n_splits=4)
    mse = brute_force_kfold(X, y, fold, alphas, True).mean(axis=1)
    np.testing.assert_allclose(model.cv_mse_, mse, rtol=1e-10)
    assert model.alpha_ == alphas[int(np.argmin(mse))]
    assert model.solver_ == "eigen-primal"


def test_kfold_errors():
    X, y = make(40, 3)
    model = RidgeCV().partial_fit(X[:20], y[:20], n_splits=4)
    with pytest.raises(ValueError, match=r"n_splits is fixed by the first partial_fit call \(4\)"):
        model.partial_fit(X[20:], y[20:], n_splits=5)
    with pytest.raises(ValueError, match=r"fold\(s\) \[1, 2, 3\] received no rows"):
        model.coef_
    with pytest.raises(ValueError, match=r"folds must be in \[0, 4\)"):
        model.partial_fit(X[20:], y[20:], folds=np.full(20, 4))
    with pytest.raises(ValueError, match="n_splits must be >= 2"):
        RidgeCV().partial_fit(X, y, n_splits=1)


# -- fastridge.stream ----------------------------------------------------------------------

@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["<f8", ">f4", "<i4"])
@pytest.mark.parametrize("reuse,prefetch", [(False, False), (True, False), (False, True),
                                            (True, True)])
def test_iter_npy_blocks_roundtrip(tmp_path, order, dtype, reuse, prefetch):
    A = np.asarray(np.arange(1003 * 7).reshape(1003, 7), order=order).astype(dtype)
    path = tmp_path / "a.npy"
    np.save(path, A)
    blocks = [b.copy() for b in iter_npy_blocks(path, 100, start=2, stop=1001,
                                                reuse_buffer=reuse, prefetch=prefetch)]
    assert [len(b) for b in blocks] == [100] * 9 + [99]
    np.testing.assert_array_equal(np.concatenate(blocks), A[2:1001])
    assert blocks[0].dtype == np.dtype(dtype).newbyteorder("=")


def test_fit_stream_from_npy_files(tmp_path):
    X, y = make(2500, 6, k=2, seed=5, shift=100.0)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    blocks = zip(iter_npy_blocks(tmp_path / "X.npy", 300, reuse_buffer=True, prefetch=True),
                 iter_npy_blocks(tmp_path / "y.npy", 300))
    model = fit_stream(fr.Ridge(alpha=2.0), blocks)
    ref = fr.Ridge(alpha=2.0).fit(X, y).coef_
    np.testing.assert_allclose(model.coef_, ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())


def test_fit_stream_keeps_the_exception_class():
    # A complex block raises fastridge's DataTypeError (a TypeError and a ValueError);
    # fit_stream adds the block number without turning it into a plain ValueError.
    X, y = make(30, 4)
    blocks = [(X[:10], y[:10]), (X[10:20].astype(complex), y[10:20])]
    with pytest.raises(TypeError, match=r"^block 1: Complex data not supported") as info:
        fit_stream(fr.Ridge(), blocks)
    cause = info.value.__cause__
    assert type(info.value) is type(cause) and isinstance(info.value, ValueError)
    assert str(info.value) == f"block 1: {cause}"


class _NeedsTwoArguments(Exception):
    def __init__(self, code, text):
        super().__init__(code, text)


class _Raises:
    """A stand-in estimator whose partial_fit raises ``exc`` on its second call."""

    def __init__(self, exc):
        self.exc, self.calls = exc, 0

    def partial_fit(self, X, y):
        self.calls += 1
        if self.calls == 2:
            raise self.exc


@pytest.mark.parametrize("exc", [_NeedsTwoArguments(7, "bad"), KeyError("column 'a'")])
def test_fit_stream_notes_the_block_when_the_exception_cannot_be_rebuilt(exc):
    # A constructor that does not take one message (or, like KeyError, quotes it): the
    # same exception object is re-raised with a note naming the block.
    X, y = make(20, 2)
    with pytest.raises(type(exc)) as info:
        fit_stream(_Raises(exc), [(X[:10], y[:10]), (X[10:], y[10:])])
    assert info.value is exc
    assert getattr(exc, "__notes__", []) == ["raised by partial_fit on block 1 of fit_stream"]


def test_fit_stream_needs_partial_fit():
    with pytest.raises(TypeError, match="model must have a partial_fit method .* got object"):
        fit_stream(object(), [])


def test_zip_strict_pairs_or_raises():
    assert list(zip_strict([1, 2], "ab")) == [(1, "a"), (2, "b")]
    assert list(zip_strict([], [])) == [] and list(zip_strict()) == []
    with pytest.raises(ValueError, match=r"^stream 1 ended after 2 items but stream 0 had "
                                         r"more; paired streams must have the same length"):
        list(zip_strict([1, 2, 3], "ab"))
    with pytest.raises(ValueError, match=r"^X ended after 1 item but y had more"):
        list(zip_strict([1], "ab", names=["X", "y"]))
    with pytest.raises(ValueError, match="got 1 names for 2 iterables"):
        list(zip_strict([1], [2], names=["X"]))


def test_fit_stream_refuses_a_longer_y_stream(tmp_path):
    # The old idiom, zip(iter_npy_blocks(X), iter_npy_blocks(y)), silently fits the
    # first 900 rows of y and ignores the last 300; the strict pairing stops the fit.
    X, y = make(900, 3)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", np.r_[y, y[:300]])
    X_blocks = iter_npy_blocks(tmp_path / "X.npy", 300)
    y_blocks = iter_npy_blocks(tmp_path / "y.npy", 300)
    with pytest.raises(ValueError, match="X ended after 3 items but y had more"):
        fit_stream(fr.Ridge(), zip_strict(X_blocks, y_blocks, names=["X", "y"]))
    # A partial extra block (100 rows) is caught the same way.
    np.save(tmp_path / "y.npy", np.r_[y, y[:100]])
    with pytest.raises(ValueError, match="X ended after 3 items but y had more"):
        fit_stream(fr.Ridge(), zip_strict(iter_npy_blocks(tmp_path / "X.npy", 300),
                                          iter_npy_blocks(tmp_path / "y.npy", 300),
                                          names=["X", "y"]))


@pytest.mark.parametrize("n_y", [999, 1001])
def test_iter_npy_pairs_checks_row_counts_before_reading(tmp_path, n_y):
    X, y = make(1000, 3)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", np.resize(y, n_y))
    with pytest.raises(ValueError, match=rf"^X file .*X\.npy has 1000 rows but y file "
                                         rf".*y\.npy has {n_y}; they must match$"):
        iter_npy_pairs(tmp_path / "X.npy", tmp_path / "y.npy", 300)  # raises before reading


def test_iter_npy_pairs_checks_weights_and_shapes(tmp_path):
    X, y = make(50, 3)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "w.npy", np.ones(49))
    np.save(tmp_path / "w2.npy", np.ones((50, 1)))
    with pytest.raises(ValueError, match=r"X file .* has 50 rows but sample_weight file "
                                         r".*w\.npy has 49"):
        iter_npy_pairs(tmp_path / "X.npy", tmp_path / "y.npy", sample_weight_path=tmp_path / "w.npy")
    with pytest.raises(ValueError, match=r"sample_weight file .*w2\.npy holds an array of "
                                         r"shape \(50, 1\); expected 1-D"):
        iter_npy_pairs(tmp_path / "X.npy", tmp_path / "y.npy", sample_weight_path=tmp_path / "w2.npy")
    with pytest.raises(ValueError, match=r"X file .*y\.npy holds an array of shape \(50,\); "
                                         r"expected 2-D"):
        iter_npy_pairs(tmp_path / "y.npy", tmp_path / "y.npy")


@pytest.mark.parametrize("reuse,prefetch", [(False, False), (True, True)])
def test_iter_npy_pairs_fit_equals_fit_on_all_rows(tmp_path, reuse, prefetch):
    X, y = make(2500, 6, k=2, seed=5, shift=100.0)
    w = np.random.default_rng(1).uniform(0.5, 2.0, 2500)
    for name, a in [("X", X), ("y", y), ("w", w)]:
        np.save(tmp_path / f"{name}.npy", a)
    blocks = iter_npy_pairs(tmp_path / "X.npy", tmp_path / "y.npy", 300,
                            sample_weight_path=tmp_path / "w.npy", start=100, stop=2300,
                            reuse_buffer=reuse, prefetch=prefetch)
    model = fit_stream(fr.Ridge(alpha=2.0), blocks)
    rows = slice(100, 2300)
    ref = fr.Ridge(alpha=2.0).fit(X[rows], y[rows], sample_weight=w[rows]).coef_
    np.testing.assert_allclose(model.coef_, ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())
    pairs = list(iter_npy_pairs(tmp_path / "X.npy", tmp_path / "y.npy", 1000))
    assert [(len(a), len(b)) for a, b in pairs] == [(1000, 1000), (1000, 1000), (500, 500)]


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"block_rows": 2.7}, TypeError, "block_rows must be an integer; got 2.7 of type float"),
    ({"block_rows": 3.0}, TypeError, "block_rows must be an integer; got 3.0"),
    ({"block_rows": None}, TypeError, "block_rows must be an integer; got None"),
    ({"block_rows": True}, TypeError, "block_rows must be a number; got a bool"),
    ({"block_rows": "8"}, TypeError, "block_rows must be an integer; got '8'"),
    ({"block_rows": 0}, ValueError, "block_rows must be >= 1; got 0"),
    ({"start": -1}, ValueError, "start must be >= 0; got -1"),
    ({"start": 1.5}, TypeError, "start must be an integer; got 1.5"),
    ({"start": None}, TypeError, "start must be an integer; got None"),
    ({"stop": 2.0}, TypeError, "stop must be an integer; got 2.0"),
    ({"stop": -3}, ValueError, "stop must be >= 0; got -3"),
    ({"start": 5, "stop": 4}, ValueError, "stop must be >= start; got start=5, stop=4"),
])
@pytest.mark.parametrize("reader", ["blocks", "pairs"])
def test_block_rows_start_stop_are_validated(tmp_path, reader, kwargs, exc, message):
    np.save(tmp_path / "a.npy", np.zeros((10, 2)))
    np.save(tmp_path / "b.npy", np.zeros(10))
    kwargs = {"block_rows": 4, **kwargs}
    with pytest.raises(exc, match=re.escape(message)):  # at the call, before iterating
        if reader == "blocks":
            iter_npy_blocks(tmp_path / "a.npy", kwargs.pop("block_rows"), **kwargs)
        else:
            iter_npy_pairs(tmp_path / "a.npy", tmp_path / "b.npy", kwargs.pop("block_rows"),
                           **kwargs)


def test_numpy_integers_are_accepted_for_block_rows_start_stop(tmp_path):
    A = np.arange(20.0).reshape(10, 2)
    np.save(tmp_path / "a.npy", A)
    blocks = iter_npy_blocks(tmp_path / "a.npy", np.int64(4), start=np.int32(1),
                             stop=np.uint8(9))
    assert [b.tolist() for b in blocks] == [A[1:5].tolist(), A[5:9].tolist()]
    assert [len(b) for b in iter_npy_blocks(tmp_path / "a.npy", 4, stop=100)] == [4, 4, 2]


def test_iter_npy_blocks_bounded_memory(tmp_path):
    """Streaming a 160 MB file in 4 MB blocks raises peak RSS by far less than the file."""
    path = tmp_path / "big.npy"
    rows, d = 200_000, 100
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(rows, d))
    for r in range(0, rows, 20_000):
        mm[r:r + 20_000] = np.random.default_rng(r).standard_normal((20_000, d))
    mm.flush()
    del mm
    code = textwrap.dedent(f"""
        import numpy as np, fastridge as fr
        from fastridge.stream import iter_npy_blocks
        def hwm():
            for line in open('/proc/self/status'):
                if line.startswith('VmHWM'):
                    return int(line.split()[1]) * 1024
        base = hwm()
        model = fr.Ridge()
        for X in iter_npy_blocks({str(path)!r}, 5000, reuse_buffer=True):
            model.partial_fit(X, X[:, 0])
        model.coef_
        print(hwm() - base)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    grown = int(out.stdout.strip())
    assert grown < 40e6, f"peak RSS grew by {grown / 1e6:.0f} MB for a 160 MB file"


def test_import_fastridge_does_not_import_dask():
    code = "import sys, fastridge, fastridge.stream; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_fastridge_dask_without_dask_names_the_extra():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == 'dask' or name.startswith('dask.'):
                    raise ImportError('No module named ' + repr(name))
        sys.meta_path.insert(0, Block())
        try:
            import fastridge.dask
        except ImportError as e:
            print(e)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert "fastridge[dask]" in out.stdout and "'dask' extra" in out.stdout
