"""KernelRidge and KernelRidgeCV: scikit-learn's KernelRidge for every kernel, the dual
identity with Ridge, leave-one-out and K-fold against brute-force refits and
GridSearchCV, dtypes, layouts, weights, no-overwrite, errors."""
import pickle
import warnings

import numpy as np
import pytest

import fastridge as fr
from fastridge import _kernel_ridge, reference

KERNELS = ["linear", "poly", "rbf", "laplacian", "cosine", "sigmoid"]
GAMMA = {"linear": None, "cosine": None, "rbf": 0.3, "laplacian": 0.2, "poly": 0.2,
         "sigmoid": 0.05}


def data(n=40, d=5, k=None, seed=0, dtype=np.float64, order="C"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    f = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2
    y = f[:, None] + 0.3 * rng.standard_normal((n, 1 if k is None else k))
    y = y[:, 0] if k is None else y
    return np.asarray(X, dtype=dtype, order=order), np.asarray(y, dtype=dtype)


def model(kernel, **kw):
    return fr.KernelRidge(kernel=kernel, gamma=GAMMA[kernel], coef0=0.5, **kw)


# ----------------------------------------------------------------------------- KernelRidge

@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_equals_scikit_learn(kernel, k, weighted):
    kernel_ridge = pytest.importorskip("sklearn.kernel_ridge")
    X, y = data(k=k)
    Xt, _ = data(n=9, seed=5)
    sw = np.random.default_rng(1).uniform(0.3, 2.0, len(X)) if weighted else None
    alpha = 2.0 if k is None else np.array([2.0, 0.5, 2.0])  # per target: shared factors
    ours = model(kernel, alpha=alpha).fit(X, y, sample_weight=sw)
    theirs = kernel_ridge.KernelRidge(alpha=alpha, kernel=kernel, gamma=GAMMA[kernel],
                                      coef0=0.5).fit(X, y, sample_weight=sw)
    assert ours.solver_ == "cholesky"
    assert ours.dual_coef_.shape == theirs.dual_coef_.shape
    np.testing.assert_allclose(ours.dual_coef_, theirs.dual_coef_, rtol=1e-10,
                               atol=1e-12 * np.abs(theirs.dual_coef_).max())
    np.testing.assert_allclose(ours.predict(Xt), theirs.predict(Xt), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
def test_equals_reference(kernel):
    X, y = data(k=2)
    sw = np.random.default_rng(2).uniform(0.0, 2.0, len(X))  # zero weights included
    m = model(kernel, alpha=0.7).fit(X, y, sample_weight=sw)
    K = reference.pairwise_kernel(X, kernel=kernel, gamma=GAMMA[kernel], coef0=0.5)
    np.testing.assert_allclose(m.dual_coef_, reference.kernel_ridge_dual(K, y, 0.7, sw),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("k", [None, 4])
def test_linear_kernel_is_ridge_in_dual_form(k):
    X, y = data(n=25, d=60, k=k)  # wide: the dual is the natural route
    kr = fr.KernelRidge(alpha=1.5).fit(X, y)
    ridge = fr.Ridge(alpha=1.5, fit_intercept=False).fit(X, y)
    coef = X.T @ kr.dual_coef_  # w = Xᵀa (docs/math.md §1.6)
    np.testing.assert_allclose(coef, ridge.coef_.T, rtol=1e-10, atol=1e-13)
    Xt, _ = data(n=7, d=60, seed=3)
    np.testing.assert_allclose(kr.predict(Xt), ridge.predict(Xt), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("kernel", ["rbf", "laplacian", "poly"])
def test_dtype_order_and_no_overwrite(dtype, order, kernel):
    X, y = data(k=2, dtype=dtype, order=order)
    sw = np.linspace(0.5, 2.0, len(X)).astype(dtype)
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    m = model(kernel, alpha=1.0).fit(X, y, sample_weight=sw)
    assert m.dual_coef_.dtype == dtype and m.predict(X).dtype == dtype
    ref = model(kernel, alpha=1.0).fit(X.astype(np.float64), y.astype(np.float64),
                                       sample_weight=sw.astype(np.float64))
    tol = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(m.dual_coef_, ref.dual_coef_, rtol=tol,
                               atol=tol * np.abs(ref.dual_coef_).max())
    for a, a0 in ((X, X0), (y, y0), (sw, sw0)):
        np.testing.assert_array_equal(a, a0)


def test_single_sample_and_precomputed():
    X, y = data(n=1)
    m = fr.KernelRidge(alpha=0.5, kernel="rbf").fit(X, y)
    np.testing.assert_allclose(m.dual_coef_, y / 1.5)  # K = [[1]]
    X, y = data(k=2)
    Xt, _ = data(n=6, seed=4)
    rbf = fr.KernelRidge(alpha=0.3, kernel="rbf", gamma=0.3).fit(X, y)
    K = fr.kernels.pairwise(X, kernel="rbf", gamma=0.3)
    K0 = K.copy()
    pre = fr.KernelRidge(alpha=0.3, kernel="precomputed").fit(K, y)
    np.testing.assert_array_equal(K, K0)  # the user's kernel is not overwritten
    np.testing.assert_allclose(pre.dual_coef_, rbf.dual_coef_, rtol=1e-12)
    Kt = fr.kernels.pairwise(Xt, X, kernel="rbf", gamma=0.3)
    np.testing.assert_allclose(pre.predict(Kt), rbf.predict(Xt), rtol=1e-12)
    with pytest.raises(ValueError, match="one column per training sample"):
        pre.predict(Xt)


def test_not_positive_definite_falls_back_to_the_pseudo_inverse():
    X, y = data(n=30, d=3)  # the linear kernel has rank 3 < 30
    m = fr.KernelRidge(alpha=0.0).fit(X, y)
    assert m.solver_ == "eigen"
    np.testing.assert_allclose(m.dual_coef_, np.linalg.pinv(X @ X.T) @ y, rtol=1e-8,
                               atol=1e-10)
    # an indefinite (sigmoid) kernel: scikit-learn falls back to least squares
    kernel_ridge = pytest.importorskip("sklearn.kernel_ridge")
    s = fr.KernelRidge(alpha=0.01, kernel="sigmoid", gamma=0.5, coef0=1).fit(X, y)
    assert s.solver_ == "eigen"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = kernel_ridge.KernelRidge(alpha=0.01, kernel="sigmoid", gamma=0.5,
                                     coef0=1).fit(X, y)
    np.testing.assert_allclose(s.predict(X), t.predict(X), rtol=1e-7, atol=1e-8)


def test_callable_kernel_and_params():
    X, y = data(n=15)
    m = fr.KernelRidge(alpha=1.0, kernel=lambda a, b, c: float(a @ b) + c,
                       kernel_params={"c": 2.0}).fit(X, y)
    np.testing.assert_allclose(
        m.dual_coef_, reference.kernel_ridge_dual(X @ X.T + 2.0, y, 1.0), rtol=1e-10)


@pytest.mark.parametrize("est, X, y, err, match", [
    (fr.KernelRidge(kernel="nope"), np.ones((3, 2)), np.ones(3), ValueError,
     "kernel must be one of"),
    (fr.KernelRidge(kernel="rbf", gamma=-1.0), np.ones((3, 2)), np.ones(3), ValueError,
     "gamma must be > 0"),
    (fr.KernelRidge(alpha=-1.0), np.ones((3, 2)), np.ones(3), ValueError,
     "alpha must be finite and >= 0"),
    (fr.KernelRidge(alpha=[1.0, 2.0]), np.ones((3, 2)), np.ones(3), ValueError,
     r"alpha must be a scalar or have shape \(1,\)"),
    (fr.KernelRidge(), np.ones((3, 2)), np.ones(4), ValueError,
     "X has 3 samples but y has 4"),
    (fr.KernelRidge(kernel="precomputed"), np.ones((3, 2)), np.ones(3), ValueError,
     "a square matrix"),
    (fr.KernelRidge(), np.ones((3, 2)), None, ValueError, "requires y to be passed"),
    (fr.KernelRidgeCV(alphas=[0.0, 1.0]), np.ones((3, 2)), np.ones(3), ValueError,
     "alphas must be > 0 for KernelRidgeCV"),
    (fr.KernelRidgeCV(), np.ones((1, 2)), np.ones(1), ValueError, "at least 2 samples"),
    (fr.KernelRidgeCV(scoring="accuracy"), np.ones((3, 2)), np.ones(3), ValueError,
     "scoring must be None or one of"),
    (fr.KernelRidgeCV(cv=1), np.ones((3, 2)), np.ones(3), ValueError, "cv must be >= 2"),
    (fr.KernelRidgeCV(n_targets_batch=0), np.ones((3, 2)), np.ones(3), ValueError,
     "n_targets_batch must be >= 1"),
])
def test_bad_input(est, X, y, err, match):
    with pytest.raises(err, match=match):
        est.fit(X, y)


def test_predict_checks_and_sklearn_conventions():
    X, y = data()
    with pytest.raises(fr.NotFittedError):
        fr.KernelRidge().predict(X)
    m = fr.KernelRidge(kernel="rbf").fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features, but KernelRidge is expecting 5"):
        m.predict(X[:, :4])
    assert m.get_params()["kernel"] == "rbf"
    assert repr(fr.KernelRidge(alpha=2.0, kernel="rbf")) == "KernelRidge(alpha=2.0, kernel='rbf')"
    clone = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(clone.predict(X), m.predict(X))
    assert 0.5 < m.score(X, y) <= 1.0


# --------------------------------------------------------------------------- KernelRidgeCV

ALPHAS = np.array([1e-3, 1e-2, 0.1, 1.0, 10.0])


def loo_splits(n):
    return [(np.delete(np.arange(n), i), np.array([i])) for i in range(n)]


def kernel_of(X, kernel="rbf"):
    return reference.pairwise_kernel(X, kernel=kernel, gamma=GAMMA[kernel], coef0=0.5)


@pytest.mark.parametrize("kernel", ["rbf", "linear", "sigmoid"])
@pytest.mark.parametrize("scoring", ["neg_mean_squared_error", "r2", "correlation"])
def test_loo_equals_brute_force_refits(kernel, scoring):
    X, y = data(n=30, k=2)
    m = fr.KernelRidgeCV(ALPHAS, kernel=kernel, gamma=GAMMA[kernel], coef0=0.5,
                         scoring=scoring, alpha_per_target=True).fit(X, y)
    assert m.cv_route_ == "loo"
    K = kernel_of(X, kernel)
    if scoring == "neg_mean_squared_error":
        ref = reference.kernel_ridge_cv_scores(K, y, ALPHAS, loo_splits(30))
    else:  # scored once over all leave-one-out predictions
        ref = np.array([[reference._fold_score(y[:, [t]], y[:, [t]] - e[:, None],
                                                scoring)[0] for t, e in enumerate(
            (y - _loo_predictions(K, y, a)).T)] for a in ALPHAS])
    np.testing.assert_allclose(m.cv_scores_, ref, rtol=1e-9, atol=1e-12)
    best = ALPHAS[np.argmax(ref, axis=0)]
    np.testing.assert_array_equal(m.alpha_, best)
    np.testing.assert_allclose(m.dual_coef_, np.column_stack(
        [reference.kernel_ridge_dual(K, y[:, t], best[t]) for t in range(2)]),
        rtol=1e-9, atol=1e-12)


def _loo_predictions(K, y, alpha):
    n = len(K)
    out = np.empty_like(y)
    for tr, te in loo_splits(n):
        out[te] = K[np.ix_(te, tr)] @ reference.kernel_ridge_dual(K[np.ix_(tr, tr)], y[tr],
                                                                  alpha)
    return out


def test_loo_with_weights_scores_the_weighted_error():
    X, y = data(n=25)
    sw = np.random.default_rng(3).uniform(0.2, 3.0, 25)
    m = fr.KernelRidgeCV(ALPHAS, kernel="rbf", gamma=0.3).fit(X, y, sample_weight=sw)
    K = kernel_of(X)
    for a, score in zip(ALPHAS, m.cv_scores_):
        e = np.empty(25)
        for tr, te in loo_splits(25):
            dual = reference.kernel_ridge_dual(K[np.ix_(tr, tr)], y[tr], a, sw[tr])
            e[te] = y[te] - K[np.ix_(te, tr)] @ dual
        np.testing.assert_allclose(score, -np.mean(sw * e ** 2), rtol=1e-9)
    with pytest.raises(ValueError, match="with sample_weight needs cv"):
        fr.KernelRidgeCV(ALPHAS, scoring="r2").fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("route", ["heldout", "per-fold"])
@pytest.mark.parametrize("scoring", ["neg_mean_squared_error", "r2", "correlation"])
@pytest.mark.parametrize("weighted", [False, True])
def test_kfold_equals_brute_force(route, scoring, weighted, monkeypatch):
    monkeypatch.setattr(_kernel_ridge, "kfold_route", lambda *args: route)
    X, y = data(n=37, k=3)
    sw = np.random.default_rng(4).uniform(0.2, 3.0, 37) if weighted else None
    m = fr.KernelRidgeCV(ALPHAS, kernel="rbf", gamma=0.3, cv=4, scoring=scoring,
                         alpha_per_target=True).fit(X, y, sample_weight=sw)
    assert m.cv_route_ == route and m.n_splits_ == 4
    bounds = [0, 10, 19, 28, 37]  # KFold(4): the first 37 % 4 folds one row longer
    splits = [(np.r_[0:a, b:37], np.arange(a, b)) for a, b in zip(bounds, bounds[1:])]
    ref = reference.kernel_ridge_cv_scores(kernel_of(X), y, ALPHAS, splits,
                                           sample_weight=sw, scoring=scoring)
    np.testing.assert_allclose(m.cv_scores_, ref, rtol=1e-9, atol=1e-12)


def test_zero_weights_and_other_splits_go_fold_by_fold():
    X, y = data(n=30)
    sw = np.ones(30)
    sw[[3, 17]] = 0.0
    m = fr.KernelRidgeCV(ALPHAS, kernel="rbf", gamma=0.3, cv=3).fit(X, y, sample_weight=sw)
    assert m.cv_route_ == "per-fold"
    splits = [(np.r_[0:a, a + 10:30], np.arange(a, a + 10)) for a in (0, 10, 20)]
    ref = reference.kernel_ridge_cv_scores(kernel_of(X), y, ALPHAS, splits,
                                           sample_weight=sw).mean(axis=1)
    np.testing.assert_allclose(m.cv_scores_, ref, rtol=1e-9)
    # training sets that are not the complement of the test fold (a forward chain)
    chain = [(np.arange(0, 10), np.arange(10, 20)), (np.arange(0, 20), np.arange(20, 30))]
    m = fr.KernelRidgeCV(ALPHAS, kernel="rbf", gamma=0.3, cv=chain).fit(X, y)
    assert m.cv_route_ == "per-fold"
    ref = reference.kernel_ridge_cv_scores(kernel_of(X), y, ALPHAS, chain).mean(axis=1)
    np.testing.assert_allclose(m.cv_scores_, ref, rtol=1e-9)


@pytest.mark.parametrize("scoring", ["neg_mean_squared_error", "r2"])
def test_kfold_equals_grid_search(scoring):
    model_selection = pytest.importorskip("sklearn.model_selection")
    kernel_ridge = pytest.importorskip("sklearn.kernel_ridge")
    X, y = data(n=48)
    groups = np.repeat(np.arange(8), 6)
    for cv, ours, g in ((model_selection.KFold(5), 5, None),
                        (model_selection.GroupKFold(4), model_selection.GroupKFold(4), groups)):
        m = fr.KernelRidgeCV(ALPHAS, kernel="rbf", gamma=0.3, cv=ours,
                             scoring=scoring).fit(X, y, groups=g)
        gs = model_selection.GridSearchCV(kernel_ridge.KernelRidge(kernel="rbf", gamma=0.3),
                                          {"alpha": ALPHAS}, cv=cv, scoring=scoring)
        gs.fit(X, y, groups=g)
        np.testing.assert_allclose(m.cv_scores_, gs.cv_results_["mean_test_score"],
                                   rtol=1e-9, atol=1e-12)
        assert m.alpha_ == gs.best_params_["alpha"]
        np.testing.assert_allclose(m.predict(X), gs.predict(X), rtol=1e-9, atol=1e-12)


def test_target_batches_and_float32():
    X, y = data(n=30, k=5)
    full = fr.KernelRidgeCV(ALPHAS, kernel="rbf", cv=3, alpha_per_target=True).fit(X, y)
    batched = fr.KernelRidgeCV(ALPHAS, kernel="rbf", cv=3, alpha_per_target=True,
                               n_targets_batch=2).fit(X, y)
    np.testing.assert_allclose(batched.cv_scores_, full.cv_scores_, rtol=1e-12)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    X0 = X32.copy()
    m32 = fr.KernelRidgeCV(ALPHAS, kernel="rbf").fit(X32, y32)
    assert m32.dual_coef_.dtype == np.float32 and m32.predict(X32).dtype == np.float32
    np.testing.assert_array_equal(X32, X0)
    m64 = fr.KernelRidgeCV(ALPHAS, kernel="rbf").fit(X, y)
    assert m32.alpha_ == m64.alpha_
    np.testing.assert_allclose(m32.predict(X32), m64.predict(X), rtol=1e-4, atol=1e-4)


def test_kfold_route_follows_the_flop_count():
    tests = [np.arange(i, i + 600) for i in range(0, 3000, 600)]
    splits = [(np.setdiff1d(np.arange(3000), te), te) for te in tests]
    assert _kernel_ridge.kfold_route(3000, splits, 20, 1) == "heldout"
    assert _kernel_ridge.kfold_route(3000, splits, 400, 1) == "per-fold"
