"""RidgeCV with cv=...: K-fold, grouped and custom splits (``fastridge._crossval``).

Everything is checked against something computed another way: scikit-learn's
``GridSearchCV(Ridge())`` on the same splits, the brute-force
``fastridge.reference.kfold_cv_scores`` (one least-squares fit per split and α), loops
over targets, and NumPy's Pearson r.  Tolerances are relative and dtype-aware; nothing
depends on rounding or on the CPU.

scikit-learn >= 1.7 forwards ``sample_weight`` to the scorer of ``GridSearchCV`` as well
(weighted fold scores).  fastridge's contract is unweighted fold scores with weighted
fits, so weighted cases are compared with the reference (and a hand loop over
scikit-learn's ``Ridge``), not with ``GridSearchCV``.
"""
import tracemalloc
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastridge as fr
from fastridge import _crossval, reference

ALPHAS = np.logspace(-3, 3, 9)
SCORINGS = ["neg_mean_squared_error", "r2"]
RTOL = {np.dtype(np.float32): 2e-4, np.dtype(np.float64): 1e-8}


def make(n, d, k=None, seed=0, shift=2.0, dtype=np.float64, order="C", noise=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + shift
    kk = k or 1
    noise = np.geomspace(0.05, 5.0, kk) if noise is None else noise
    Y = X @ rng.standard_normal((d, kk)) + rng.standard_normal((n, kk)) * noise + 1.0
    Y = Y[:, 0] if k is None else Y
    return (np.asarray(X, dtype=dtype, order=order), np.asarray(Y, dtype=dtype, order=order))


def close(got, want, rtol):
    want = np.asarray(want, dtype=np.float64)
    assert np.shape(got) == want.shape
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


def splits_of(cv, X, y, groups):
    if isinstance(cv, int):
        return _crossval.kfold(len(X), cv)
    return [(np.asarray(a), np.asarray(b)) for a, b in cv.split(X, y, groups)]


def _splitters():
    ms = pytest.importorskip("sklearn.model_selection")
    return {
        "int4": 4,
        "KFold5": ms.KFold(5),
        "GroupKFold3": ms.GroupKFold(3),
        "LeaveOneGroupOut": ms.LeaveOneGroupOut(),
        "TimeSeriesSplit3": ms.TimeSeriesSplit(3),
        "ShuffleSplit": ms.ShuffleSplit(4, test_size=0.25, random_state=0),
    }


# --------------------------------------------------------------------------------------
# Against scikit-learn's GridSearchCV(Ridge())
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cv_name", ["int4", "KFold5", "GroupKFold3", "LeaveOneGroupOut",
                                     "TimeSeriesSplit3", "ShuffleSplit"])
@pytest.mark.parametrize("scoring", SCORINGS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape, k", [((60, 5), None), ((60, 5), 3), ((24, 40), 2)],
                         ids=["tall-1d", "tall-k3", "wide-k2"])
def test_matches_gridsearchcv(cv_name, scoring, fit_intercept, shape, k):
    ms = pytest.importorskip("sklearn.model_selection")
    lm = pytest.importorskip("sklearn.linear_model")
    cv = _splitters()[cv_name]
    X, y = make(*shape, k=k, seed=3)
    groups = np.arange(shape[0]) % 6
    gs = ms.GridSearchCV(lm.Ridge(fit_intercept=fit_intercept), {"alpha": ALPHAS},
                         cv=ms.KFold(cv) if isinstance(cv, int) else cv, scoring=scoring)
    gs.fit(X, y, groups=groups)
    model = fr.RidgeCV(ALPHAS, cv=cv, scoring=scoring, fit_intercept=fit_intercept)
    model.fit(X, y, groups=groups)
    close(model.cv_scores_, gs.cv_results_["mean_test_score"], 1e-8)
    assert model.alpha_ == gs.best_params_["alpha"]
    assert model.best_score_ == pytest.approx(gs.best_score_, rel=1e-8)
    close(model.coef_, gs.best_estimator_.coef_, 1e-8)
    close(np.atleast_1d(model.intercept_), np.atleast_1d(gs.best_estimator_.intercept_),
          1e-8)
    assert model.n_splits_ == gs.n_splits_
    assert np.shape(model.coef_) == np.shape(gs.best_estimator_.coef_)


