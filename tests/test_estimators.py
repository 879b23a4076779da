"""fastridge.Ridge (and RidgeCV where noted): scikit-learn conventions, intercept,
sample weights, dtypes, no-overwrite, errors."""
import pickle

import numpy as np
import pytest

import fastridge as fr
from fastridge import reference

SOLVERS = ("auto", "primal", "dual", "svd")


def make(n, d, k=None, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + shift
    y = rng.standard_normal(n if k is None else (n, k)) + 3.0
    return X, y


def reference_intercept_fit(X, y, alpha, sw=None):
    """Explicitly centre (weighted) X and y, solve with the NumPy reference."""
    sw = np.ones(len(X)) if sw is None else sw
    xmean = sw @ X / sw.sum()
    ymean = sw @ y / sw.sum()
    root = np.sqrt(sw)[:, None]
    Yc = (y - ymean).reshape(len(X), -1)
    coef = reference.ridge_normal_equations(root * (X - xmean), root * Yc, alpha)
    coef = coef[:, 0] if y.ndim == 1 else coef.T
    intercept = ymean - coef @ xmean if y.ndim == 1 else ymean - coef @ xmean
    return coef, intercept


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("shape", [(60, 5), (7, 30), (12, 12), (2, 4), (30, 1)])
@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("order", ["C", "F"])
def test_intercept_and_weights_match_reference(solver, shape, k, weighted, order):
    X, y = make(*shape, k=k, seed=sum(shape), shift=4.0)
    X = np.asarray(X, order=order)
    sw = np.random.default_rng(1).uniform(0.2, 3.0, len(X)) if weighted else None
    model = fr.Ridge(alpha=0.7, solver=solver).fit(X, y, sample_weight=sw)
    coef, intercept = reference_intercept_fit(X, y, 0.7, sw)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.predict(X), X @ coef.T + intercept, rtol=1e-8,
                               atol=1e-9)
    assert model.coef_.shape == ((shape[1],) if k is None else (k, shape[1]))
    assert np.ndim(model.intercept_) == (0 if k is None else 1)
    assert model.n_features_in_ == shape[1]


