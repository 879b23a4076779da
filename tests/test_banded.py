"""BandedRidgeCV: brute force over (δ, α) per target on both sides (n ≤ d: kernels,
n > d: Gram matrix) and for splits that are not complements; one band is RidgeCV; a
noise band is switched off; candidates; errors; dtypes; no-overwrite."""
import numpy as np
import pytest

import fastridge as fr
from fastridge import _banded, reference

ALPHAS = np.array([0.1, 1.0, 10.0, 100.0])
DELTAS = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8], [1.0, 0.0], [0.0, 1.0]])


def data(n, d, k=3, seed=0, shift=2.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + shift
    Y = X[:, :3] @ rng.standard_normal((3, k)) + rng.standard_normal((n, k)) + 1.0
    return X, Y


def bands_of(d):
    return [np.arange(d // 3), np.arange(d // 3, d)]


def kfold(n, K):
    """scikit-learn's KFold(K): contiguous folds, the first n % K one row longer."""
    sizes = np.full(K, n // K)
    sizes[: n % K] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return [(np.r_[0:a, b:n], np.arange(a, b)) for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("n, d", [(36, 50), (60, 9)])  # kernel side, Gram side
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("scoring", ["neg_mean_squared_error", "r2", "correlation"])
def test_explicit_deltas_equal_brute_force(n, d, fit_intercept, scoring):
    X, Y = data(n, d)
    bands = bands_of(d)
    groups = np.where(np.arange(d) < d // 3, 3, 7)  # labels: the bands in sorted order
    m = fr.BandedRidgeCV(groups, ALPHAS, deltas=DELTAS, cv=4, scoring=scoring,
                         fit_intercept=fit_intercept).fit(X, Y)
    assert m.cv_route_ == "heldout"
    np.testing.assert_array_equal(m.band_labels_, [3, 7])
    ref = reference.banded_ridge_cv_scores(X, Y, bands, DELTAS, ALPHAS, kfold(n, 4),
                                           fit_intercept=fit_intercept, scoring=scoring)
    np.testing.assert_allclose(m.cv_scores_, ref, rtol=1e-8, atol=1e-10)
    flat = ref.reshape(-1, Y.shape[1])
    best = np.argmax(flat, axis=0)  # first on ties, candidates then α
    c, a = best // ALPHAS.size, best % ALPHAS.size
    np.testing.assert_array_equal(m.deltas_, DELTAS[c])
    np.testing.assert_array_equal(m.alpha_, ALPHAS[a])
    np.testing.assert_allclose(m.best_score_, flat[best, np.arange(Y.shape[1])], rtol=1e-8)
    for t in range(Y.shape[1]):
        w, b = reference.banded_ridge(X, Y[:, t], bands, DELTAS[c[t]], ALPHAS[a[t]],
                                      fit_intercept)
        np.testing.assert_allclose(m.coef_[t], w, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(m.intercept_[t] if fit_intercept else 0.0, b,
                                   rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(m.predict(X), X @ m.coef_.T + m.intercept_, rtol=1e-12)


@pytest.mark.parametrize("n, d", [(36, 50), (60, 9)])
def test_splits_that_are_not_complements(n, d):
    X, Y = data(n, d, k=2)
    chain = [(np.arange(0, n // 3), np.arange(n // 3, 2 * n // 3)),
             (np.arange(0, 2 * n // 3), np.arange(2 * n // 3, n))]
    m = fr.BandedRidgeCV(bands_of(d), ALPHAS, deltas=DELTAS, cv=chain).fit(X, Y)
    assert m.cv_route_ == "per-fold"
    ref = reference.banded_ridge_cv_scores(X, Y, bands_of(d), DELTAS, ALPHAS, chain)
    np.testing.assert_allclose(m.cv_scores_, ref, rtol=1e-8, atol=1e-10)
    best = np.argmax(ref.reshape(-1, 2), axis=0)
    c, a = best // ALPHAS.size, best % ALPHAS.size
    for t in range(2):
        w, _ = reference.banded_ridge(X, Y[:, t], bands_of(d), DELTAS[c[t]], ALPHAS[a[t]])
        np.testing.assert_allclose(m.coef_[t], w, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("n, d", [(40, 60), (70, 8)])
def test_one_band_is_ridgecv(n, d):
    X, Y = data(n, d, k=2)
    m = fr.BandedRidgeCV(np.zeros(d), ALPHAS, n_iter=5, cv=5, scoring="r2").fit(X, Y)
    r = fr.RidgeCV(ALPHAS, cv=5, scoring="r2", alpha_per_target=True).fit(X, Y)
    np.testing.assert_allclose(m.cv_scores_[0], r.cv_scores_, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(m.alpha_, r.alpha_)
    np.testing.assert_allclose(m.coef_, r.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.intercept_, r.intercept_, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(m.candidates_, np.ones((5, 1)))


def test_noise_band_is_switched_off_and_beats_ridgecv():
    rng = np.random.default_rng(7)
    n, d_sig, d_noise = 160, 15, 150
    X = rng.standard_normal((2 * n, d_sig + d_noise))
    Y = X[:, :d_sig] @ rng.standard_normal((d_sig, 4)) + rng.standard_normal((2 * n, 4))
    groups = np.r_[np.zeros(d_sig), np.ones(d_noise)]
    alphas = np.logspace(-2, 4, 13)
    m = fr.BandedRidgeCV(groups, alphas, n_iter=30, random_state=0).fit(X[:n], Y[:n])
    assert (m.deltas_[:, 1] < 0.05).all()  # the noise band's weight goes to the low end
    r = fr.RidgeCV(alphas, cv=5, alpha_per_target=True).fit(X[:n], Y[:n])
    assert m.score(X[n:], Y[n:]) > r.score(X[n:], Y[n:]) + 0.05
    for t in range(4):  # target by target too
        ours = 1 - np.sum((Y[n:, t] - m.predict(X[n:])[:, t]) ** 2) / np.sum(
            (Y[n:, t] - Y[n:, t].mean()) ** 2)
        theirs = 1 - np.sum((Y[n:, t] - r.predict(X[n:])[:, t]) ** 2) / np.sum(
            (Y[n:, t] - Y[n:, t].mean()) ** 2)
        assert ours > theirs


def test_candidates_are_reproducible_draws_on_the_simplex():
    rng = np.random.default_rng(0)
    c = _banded.dirichlet_candidates(9, 3, np.array([0.1, 1.0, np.inf]), rng)
    assert c.shape == (9, 3)
    np.testing.assert_allclose(c.sum(axis=1), 1.0, rtol=1e-12)
    assert (c >= 0).all()
    np.testing.assert_array_equal(c[0], 1 / 3)  # the uniform candidate first
    np.testing.assert_array_equal(c[[2, 5, 8]], 1 / 3)  # concentration inf, in turn
    X, Y = data(40, 12, k=2)
    a = fr.BandedRidgeCV(bands_of(12), ALPHAS, n_iter=6, random_state=3).fit(X, Y)
    b = fr.BandedRidgeCV(bands_of(12), ALPHAS, n_iter=6, random_state=3).fit(X, Y)
    np.testing.assert_array_equal(a.candidates_, b.candidates_)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.cv_scores_.shape == (6, 4, 2) and a.deltas_.shape == (2, 2)


def test_one_target_shapes_batches_float32_and_no_overwrite():
    X, Y = data(30, 40, k=4)
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    X0, Y0 = X32.copy(), Y32.copy()
    m = fr.BandedRidgeCV(bands_of(40), ALPHAS, deltas=DELTAS).fit(X32, Y32)
    np.testing.assert_array_equal(X32, X0)
    np.testing.assert_array_equal(Y32, Y0)
    assert m.coef_.dtype == np.float32 and m.predict(X32).dtype == np.float32
    m64 = fr.BandedRidgeCV(bands_of(40), ALPHAS, deltas=DELTAS).fit(X, Y)
    np.testing.assert_allclose(m.cv_scores_, m64.cv_scores_, rtol=1e-4)
    batched = fr.BandedRidgeCV(bands_of(40), ALPHAS, deltas=DELTAS,
                               n_targets_batch=3).fit(X, Y)
    np.testing.assert_allclose(batched.cv_scores_, m64.cv_scores_, rtol=1e-12)
    np.testing.assert_allclose(batched.coef_, m64.coef_, rtol=1e-12)
    one = fr.BandedRidgeCV(bands_of(40), ALPHAS, deltas=DELTAS).fit(X, Y[:, 1])
    assert one.deltas_.shape == (2,) and isinstance(one.alpha_, float)
    assert one.cv_scores_.shape == (5, 4) and one.coef_.shape == (40,)
    np.testing.assert_allclose(one.coef_, m64.coef_[1], rtol=1e-12)


def test_cv_groups_reach_the_splitter():
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, Y = data(36, 20, k=2)
    g = np.repeat(np.arange(6), 6)
    splitter = model_selection.GroupKFold(3)
    m = fr.BandedRidgeCV(bands_of(20), ALPHAS, deltas=DELTAS, cv=splitter).fit(
        X, Y, cv_groups=g)
    splits = list(splitter.split(X, Y, g))
    ref = reference.banded_ridge_cv_scores(X, Y, bands_of(20), DELTAS, ALPHAS, splits)
    np.testing.assert_allclose(m.cv_scores_, ref, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kw, err, match", [
    (dict(groups=[0, 1, 1]), ValueError, "groups has 3 labels but X has 6 features"),
    (dict(groups=[[0, 1, 2], []]), ValueError, "band 1 has no columns"),
    (dict(groups=[[0, 1, 2], [2, 3, 4, 5]]), ValueError, "column 2 is in more than one band"),
    (dict(groups=[[0, 1], [2, 3]]), ValueError, r"columns \[4, 5\] of X are in no band"),
    (dict(groups=[[0, 1, 9], [2, 3, 4, 5]]), ValueError, "outside"),
    (dict(groups=None), ValueError, "groups must give a band label"),
    (dict(deltas=[[0.5, 0.6]]), ValueError, "deltas must lie on the simplex"),
    (dict(deltas=[[1.5, -0.5]]), ValueError, "deltas must lie on the simplex"),
    (dict(deltas=[[0.2, 0.3, 0.5]]), ValueError, r"deltas must have shape \(n_candidates, 2\)"),
    (dict(deltas=[[np.nan, 1.0]]), ValueError, "deltas contains NaN"),
    (dict(alphas=[0.0, 1.0]), ValueError, "alphas must be > 0"),
    (dict(cv=None), ValueError, "BandedRidgeCV needs cv"),
    (dict(n_iter=0), ValueError, "n_iter must be >= 1"),
    (dict(concentration=[0.1, -1.0]), ValueError, "concentration must be > 0"),
    (dict(scoring="mse"), ValueError, "scoring must be None or one of"),
])
def test_bad_input(kw, err, match):
    X, Y = data(20, 6, k=1)
    params = dict(groups=[0, 0, 0, 1, 1, 1], alphas=ALPHAS)
    params.update(kw)
    with pytest.raises(err, match=match):
        fr.BandedRidgeCV(**params).fit(X, Y)


def test_deltas_close_to_the_simplex_are_renormalised():
    X, Y = data(20, 6, k=1)
    d = np.array([[1 / 3, 2 / 3 + 1e-9]])
    m = fr.BandedRidgeCV([0, 0, 0, 1, 1, 1], ALPHAS, deltas=d).fit(X, Y)
    np.testing.assert_allclose(m.candidates_.sum(axis=1), 1.0, rtol=1e-15)