@pytest.mark.parametrize("scoring", SCORINGS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("cv_name", ["int4", "GroupKFold3", "TimeSeriesSplit3"])
def test_sample_weight_weights_the_fits_not_the_scores(scoring, fit_intercept, cv_name):
    lm = pytest.importorskip("sklearn.linear_model")
    cv = _splitters()[cv_name]
    X, y = make(50, 4, k=2, seed=4)
    groups = np.arange(50) % 5
    sw = np.random.default_rng(4).uniform(0.1, 3.0, 50)
    sw[::7] = 0.0  # zero weights: rows that do not train but are still scored
    model = fr.RidgeCV(ALPHAS, cv=cv, scoring=scoring, fit_intercept=fit_intercept)
    model.fit(X, y, sample_weight=sw, groups=groups)
    splits = splits_of(cv, X, y, groups)
    want = reference.kfold_cv_scores(X, y, ALPHAS, splits, fit_intercept=fit_intercept,
                                     sample_weight=sw, scoring=scoring)
    close(model.cv_scores_, want, 1e-8)
    # the same by a hand loop over scikit-learn's Ridge (weighted fits, plain scores)
    metrics = pytest.importorskip("sklearn.metrics")
    score = {"r2": metrics.r2_score,
             "neg_mean_squared_error": lambda a, b: -metrics.mean_squared_error(a, b)}
    hand = [np.mean([score[scoring](y[te], lm.Ridge(alpha=a, fit_intercept=fit_intercept)
                                    .fit(X[tr], y[tr], sample_weight=sw[tr]).predict(X[te]))
                     for tr, te in splits]) for a in ALPHAS]
    close(model.cv_scores_, hand, 1e-8)
    assert model.alpha_ == ALPHAS[np.argmax(want)]
    refit = lm.Ridge(alpha=model.alpha_, fit_intercept=fit_intercept).fit(X, y,
                                                                        sample_weight=sw)
    close(model.coef_, refit.coef_, 1e-8)


def test_unweighted_fold_scores_differ_from_weighted_ones():
    """The weighted reference really depends on weighting the scores or not."""
    X, y = make(40, 3, seed=5)
    sw = np.random.default_rng(5).uniform(0.1, 3.0, 40)
    splits = _crossval.kfold(40, 4)
    plain = fr.RidgeCV(ALPHAS, cv=4).fit(X, y, sample_weight=sw).cv_scores_
    weighted_scores = [np.mean([-np.average(
        (y[te] - fr.Ridge(alpha=a).fit(X[tr], y[tr], sample_weight=sw[tr]).predict(X[te]))
        ** 2, weights=sw[te]) for tr, te in splits]) for a in ALPHAS]
    assert np.max(np.abs(plain / np.array(weighted_scores) - 1)) > 1e-3


# --------------------------------------------------------------------------------------
# Per target, correlation, and the summed-over-targets identity
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("scoring", SCORINGS + ["correlation"])
@pytest.mark.parametrize("shape", [(70, 6), (20, 45)], ids=["tall", "wide"])
def test_alpha_per_target_equals_loop_over_targets(scoring, shape):
    X, Y = make(*shape, k=4, seed=6)
    model = fr.RidgeCV(ALPHAS, cv=5, scoring=scoring, alpha_per_target=True).fit(X, Y)
    assert model.cv_scores_.shape == (ALPHAS.size, 4)
    for t in range(4):
        one = fr.RidgeCV(ALPHAS, cv=5, scoring=scoring).fit(X, Y[:, t])
        close(model.cv_scores_[:, t], one.cv_scores_, 1e-9)
        assert model.alpha_[t] == one.alpha_
        assert model.best_score_[t] == pytest.approx(one.best_score_, rel=1e-9)
        close(model.coef_[t], one.coef_, 1e-9)
        close(model.intercept_[t], one.intercept_, 1e-9)
    assert len(set(model.alpha_)) > 1  # targets of different noise pick different α
    want = reference.kfold_cv_scores(X, Y, ALPHAS, _crossval.kfold(shape[0], 5),
                                     scoring=scoring, alpha_per_target=True)
    close(model.cv_scores_, want, 1e-8)


@pytest.mark.parametrize("per_target", [False, True])
def test_correlation_is_pearson_r_per_fold(per_target):
    X, Y = make(45, 4, k=3, seed=7)
    splits = _crossval.kfold(45, 3)
    model = fr.RidgeCV(ALPHAS, cv=splits, scoring="correlation",
                       alpha_per_target=per_target).fit(X, Y)
    want = np.zeros((ALPHAS.size, 3))
    for tr, te in splits:
        for a, alpha in enumerate(ALPHAS):
            pred = fr.Ridge(alpha=alpha).fit(X[tr], Y[tr]).predict(X[te])
            want[a] += [np.corrcoef(Y[te, t], pred[:, t])[0, 1] for t in range(3)]
    want /= len(splits)
    close(model.cv_scores_, want if per_target else want.mean(axis=1), 1e-9)


@pytest.mark.parametrize("scoring", SCORINGS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(60, 7), (25, 40)], ids=["tall", "wide"])
def test_summed_identity_equals_per_target_products(scoring, fit_intercept, shape):
    """The r×r expansion Σ w‖y − P D c‖² = Σ w‖y‖² − 2 dᵀh + dᵀ(A⊙B)d, forced on and
    off, against each other and against brute force."""
    X, Y = make(*shape, k=5, seed=8)
    splits = _crossval.kfold(shape[0], 4)
    got = {}
    for summed in (True, False):
        with mock.patch.object(_crossval, "_use_summed", lambda *a: summed):
            got[summed] = _crossval.cross_validate(
                X, Y, ALPHAS, splits, fit_intercept=fit_intercept, scoring=scoring)[0]
    want = reference.kfold_cv_scores(X, Y, ALPHAS, splits, fit_intercept=fit_intercept,
                                     scoring=scoring)
    close(got[True], want, 1e-9)
    close(got[False], want, 1e-9)