def test_no_intercept_equals_ridge_function():
    X, y = make(40, 6, k=2)
    model = fr.Ridge(alpha=2.0, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(model.coef_.T, fr.ridge(X, y, 2.0), rtol=1e-12)
    assert model.intercept_ == 0.0 and np.ndim(model.intercept_) == 0  # as scikit-learn


def test_large_means_stay_accurate():
    # Means 1e6 times the spread: centring X XᵀX − n x̄x̄ᵀ would lose ~12 digits.
    X, y = make(200, 4, seed=3)
    w = np.array([1.0, -2.0, 0.5, 3.0])
    y = X @ w + 5.0
    shifted = X + 1e6
    for solver in SOLVERS:
        model = fr.Ridge(alpha=1e-8, solver=solver).fit(shifted, y)
        np.testing.assert_allclose(model.coef_, w, rtol=1e-6, err_msg=solver)
        # predictions cancel ~1e6-sized terms: absolute accuracy ~1e6 · eps · |w|
        np.testing.assert_allclose(model.predict(shifted), y, atol=1e-7, err_msg=solver)


@pytest.mark.parametrize("shift", [0.0, 3.0, 30.0, 300.0, 1e4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_intercept_accuracy_across_mean_to_spread_ratios(shift, dtype):
    # Small mean/spread: the Gram is centred by a rank-one correction; large: blockwise.
    # Either way the answer must be that of explicitly centred data, to working accuracy.
    X, y = make(400, 6, seed=21)
    w = np.linspace(-1, 1, 6)
    y = X @ w + 0.1 * y
    Xs = (X + shift).astype(dtype)
    model = fr.Ridge(alpha=0.5, solver="primal").fit(Xs, y.astype(dtype))
    coef, intercept = reference_intercept_fit(Xs.astype(np.float64), y, 0.5)
    tol = 2e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(model.coef_, coef, rtol=tol, atol=tol)


def test_auto_accounts_for_the_centring_shortcut():
    # Means ~40× the spread (within the rank-one centring's limit) on data with
    # κ(Xc) = 1e3: the shortcut's error, ~(1 + 40²)·eps·κ(G), would reach ~1e-6 on the
    # coefficients.  solver="auto" must see that in its condition estimate and give the
    # answer of exactly centred data.
    rng = np.random.default_rng(22)
    A = rng.standard_normal((500, 8))
    U, _, Vt = np.linalg.svd(A - A.mean(axis=0), full_matrices=False)
    Xc = (U * np.geomspace(1.0, 1e-3, 8)) @ Vt * np.sqrt(500)
    X = Xc + 40.0 * Xc.std(axis=0)  # every column: mean 40 standard deviations
    assert 1e3 < (X.mean(axis=0) ** 2 / Xc.var(axis=0)).max() < 8e3  # shortcut's range
    y = Xc @ np.linspace(-1, 1, 8) + 0.01 * rng.standard_normal(500)
    model = fr.Ridge(alpha=1e-9).fit(X, y)
    coef, _ = reference_intercept_fit(X, y, 1e-9)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9, atol=1e-9 * np.abs(coef).max())


def test_weights_equal_repetition_and_zero_equals_dropping():
    X, y = make(15, 3, seed=4)
    reps = np.array([1, 2, 0, 3, 1, 1, 0, 2, 1, 1, 4, 1, 1, 0, 2])
    weighted = fr.Ridge(alpha=0.5).fit(X, y, sample_weight=reps.astype(float))
    repeated = fr.Ridge(alpha=0.5).fit(np.repeat(X, reps, axis=0), np.repeat(y, reps))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-10)


def test_auto_records_the_solver_that_ran():
    X, y = make(30, 4)
    assert fr.Ridge(alpha=1.0).fit(X, y).solver_ == "primal"
    assert fr.Ridge(alpha=1.0).fit(X[:3], y[:3]).solver_ == "dual"
    assert fr.Ridge(alpha=0.0).fit(X, y).solver_ == "svd"
    dup = np.hstack([X, X[:, :1]])  # rank deficient: Cholesky fails at tiny α
    assert fr.Ridge(alpha=1e-300, fit_intercept=False).fit(dup, y).solver_ == "svd"
    with pytest.raises(np.linalg.LinAlgError, match="leading minor"):
        fr.Ridge(alpha=0.0, solver="primal", fit_intercept=False).fit(dup, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_stability(dtype):
    X, y = make(50, 4)
    model = fr.Ridge().fit(X.astype(dtype), y.astype(dtype))
    assert model.coef_.dtype == dtype
    assert model.predict(X.astype(dtype)).dtype == dtype
    ref = fr.Ridge().fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-4 if dtype == np.float32
                               else 1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_inputs_not_modified(dtype, order, solver):
    X, y = make(20, 30 if solver == "dual" else 5, k=2)
    X = np.asarray(X, dtype=dtype, order=order)
    y = np.asarray(y, dtype=dtype, order=order)
    sw = np.linspace(0.5, 2, 20).astype(dtype)
    alpha = np.array([0.5, 2.0])
    copies = [a.copy() for a in (X, y, sw, alpha)]
    model = fr.Ridge(alpha=alpha, solver=solver).fit(X, y, sample_weight=sw)
    model.predict(X)
    for before, after in zip(copies, (X, y, sw, alpha)):
        np.testing.assert_array_equal(before, after)
    assert model.alpha is alpha  # parameters are stored, not copied or changed


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(fr.NotFittedError, match="not fitted yet"):
        fr.Ridge().predict(np.ones((2, 2)))
    assert issubclass(fr.NotFittedError, ValueError)
    assert issubclass(fr.NotFittedError, AttributeError)


@pytest.mark.parametrize("params, X, y, err, match", [
    ({"solver": "cholesky"}, np.ones((4, 2)), np.ones(4), ValueError, "solver must be one of"),
    ({"alpha": -1.0}, np.ones((4, 2)), np.ones(4), ValueError, "alpha must be finite and >= 0"),
    ({"alpha": np.nan}, np.ones((4, 2)), np.ones(4), ValueError, "alpha must be finite"),
    ({"alpha": [1.0, 2.0]}, np.ones((4, 2)), np.ones(4), ValueError, r"shape \(1,\)"),
    ({}, np.ones((4, 2)), None, ValueError, "requires y to be passed"),
    ({}, np.ones(4), np.ones(4), ValueError, "Reshape your data"),
    ({}, np.ones((4, 2)), np.ones(3), ValueError, "X has 4 samples but y has 3"),
    ({}, np.full((4, 2), np.nan), np.ones(4), ValueError, "NaN or infinity"),
    ({}, np.ones((4, 2)) + 1j, np.ones(4), TypeError, "Complex data not supported"),
    ({}, np.ones((0, 2)), np.ones(0), ValueError, "0 sample"),
])
def test_fit_bad_input(params, X, y, err, match):
    with pytest.raises(err, match=match):
        fr.Ridge(**params).fit(X, y)


def test_predict_wrong_number_of_features():
    model = fr.Ridge().fit(np.eye(4), np.arange(4.0))
    with pytest.raises(ValueError, match="X has 3 features, but Ridge is expecting 4"):
        model.predict(np.ones((2, 3)))


def test_negative_sample_weight_raises():
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        fr.Ridge().fit(np.eye(3), np.ones(3), sample_weight=[1.0, -1.0, 1.0])


def test_get_set_params_repr_pickle():
    model = fr.Ridge(alpha=3.0, fit_intercept=False)
    assert model.get_params() == {"alpha": 3.0, "fit_intercept": False, "solver": "auto",
                                  "tol": None, "max_iter": None}
    assert model.set_params(solver="svd") is model and model.solver == "svd"
    with pytest.raises(ValueError, match="Invalid parameter 'beta'"):
        model.set_params(beta=1)
    assert repr(model) == "Ridge(alpha=3.0, fit_intercept=False, solver='svd')"
    X, y = make(20, 3)
    model.fit(X, y)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))


