"""fastridge.dask: one-pass Ridge / RidgeCV on Dask arrays, threaded scheduler and a real
multi-process LocalCluster, against the in-memory estimators."""
import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import fastridge as fr  # noqa: E402
import fastridge.dask as frd  # noqa: E402
from fastridge._ridgecv import RidgeCV  # noqa: E402


def make(n, d, k=None, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + shift * rng.standard_normal(d)
    y = X @ rng.standard_normal(d if k is None else (d, k))
    y = y + rng.standard_normal(y.shape) + 2.0
    return X, y


def close(a, b, rtol=1e-10):
    a, b = np.asarray(a), np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * (1 + np.abs(b).max()))


@pytest.fixture(scope="module")
def cluster_client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, memory_limit="1GiB")
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


ROW_CHUNKINGS = [(500,), (100, 7, 393), (1,) * 3 + (497,), (250, 250)]


@pytest.mark.parametrize("rows", ROW_CHUNKINGS)
@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_threaded_matches_in_memory(rows, k, weighted, fit_intercept):
    # without an intercept, large means make XᵀX ill-conditioned: keep them moderate there
    X, y = make(500, 7, k, seed=len(rows), shift=1e3 if fit_intercept else 1.0)
    sw = np.random.default_rng(2).uniform(0.1, 2.0, 500) if weighted else None
    cols = ((3, 4),) + (() if k is None else ((1, 2),))
    Xd = da.from_array(X, chunks=(rows, cols[0]))
    yd = da.from_array(y, chunks=(rows,) + cols[1:])
    swd = None if sw is None else da.from_array(sw, chunks=(rows,))
    model = frd.Ridge(alpha=0.7, fit_intercept=fit_intercept, split_every=2).fit(Xd, yd, swd)
    ref = fr.Ridge(alpha=0.7, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    close(model.coef_, ref.coef_)
    close(model.intercept_, ref.intercept_)
    pred = model.predict(Xd)
    assert isinstance(pred, da.Array) and pred.shape == y.shape
    close(pred.compute(), ref.predict(X), rtol=1e-9)


def test_reduction_is_a_tree():
    X, y = make(640, 3)
    Xd = da.from_array(X, chunks=(10, 3))  # 64 blocks
    yd = da.from_array(y, chunks=(10,))
    import dask
    seen = []
    real = frd._tree

    def spy(parts, combine, split_every):
        root = real(parts, combine, split_every)
        seen.append(dict(root.dask))
        return root

    frd._tree = spy
    try:
        frd.Ridge(split_every=4).fit(Xd, yd)
    finally:
        frd._tree = real
    graph = seen[0]
    merges = [k for k in graph if str(k).startswith("_merge_stats")]
    assert len(merges) == 16 + 4 + 1  # 64 → 16 → 4 → 1: depth 3, not a chain of 63
    assert dask is not None


def test_ridgecv_kfold_matches_streaming_and_brute_force():
    X, y = make(300, 5, seed=4, shift=50.0)
    alphas = [1e-3, 0.3, 10.0, 300.0]
    Xd = da.from_array(X, chunks=((70, 70, 1, 159), 5))
    model = frd.RidgeCV(alphas=alphas, n_splits=4).fit(Xd, y)
    fold = np.repeat(np.arange(4), 75)  # KFold(4): contiguous, equal sizes
    stream = RidgeCV(alphas=alphas).partial_fit(X, y, folds=fold, n_splits=4)
    close(model.cv_mse_, stream.cv_mse_)
    assert model.alpha_ == stream.alpha_
    sse = np.zeros(len(alphas))
    for a, alpha in enumerate(alphas):
        for f in range(4):
            m = fr.Ridge(alpha=alpha).fit(X[fold != f], y[fold != f])
            sse[a] += ((y[fold == f] - m.predict(X[fold == f])) ** 2).sum()
    close(model.cv_mse_, sse / 300)
    close(model.coef_, fr.Ridge(alpha=model.alpha_).fit(X, y).coef_)


def test_ridgecv_folds_array_and_uneven_kfold():
    X, y = make(103, 4, k=2, seed=6)
    fold = np.random.default_rng(1).integers(0, 3, 103)
    alphas = [0.1, 1.0, 10.0]
    Xd = da.from_array(X, chunks=(20, 4))
    model = frd.RidgeCV(alphas=alphas, n_splits=3, alpha_per_target=True).fit(
        Xd, y, folds=da.from_array(fold, chunks=20))
    stream = RidgeCV(alphas=alphas, alpha_per_target=True).partial_fit(X, y, folds=fold,
                                                                       n_splits=3)
    close(model.cv_mse_, stream.cv_mse_)
    np.testing.assert_array_equal(model.alpha_, stream.alpha_)
    # default folds of 103 rows in 3: sizes 35, 34, 34 like sklearn's KFold
    default = frd.RidgeCV(alphas=alphas, n_splits=3).fit(Xd, y)
    kfold = np.repeat(np.arange(3), [35, 34, 34])
    close(default.cv_mse_, RidgeCV(alphas=alphas).partial_fit(X, y, folds=kfold,
                                                               n_splits=3).cv_mse_)


def test_local_cluster_matches_in_memory(cluster_client):
    X, y = make(4000, 12, k=2, seed=9, shift=1e4)
    Xd = da.from_array(X, chunks=(333, 5))
    yd = da.from_array(y, chunks=(333, 2))
    model = frd.Ridge(alpha=2.0).fit(Xd, yd)
    ref = fr.Ridge(alpha=2.0).fit(X, y)
    close(model.coef_, ref.coef_)
    close(model.intercept_, ref.intercept_)
    close(model.predict(Xd).compute(), ref.predict(X), rtol=1e-9)
    cv = frd.RidgeCV(alphas=[0.1, 10.0, 1000.0], n_splits=3).fit(Xd, yd)
    kfold = np.repeat(np.arange(3), [1334, 1333, 1333])
    stream = RidgeCV(alphas=[0.1, 10.0, 1000.0]).partial_fit(X, y, folds=kfold, n_splits=3)
    close(cv.cv_mse_, stream.cv_mse_)
    assert cv.alpha_ == stream.alpha_
    # the work ran on both worker processes
    assert len(cluster_client.scheduler_info()["workers"]) == 2


def test_numpy_input_and_predict():
    X, y = make(50, 3)
    model = frd.Ridge().fit(X, y)
    close(model.coef_, fr.Ridge().fit(X, y).coef_)
    assert isinstance(model.predict(X), np.ndarray)


def test_bad_input():
    X, y = make(100, 4)
    Xd = da.from_array(X, chunks=(25, 4))
    with pytest.raises(ValueError, match=r"y must be chunked along rows like X: expected "
                                         r"row chunks \(25, 25, 25, 25\), got \(50, 50\)"):
        frd.Ridge().fit(Xd, da.from_array(y, chunks=50))
    with pytest.raises(ValueError, match="X has 100 samples but y has 99"):
        frd.Ridge().fit(Xd, da.from_array(y[:99], chunks=25))
    bad = X.copy()
    bad[60, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        frd.Ridge().fit(da.from_array(bad, chunks=(25, 4)), y)
    model = frd.Ridge().fit(Xd, y)
    with pytest.raises(ValueError, match="X has 3 features, but Ridge is expecting 4"):
        model.predict(Xd[:, :3])
    with pytest.raises(ValueError, match="n_splits=5 folds need at least 5 samples"):
        frd.RidgeCV().fit(Xd[:3], y[:3])