def test_r2_constant_target_fold_follows_force_finite():
    X, Y = make(40, 3, k=3, seed=9)
    Y[:10, 1] = 4.0  # the first fold of target 1 is constant: SST = 0, SSE > 0 → 0.0
    splits = _crossval.kfold(40, 4)
    for per_target in (False, True):
        for summed in (True, False):
            with mock.patch.object(_crossval, "_use_summed", lambda *a: summed):
                model = fr.RidgeCV(ALPHAS, cv=splits, scoring="r2",
                                   alpha_per_target=per_target).fit(X, Y)
            want = reference.kfold_cv_scores(X, Y, ALPHAS, splits, scoring="r2",
                                             alpha_per_target=per_target)
            close(model.cv_scores_, want, 1e-9)


# --------------------------------------------------------------------------------------
# Splits that are not a partition, routes, batches, dtypes, layouts
# --------------------------------------------------------------------------------------

def test_custom_splits_need_not_cover_all_rows():
    X, y = make(50, 4, k=2, seed=10)
    rng = np.random.default_rng(10)
    splits = [(np.arange(0, 20), np.arange(25, 35)),         # rows 20–24, 35– unused
              (np.arange(10, 40), np.array([0, 3, 45, 47])),  # test rows outside train
              (rng.permutation(50)[:30], None)]
    splits[2] = (splits[2][0], np.setdiff1d(np.arange(50), splits[2][0])[:6])
    for per_target in (False, True):
        model = fr.RidgeCV(ALPHAS, cv=splits, alpha_per_target=per_target).fit(X, y)
        want = reference.kfold_cv_scores(X, y, ALPHAS, splits, alpha_per_target=per_target)
        close(model.cv_scores_, want, 1e-9)
    # a generator of boolean masks works too
    masks = ((np.isin(np.arange(50), tr), np.isin(np.arange(50), te)) for tr, te in splits)
    model = fr.RidgeCV(ALPHAS, cv=masks).fit(X, y)
    close(model.cv_scores_, reference.kfold_cv_scores(X, y, ALPHAS, splits), 1e-9)