def test_score_is_r2():
    X, y = make(50, 3, seed=9)
    model = fr.Ridge(alpha=0.1).fit(X, y)
    pred = model.predict(X)
    r2 = 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert model.score(X, y) == pytest.approx(r2, rel=1e-12)


def test_matches_scikit_learn_ridge():
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = make(80, 6, k=2, seed=11, shift=2.0)
    sw = np.random.default_rng(2).uniform(0.1, 2, 80)
    ours = fr.Ridge(alpha=1.5).fit(X, y, sample_weight=sw)
    theirs = linear_model.Ridge(alpha=1.5).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10)


# --- scikit-learn's own estimator checks ---------------------------------------------------

# Object arrays of numbers are converted (docs/math.md §3) and n_iter_ is 1 for a direct
# solve, so no check is expected to fail.
EXPECTED_FAILED = {}


def _sklearn_estimators():
    return [fr.Ridge(), fr.Ridge(fit_intercept=False, solver="svd")] + (
        [fr.RidgeCV()] if hasattr(fr, "RidgeCV") else [])


def test_scikit_learn_check_estimator():
    estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")
    import warnings

    for estimator in _sklearn_estimators():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "does not inherit from BaseEstimator"
            results = estimator_checks.check_estimator(
                estimator, on_fail=None, expected_failed_checks=EXPECTED_FAILED)
        failed = [(r["check_name"], str(r["exception"])[:200]) for r in results
                  if r["status"] == "failed"]
        assert not failed, f"{estimator!r}: {failed}"
        ran = [r for r in results if r["status"] == "passed"]
        assert len(ran) > 40


# --- RidgeCV -----------------------------------------------------------------------------

ALPHAS = np.logspace(-3, 3, 13)