@pytest.mark.parametrize("shape", [(80, 6), (30, 60), (12, 12)], ids=["tall", "wide", "sq"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_routes_and_large_means(shape, fit_intercept):
    """Means 1e6 times the spread: downdates and centring stay exact; an ill-conditioned
    column forces the SVD fallback."""
    X, y = make(*shape, k=2, seed=11, shift=0.0)
    X = X + 1e6 * np.arange(1, shape[1] + 1)
    model = fr.RidgeCV(ALPHAS, cv=4, fit_intercept=fit_intercept).fit(X, y)
    want = reference.kfold_cv_scores(X, y, ALPHAS, _crossval.kfold(shape[0], 4),
                                     fit_intercept=fit_intercept)
    close(model.cv_scores_, want, 1e-7)
    Xb = X.copy()
    Xb[:, 0] = Xb[:, 1] * 3.0 + 1e-7 * np.random.default_rng(0).standard_normal(shape[0])
    model = fr.RidgeCV(ALPHAS, cv=4, fit_intercept=fit_intercept).fit(Xb, y)
    want = reference.kfold_cv_scores(Xb, y, ALPHAS, _crossval.kfold(shape[0], 4),
                                     fit_intercept=fit_intercept)
    close(model.cv_scores_, want, 1e-6)


def test_batches_and_chunks_do_not_change_results(monkeypatch):
    X, Y = make(40, 5, k=7, seed=12)
    base = fr.RidgeCV(ALPHAS, cv=4, alpha_per_target=True).fit(X, Y).cv_scores_
    for batch in (1, 3, 7, 100):
        got = fr.RidgeCV(ALPHAS, cv=4, alpha_per_target=True,
                         n_targets_batch=batch).fit(X, Y).cv_scores_
        close(got, base, 1e-12)
    monkeypatch.setattr(_crossval, "BUDGET", 64)  # one α per chunk, one target per batch
    close(fr.RidgeCV(ALPHAS, cv=4, alpha_per_target=True).fit(X, Y).cv_scores_, base, 1e-12)


def test_memory_stays_within_the_budget(monkeypatch):
    """n × k × n_alphas would be 400×2000×20 = 16M floats (128 MB); with a 1 MB budget
    the engine's peak stays far below it."""
    X, Y = make(400, 20, k=2000, seed=13)
    alphas = np.logspace(-2, 3, 20)
    monkeypatch.setattr(_crossval, "BUDGET", 1 << 17)
    tracemalloc.start()
    try:
        fr.RidgeCV(alphas, cv=5, alpha_per_target=True).fit(X, Y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40e6, peak  # X, Y (6.6 MB), refit and the per-(α, target) scores


@settings(max_examples=40, deadline=None)
@given(n=st.integers(6, 40), d=st.integers(1, 30), k=st.sampled_from([None, 1, 3]),
       K=st.integers(2, 5), seed=st.integers(0, 2**16), fit_intercept=st.booleans(),
       weighted=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]),
       order=st.sampled_from(["C", "F"]), per_target=st.booleans(),
       scoring=st.sampled_from(["neg_mean_squared_error", "r2", "correlation"]))
def test_property_equals_reference(n, d, k, K, seed, fit_intercept, weighted, dtype, order,
                                   per_target, scoring):
    K = min(K, n // 2)
    X, y = make(n, d, k=k, seed=seed, dtype=dtype, order=order)
    sw = np.random.default_rng(seed).uniform(0.2, 2.0, n) if weighted else None
    model = fr.RidgeCV(ALPHAS, cv=K, fit_intercept=fit_intercept, scoring=scoring,
                       alpha_per_target=per_target).fit(X, y, sample_weight=sw)
    want = reference.kfold_cv_scores(X, y, ALPHAS, _crossval.kfold(n, K),
                                     fit_intercept=fit_intercept, sample_weight=sw,
                                     scoring=scoring, alpha_per_target=per_target)
    close(model.cv_scores_, want, RTOL[np.dtype(dtype)])
    assert model.coef_.dtype == dtype
    assert model.cv_scores_.shape == want.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_inputs_not_modified_and_dtype_kept(dtype, order):
    X, y = make(30, 4, k=2, seed=14, dtype=dtype, order=order)
    sw = np.linspace(0.5, 1.5, 30).astype(dtype)
    groups = np.arange(30) % 3
    splits = _crossval.kfold(30, 3)
    before = [a.copy() for a in (X, y, sw, groups, ALPHAS)] + [
        (tr.copy(), te.copy()) for tr, te in splits]
    model = fr.RidgeCV(ALPHAS, cv=splits, alpha_per_target=True).fit(
        X, y, sample_weight=sw, groups=groups)
    for a, b in zip(before[:5], (X, y, sw, groups, ALPHAS)):
        np.testing.assert_array_equal(a, b)
    for (tr0, te0), (tr, te) in zip(before[5:], splits):
        np.testing.assert_array_equal(tr0, tr)
        np.testing.assert_array_equal(te0, te)
    assert model.coef_.dtype == dtype and model.predict(X).dtype == dtype


@pytest.mark.parametrize("n, d", [(4, 1), (6, 2), (5, 9)])
def test_small_and_one_feature(n, d):
    X, y = make(n, d, seed=15)
    model = fr.RidgeCV(ALPHAS, cv=2).fit(X, y)
    close(model.cv_scores_, reference.kfold_cv_scores(X, y, ALPHAS, _crossval.kfold(n, 2)),
          1e-9)


def test_alpha_zero_is_allowed_with_cv():
    X, y = make(30, 3, seed=16)
    model = fr.RidgeCV([0.0, 1.0], cv=3).fit(X, y)
    close(model.cv_scores_, reference.kfold_cv_scores(X, y, [0.0, 1.0],
                                                      _crossval.kfold(30, 3)), 1e-9)


# --------------------------------------------------------------------------------------
# Leave-one-out (cv=None) with weights and scorings
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape, k", [((40, 5), None), ((40, 5), 3), ((12, 30), 2)])
@pytest.mark.parametrize("per_target", [False, True])
def test_weighted_loo_matches_sklearn(fit_intercept, shape, k, per_target):
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = make(*shape, k=k, seed=17)
    sw = np.random.default_rng(17).uniform(0.1, 3.0, shape[0])
    sw[3] = 0.0
    ours = fr.RidgeCV(ALPHAS, fit_intercept=fit_intercept,
                      alpha_per_target=per_target).fit(X, y, sample_weight=sw)
    theirs = lm.RidgeCV(ALPHAS, fit_intercept=fit_intercept,
                        alpha_per_target=per_target).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(ours.alpha_, theirs.alpha_)
    close(ours.best_score_, theirs.best_score_, 1e-8)
    close(ours.coef_, theirs.coef_, 1e-8)
    # and by refitting without each row: Σ s_i (y_i − ŷ_(−i))² / n
    Y = y.reshape(len(X), -1)
    want = np.zeros((ALPHAS.size, Y.shape[1]))
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        for a, alpha in enumerate(ALPHAS):
            m = fr.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(
                X[keep], Y[keep], sample_weight=sw[keep])
            want[a] += sw[i] * (Y[i] - m.predict(X[i:i + 1])[0]) ** 2
    want /= len(X)
    close(ours.loo_mse_, want if per_target and k else want.mean(axis=1), 1e-8)


@pytest.mark.parametrize("scoring", ["r2", "neg_mean_squared_error"])
@pytest.mark.parametrize("per_target", [False, True])
def test_loo_scoring_matches_sklearn(scoring, per_target):
    lm = pytest.importorskip("sklearn.linear_model")
    X, Y = make(40, 5, k=3, seed=18)
    ours = fr.RidgeCV(ALPHAS, scoring=scoring, alpha_per_target=per_target).fit(X, Y)
    theirs = lm.RidgeCV(ALPHAS, scoring=scoring, alpha_per_target=per_target).fit(X, Y)
    np.testing.assert_array_equal(ours.alpha_, theirs.alpha_)
    close(ours.best_score_, theirs.best_score_, 1e-8)
    close(ours.coef_, theirs.coef_, 1e-8)


def test_loo_correlation_is_pearson_of_loo_predictions():
    X, Y = make(30, 4, k=2, seed=19)
    model = fr.RidgeCV(ALPHAS, scoring="correlation", alpha_per_target=True).fit(X, Y)
    res = np.array([reference.loo_squared_errors(X, Y, a, True) for a in ALPHAS[:1]])
    assert res.shape == (1, 30, 2)
    want = np.zeros((ALPHAS.size, 2))
    for a, alpha in enumerate(ALPHAS):
        pred = np.empty_like(Y)
        for i in range(30):
            keep = np.arange(30) != i
            pred[i] = fr.Ridge(alpha=alpha).fit(X[keep], Y[keep]).predict(X[i:i + 1])[0]
        want[a] = [np.corrcoef(Y[:, t], pred[:, t])[0, 1] for t in range(2)]
    close(model.cv_scores_, want, 1e-9)


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------

class NoSplit:
    def get_n_splits(self):
        return 3


@pytest.mark.parametrize("cv, exc, match", [
    (1, ValueError, r"cv must be >= 2 folds"),
    (0, ValueError, r"cv must be >= 2 folds"),
    (-3, ValueError, r"cv must be >= 2 folds"),
    (True, TypeError, r"got a bool"),
    (13, ValueError, r"cv=13 folds need at least 13 samples; X has 12"),
    (2.5, TypeError, r"cv must be None, an int >= 2"),
    ("5", TypeError, r"cv must be None, an int >= 2"),
    (NoSplit(), TypeError, r"has no split\(X, y, groups\) method"),
    ([(np.arange(6), np.arange(6, 13))], ValueError, r"indices must be in \[0, 12\)"),
    ([(np.arange(-1, 6), np.arange(6, 12))], ValueError, r"indices must be in \[0, 12\)"),
    ([(np.arange(7), np.arange(6, 12))], ValueError, r"train and test overlap in 1"),
    ([(np.arange(6), np.array([], int))], ValueError, r"split 0 has an empty test fold"),
    ([(np.array([], int), np.arange(6))], ValueError, r"empty training fold"),
    ([(np.arange(6), np.arange(6, 12)), (np.arange(3),)], ValueError,
     r"split 1 must be a \(train, test\) pair"),
    ([(np.arange(6.0), np.arange(6, 12))], ValueError, r"1-D array of integers"),
    ([(np.array([0, 0, 1]), np.arange(6, 12))], ValueError, r"repeat a sample"),
    ([], ValueError, r"cv produced no splits"),
])
def test_bad_cv(cv, exc, match):
    X, y = make(12, 2)
    with pytest.raises(exc, match=match):
        fr.RidgeCV(ALPHAS, cv=cv).fit(X, y)


def test_bad_groups_scoring_batch():
    X, y = make(12, 2)
    with pytest.raises(ValueError, match=r"groups has 11 entries but X has 12 samples"):
        fr.RidgeCV(cv=3).fit(X, y, groups=np.arange(11))
    with pytest.raises(ValueError, match=r"scoring must be None or one of"):
        fr.RidgeCV(cv=3, scoring="accuracy").fit(X, y)
    with pytest.raises(ValueError, match=r"scoring must be None or one of"):
        fr.RidgeCV(scoring="mse").fit(X, y)
    with pytest.raises(ValueError, match=r"n_targets_batch must be >= 1"):
        fr.RidgeCV(cv=3, n_targets_batch=0).fit(X, y)
    with pytest.raises(ValueError, match=r"needs at least 2 samples in every test fold"):
        fr.RidgeCV(cv=12, scoring="r2").fit(X, y)
    with pytest.raises(ValueError, match=r"with sample_weight needs cv"):
        fr.RidgeCV(scoring="r2").fit(X, y, sample_weight=np.ones(12))
    with pytest.raises(ValueError, match=r"alphas must be > 0 for leave-one-out"):
        fr.RidgeCV([0.0, 1.0]).fit(X, y)
    with pytest.raises(TypeError, match=r"cv.split must be a method"):
        fr.RidgeCV(cv=type("S", (), {"split": 3})()).fit(X, y)
    sw = np.r_[np.zeros(6), np.ones(6)]  # fold 1 trains on rows 0–5 only
    with pytest.raises(ValueError, match=r"split 1: every training row has sample_weight 0"):
        fr.RidgeCV(cv=2).fit(X, y, sample_weight=sw)


# --------------------------------------------------------------------------------------
# Parameters, cloning, the Dask subclass
# --------------------------------------------------------------------------------------

def test_params_clone_and_repr():
    model = fr.RidgeCV([1.0, 2.0], cv=3, scoring="r2", n_targets_batch=10)
    params = model.get_params()
    assert params == {"alphas": [1.0, 2.0], "alpha_per_target": False, "cv": 3,
                      "fit_intercept": True, "n_targets_batch": 10, "scoring": "r2"}
    assert "cv=3" in repr(model) and "scoring='r2'" in repr(model)
    base = pytest.importorskip("sklearn.base")
    clone = base.clone(model)
    assert clone.get_params() == params
    model.set_params(cv=None)
    assert model.cv is None


def test_dask_subclass_constructs_and_clones():
    frd = pytest.importorskip("fastridge.dask")
    base = pytest.importorskip("sklearn.base")
    model = frd.RidgeCV(alphas=[0.1, 1.0], n_splits=3)
    clone = base.clone(model)
    assert clone.get_params() == model.get_params()
    assert "cv" not in model.get_params()
    X, y = make(30, 3, seed=20)
    fitted = clone.fit(X, y)
    assert fitted.cv_mse_.shape == (2,)


def test_refit_after_kfold_drops_loo_attributes():
    X, y = make(30, 3, seed=21)
    model = fr.RidgeCV(ALPHAS).fit(X, y)
    assert hasattr(model, "loo_mse_")
    model.set_params(cv=3).fit(X, y)
    assert not hasattr(model, "loo_mse_") and model.cv_scores_.shape == (ALPHAS.size,)
    model.set_params(cv=None).fit(X, y)
    assert not hasattr(model, "n_splits_")
    close(model.cv_scores_, -model.loo_mse_, 1e-15)


# --------------------------------------------------------------------------------------
# Parallel blocks, one BLAS thread, and the leave-one-out reduction's layouts
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("per_target, scoring", [(True, "r2"), (False, "r2"),
                                                 (False, "correlation"),
                                                 (True, "neg_mean_squared_error")])
def test_parallel_blocks_equal_sequential(monkeypatch, per_target, scoring):
    from fastridge import _blas_threads
    X, Y = make(60, 8, k=9, seed=22)
    groups = np.arange(60) % 4
    ms = pytest.importorskip("sklearn.model_selection")
    for cv in (5, ms.TimeSeriesSplit(3), ms.GroupKFold(4)):
        want = fr.RidgeCV(ALPHAS, cv=cv, scoring=scoring, alpha_per_target=per_target,
                          n_targets_batch=4).fit(X, Y, groups=groups)
        with monkeypatch.context() as m:
            m.setattr(_blas_threads, "SMALL_FLOPS", 0.0)  # every phase "big": in parallel
            m.setattr(_blas_threads, "workers", lambda tasks: max(1, min(tasks, 3)))
            got = fr.RidgeCV(ALPHAS, cv=cv, scoring=scoring, alpha_per_target=per_target,
                             n_targets_batch=4).fit(X, Y, groups=groups)
        close(got.cv_scores_, want.cv_scores_, 1e-12)
        close(got.coef_, want.coef_, 1e-12)


@pytest.mark.parametrize("k", [1, 3, 200])  # C's columns scaled (k < rows) or U's rows
@pytest.mark.parametrize("shape", [(50, 6), (9, 30)], ids=["tall", "wide-full"])
@pytest.mark.parametrize("weighted", [False, True])
def test_loo_reduction_equals_residuals(monkeypatch, k, shape, weighted):
    from fastridge import _blas_threads, _spectral
    X, Y = make(*shape, k=k, seed=23)
    sq = np.sqrt(np.random.default_rng(23).uniform(0.2, 2.0, shape[0])) if weighted else None
    for fit_intercept in (False, True):
        S = _spectral.Spectral(X, Y, fit_intercept=fit_intercept, sqrt_sw=sq)
        want = (S.loo_residuals(ALPHAS) ** 2).sum(axis=1)  # (n_alphas, k)
        close(S._loo_sse(ALPHAS), want, 1e-10)
        with monkeypatch.context() as m:  # small blocks, parallel row ranges
            m.setattr(_spectral, "_BLOCK", 64)
            m.setattr(_spectral, "_CHUNK", 256)
            m.setattr(_blas_threads, "SMALL_FLOPS", 0.0)
            m.setattr(_blas_threads, "workers", lambda tasks: max(1, min(tasks, 3)))
            close(S._loo_sse(ALPHAS), want, 1e-10)


def test_serial_blas_restores_thread_counts():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from fastridge import _blas_threads

    def counts():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info()
                if i["internal_api"] == "openblas"]

    before = counts()
    if not before or not _blas_threads._libraries():
        pytest.skip("no OpenBLAS recognised in this process")
    with threadpoolctl.threadpool_limits(2):
        outer = counts()
        with _blas_threads.serial():
            assert set(counts()) == {1}
            with _blas_threads.serial():
                assert set(counts()) == {1}
            assert set(counts()) == {1}
            assert _blas_threads.workers(8) == max(outer)
        assert counts() == outer
    assert counts() == before
    with _blas_threads.serial(enabled=False):
        assert counts() == before


def test_partial_fit_refuses_cv_and_scoring():
    X, y = make(20, 3, seed=24)
    with pytest.raises(ValueError, match=r"cv and scoring apply to fit only"):
        fr.RidgeCV(cv=3).partial_fit(X, y)
    with pytest.raises(ValueError, match=r"cv and scoring apply to fit only"):
        fr.RidgeCV(scoring="r2").partial_fit(X, y)
    model = fr.RidgeCV(ALPHAS).partial_fit(X[:10], y[:10], n_splits=2)  # still streams
    model.partial_fit(X[10:], y[10:])
    assert model.cv_mse_.shape == (ALPHAS.size,)


def test_path_back_transform_in_parallel_blocks_equals_serial(monkeypatch):
    from fastridge import _blas_threads
    X, Y = make(60, 7, k=5, seed=25)
    alphas = np.logspace(-2, 3, 11)
    want = fr.ridge_path(X, Y, alphas)
    monkeypatch.setattr(_blas_threads, "SMALL_FLOPS", 0.0)
    monkeypatch.setattr(_blas_threads, "workers", lambda tasks: max(1, min(tasks, 3)))
    close(fr.ridge_path(X, Y, alphas), want, 1e-13)


# --------------------------------------------------------------------------------------
# The expanded per-target score (partial fractions over eigenvalue pairs)
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("gap", [None, 0.3, 10.0])  # default; many direct pairs; unusable
@pytest.mark.parametrize("scoring", SCORINGS)
@pytest.mark.parametrize("shape", [(90, 8), (30, 50)], ids=["tall", "wide"])
def test_expanded_scores_equal_predictions(monkeypatch, gap, scoring, shape):
    X, Y = make(*shape, k=6, seed=26)
    if gap is not None:
        monkeypatch.setattr(_crossval, "PAIR_GAP", gap)
    got = fr.RidgeCV(ALPHAS, cv=5, scoring=scoring, alpha_per_target=True).fit(X, Y)
    with monkeypatch.context() as m:
        m.setattr(_crossval, "_expanded_cost", lambda *a: np.inf)  # predictions only
        want = fr.RidgeCV(ALPHAS, cv=5, scoring=scoring, alpha_per_target=True).fit(X, Y)
    close(got.cv_scores_, want.cv_scores_, 1e-10)
    ref = reference.kfold_cv_scores(X, Y, ALPHAS, _crossval.kfold(shape[0], 5),
                                    scoring=scoring, alpha_per_target=True)
    close(got.cv_scores_, ref, 1e-8)


def test_expansion_pairs_and_usability():
    rng = np.random.default_rng(27)
    P = rng.standard_normal((12, 5))
    lam = np.array([1.0, 1.001, 2.0, 5.0, 5.0])  # two near pairs
    q = _crossval._Quad(P, lam)
    assert {(int(j), int(l)) for j, l in zip(q.J, q.L)} == {(0, 1), (3, 4)} and q.usable
    C, F = rng.standard_normal((5, 3)), 1.0 / (lam[:, None] + ALPHAS[None, :])
    a = rng.standard_normal((5, 3))
    want = np.array([[c @ np.diag(f) @ (P.T @ P) @ np.diag(f) @ c - 2 * (a[:, t] * f) @ c
                      for t, c in enumerate(C.T)] for f in F.T])
    close(q.quadratic(F, C, a), want, 1e-12)
    assert _crossval._Quad(P, np.ones(5)).usable  # all 10 pairs direct: 10 ≤ 4r
    big = _crossval._Quad(rng.standard_normal((40, 30)), np.ones(30))  # 435 pairs > 120
    assert not big.usable


def test_nearly_exact_fits_are_scored_from_predictions():
    X, Y = make(60, 5, k=3, seed=28)
    Y[:, 1] = X @ np.arange(1.0, 6.0) + 2.0  # noiseless: SSE ≈ 0 at small α
    model = fr.RidgeCV(ALPHAS, cv=4, alpha_per_target=True).fit(X, Y)
    ref = reference.kfold_cv_scores(X, Y, ALPHAS, _crossval.kfold(60, 4),
                                    alpha_per_target=True)
    close(model.cv_scores_[:, [0, 2]], ref[:, [0, 2]], 1e-9)
    # the noiseless target: absolute agreement at the scale of its largest error
    np.testing.assert_allclose(model.cv_scores_[:, 1], ref[:, 1],
                               atol=1e-9 * np.abs(ref[:, 1]).max())
    assert model.alpha_[1] == ALPHAS[0]