@pytest.mark.parametrize("shape", [(25, 4), (9, 20)])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("k", [None, 2])
def test_ridgecv_loo_equals_brute_force_refits(shape, fit_intercept, k):
    X, y = make(*shape, k=k, seed=7, shift=1.5)
    alphas = [0.05, 0.5, 5.0]
    for per_target in (False, True):
        model = fr.RidgeCV(alphas, fit_intercept=fit_intercept,
                           alpha_per_target=per_target).fit(X, y)
        brute = np.array([reference.loo_squared_errors(X, y, a, fit_intercept)
                          for a in alphas])
        # brute.shape = (n_alphas, n, k)
        want = brute.mean(axis=1) if per_target and k else brute.mean(axis=(1, 2))
        np.testing.assert_allclose(model.loo_mse_, want, rtol=1e-9)
        best = np.argmin(want, axis=0)
        np.testing.assert_array_equal(model.alpha_, np.asarray(alphas)[best])


@pytest.mark.parametrize("shape, k, per_target", [
    ((80, 6), None, False), ((80, 6), 3, False), ((80, 6), 3, True),
    ((15, 40), 3, True), ((15, 40), None, False),
])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridgecv_matches_scikit_learn(shape, k, per_target, fit_intercept):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = make(*shape, k=k, seed=12, shift=3.0)
    ours = fr.RidgeCV(ALPHAS, fit_intercept=fit_intercept,
                      alpha_per_target=per_target).fit(X, y)
    theirs = linear_model.RidgeCV(ALPHAS, fit_intercept=fit_intercept,
                                  alpha_per_target=per_target).fit(X, y)
    np.testing.assert_array_equal(ours.alpha_, theirs.alpha_)
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=1e-8)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-12)
    assert np.shape(ours.alpha_) == np.shape(theirs.alpha_)
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)


def test_ridgecv_fit_equals_ridge_at_chosen_alpha():
    X, y = make(40, 5, k=2, seed=13, shift=2.0)
    model = fr.RidgeCV(ALPHAS, alpha_per_target=True).fit(X, y)
    ridge = fr.Ridge(alpha=model.alpha_).fit(X, y)
    np.testing.assert_allclose(model.coef_, ridge.coef_, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, ridge.intercept_, rtol=1e-9)
    assert model.loo_mse_.shape == (len(ALPHAS), 2)
    assert model.solver_ in ("eigen-primal", "eigen-dual", "svd")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_ridgecv_dtype_and_no_overwrite(dtype, order):
    X, y = make(30, 4, k=2, seed=14)
    X = np.asarray(X, dtype=dtype, order=order)
    y = np.asarray(y, dtype=dtype, order=order)
    alphas = np.array([0.1, 1.0, 10.0])
    copies = [a.copy() for a in (X, y, alphas)]
    model = fr.RidgeCV(alphas).fit(X, y)
    assert model.coef_.dtype == dtype and model.predict(X).dtype == dtype
    for before, after in zip(copies, (X, y, alphas)):
        np.testing.assert_array_equal(before, after)
    ref = fr.RidgeCV(alphas).fit(X.astype(np.float64), y.astype(np.float64))
    np.testing.assert_allclose(model.coef_, ref.coef_,
                               rtol=1e-4 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("alphas, X, y, err, match", [
    ([], np.eye(4), np.ones(4), ValueError, "non-empty 1-D"),
    ([1.0, -1.0], np.eye(4), np.ones(4), ValueError, ">= 0"),
    ([0.0, 1.0], np.eye(4), np.ones(4), ValueError, "must be > 0 for leave-one-out"),
    ([1.0, np.inf], np.eye(4), np.ones(4), ValueError, "finite"),
    (["a"], np.eye(4), np.ones(4), TypeError, "real numbers"),
    ([1.0], np.ones((1, 3)), np.ones(1), ValueError, "at least 2 samples"),
    ([1.0], np.eye(4), None, ValueError, "requires y to be passed"),
    ([1.0], np.eye(4), np.ones(3), ValueError, "X has 4 samples but y has 3"),
])
def test_ridgecv_bad_input(alphas, X, y, err, match):
    with pytest.raises(err, match=match):
        fr.RidgeCV(alphas).fit(X, y)


def test_ridgecv_predict_before_fit():
    with pytest.raises(fr.NotFittedError):
        fr.RidgeCV().predict(np.eye(2))
