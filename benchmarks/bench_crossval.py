"""Cross-validation over runs: ``RidgeCV(cv=5)`` on an encoding-model problem, and the
many-target leave-one-out (``RidgeCV(alpha_per_target=True)``).

    python -m pytest benchmarks/bench_crossval.py --benchmark-only
    python -m pytest benchmarks/bench_crossval.py --benchmark-only --blas-threads default

Encoding model: 2 000 time points × 500 features, 5 000 targets of different noise
levels, 10 α, 5 contiguous folds (scikit-learn's ``KFold(5)``), with an intercept.  Each
group holds fastridge, its peer and a kernel floor, all in the same run; data is built
outside the timers and every timed result is checked against the others.

- ``kfold per target``: ``fastridge.RidgeCV(alphas, cv=5, alpha_per_target=True)`` vs
  himalaya's ``RidgeCV(alphas, cv=5)`` (numpy backend; α per target by default, the same
  score: minus the MSE of each fold, averaged over folds).  Same α for every target.
- ``kfold one alpha``: ``fastridge.RidgeCV(alphas, cv=5)`` vs scikit-learn
  ``GridSearchCV(Ridge(), {"alpha": alphas}, cv=KFold(5), scoring="neg_mean_squared_error")``.
  Same α, ``cv_scores_`` = ``mean_test_score``.
- ``LOO per target``: ``fastridge.RidgeCV(alphas, alpha_per_target=True)`` (exact
  leave-one-out) vs scikit-learn's ``RidgeCV(alphas, alpha_per_target=True)``.

Kernel floors (``*_floor*``): only the BLAS/LAPACK calls of an algorithm, back to back,
without centring or scoring —

- K-fold per target (``_floor``): ``XᵀX`` and ``XᵀY``, per fold the training Gram
  (``XᵀX`` minus the test rows'), its ``eigh`` (?syevd), the training targets in its
  eigenbasis (``C = Vᵀ(XᵀY − X_EᵀY_E)``), the test rows in it (``P = X_E V``) and the
  prediction product ``P diag(1/(λ + α)) C`` for every α (the (n_test × r) ×
  (r × k·n_alphas) GEMM) — the floor of scoring from predictions;
- K-fold per target, expanded (``_floor_expanded``): the same up to ``P``, then
  ``PᵀP``, ``PᵀY_E`` and ``(PᵀP) C`` — the floor of fastridge's expanded per-target
  score (``fastridge._crossval._Quad``), which needs no prediction product;
- K-fold one α: the same up to ``C``, then ``PᵀY_E`` and ``C Cᵀ`` (what the summed
  score needs instead of the predictions);
- LOO: ``XᵀX``, its ``eigh``, ``U = X V / s`` and the one n × r × (k·n_alphas) product
  ``U (g ⊙ C)`` (its right factor built outside the timer).

``fastridge / floor`` is what the implementation adds to the unavoidable work.
"""
import numpy as np
import pytest
import scipy.linalg as sla

import fastridge as fr

N, D, K = 2_000, 500, 5_000
ALPHAS = np.logspace(0, 5, 10)
FOLDS = 5
CHUNK = 1 << 23  # output entries per floor GEMM, as the engine's budget


@pytest.fixture(scope="module")
def encoding():
    return make_encoding()


def make_encoding():
    """Correlated features (singular values decaying 10×, κ(X) ≈ 30: the eigen route);
    targets from 5 % to 95 % explained variance."""
    rng = np.random.default_rng(0)
    Q = np.linalg.qr(rng.standard_normal((D, D)))[0]  # a random rotation
    X = (rng.standard_normal((N, D)) * np.geomspace(1.0, 0.1, D)) @ Q
    X += rng.standard_normal(D)  # non-zero means: the intercept matters
    W = rng.standard_normal((D, K)) * 0.05
    signal = X @ W
    snr = np.geomspace(0.05, 20.0, K)
    noise = rng.standard_normal((N, K)) * (signal.std(axis=0) / np.sqrt(snr))
    return X, signal + noise + 3.0


def _pedantic(benchmark, fn, *args, rounds=3):
    return benchmark.pedantic(fn, args=args, rounds=rounds, iterations=1, warmup_rounds=0)


def _folds(n=N, k=FOLDS):
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def _stacked_products(P, lam, C, alphas):
    """Σ of the prediction GEMMs P diag(1/(λ + α)) C, α chunks stacked (the engine's)."""
    m, r = P.shape
    per = max(1, min(alphas.size, CHUNK // (m * C.shape[1])))
    total = 0.0
    for a in range(0, alphas.size, per):
        F = 1.0 / (lam[None, :] + alphas[a:a + per, None])  # (c, r)
        E = (F[:, None, :] * P[None]).reshape(-1, r) @ C
        total += E[0, 0]
    return total


# --- K-fold, α per target: fastridge vs himalaya ------------------------------------------

def _fastridge_kfold(X, Y, per_target):
    return fr.RidgeCV(ALPHAS, cv=FOLDS, alpha_per_target=per_target).fit(X, Y)


@pytest.fixture(scope="module")
def kfold_pt(encoding):
    return _fastridge_kfold(*encoding, True)


def test_kfold_per_target_fastridge(benchmark, encoding, kfold_pt):
    X, Y = encoding
    benchmark.group = "kfold 2000x500, 5000 targets, 10 alphas, cv=5, per target"
    model = _pedantic(benchmark, _fastridge_kfold, X, Y, True)
    np.testing.assert_array_equal(model.alpha_, kfold_pt.alpha_)
    assert len(set(model.alpha_)) >= 5  # the per-target choice is really exercised


def _kfold_floor(X, Y, alphas, mode="predictions"):
    """The BLAS/LAPACK calls of one K-fold algorithm, back to back (module docstring):
    ``"predictions"`` every α's test predictions; ``"expanded"`` the products of the
    per-target expansion fastridge uses instead (``PᵀY_E`` and ``Ã C``, one r×r·r×k
    GEMM whatever the number of α); ``"one_alpha"`` ``PᵀY_E`` and ``C Cᵀ``."""
    G = X.T @ X  # ?syrk
    R = X.T @ Y
    out = 0.0
    for test in _folds():
        Xe, Ye = X[test], Y[test]
        lam, V = sla.eigh(G - Xe.T @ Xe, driver="evd", overwrite_a=True,
                          check_finite=False)
        C = V.T @ (R - Xe.T @ Ye)  # training targets in the eigenbasis, (r, k)
        P = Xe @ V  # test rows in the eigenbasis, (n_e, r)
        if mode == "one_alpha":
            out += (P.T @ Ye)[0, 0] + (C @ C.T)[0, 0]
        elif mode == "expanded":
            A = P.T @ P
            out += (P.T @ Ye)[0, 0] + (A @ C)[0, 0]
        else:
            out += _stacked_products(P, lam, C, alphas)
    return out


def test_kfold_per_target_floor(benchmark, encoding):
    X, Y = encoding
    benchmark.group = "kfold 2000x500, 5000 targets, 10 alphas, cv=5, per target"
    assert np.isfinite(_pedantic(benchmark, _kfold_floor, X, Y, ALPHAS))


def test_kfold_per_target_floor_expanded(benchmark, encoding):
    X, Y = encoding
    benchmark.group = "kfold 2000x500, 5000 targets, 10 alphas, cv=5, per target"
    assert np.isfinite(_pedantic(benchmark, _kfold_floor, X, Y, ALPHAS, "expanded"))


def test_kfold_per_target_himalaya(benchmark, encoding, kfold_pt):
    ridge = pytest.importorskip("himalaya.ridge")
    backend = pytest.importorskip("himalaya.backend")
    backend.set_backend("numpy", on_error="raise")
    X, Y = encoding
    benchmark.group = "kfold 2000x500, 5000 targets, 10 alphas, cv=5, per target"
    model = ridge.RidgeCV(alphas=ALPHAS, cv=FOLDS, fit_intercept=True)
    fitted = _pedantic(benchmark, model.fit, X, Y, rounds=1)
    # himalaya returns exp(−log α): the same grid values to the last bit or so
    np.testing.assert_allclose(np.asarray(fitted.best_alphas_), kfold_pt.alpha_, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(fitted.cv_scores_), kfold_pt.best_score_,
                               rtol=1e-7)  # himalaya's products round differently


# --- K-fold, one α for all targets: fastridge vs GridSearchCV -----------------------------

@pytest.fixture(scope="module")
def kfold_one(encoding):
    return _fastridge_kfold(*encoding, False)


def test_kfold_one_alpha_fastridge(benchmark, encoding, kfold_one):
    X, Y = encoding
    benchmark.group = "kfold 2000x500, 5000 targets, 10 alphas, cv=5, one alpha"
    model = _pedantic(benchmark, _fastridge_kfold, X, Y, False)
    assert model.alpha_ == kfold_one.alpha_
    np.testing.assert_allclose(model.cv_scores_, kfold_one.cv_scores_, rtol=1e-12)


def test_kfold_one_alpha_floor(benchmark, encoding):
    X, Y = encoding
    benchmark.group = "kfold 2000x500, 5000 targets, 10 alphas, cv=5, one alpha"
    assert np.isfinite(_pedantic(benchmark, _kfold_floor, X, Y, ALPHAS, "one_alpha"))


def test_kfold_one_alpha_sklearn_gridsearchcv(benchmark, encoding, kfold_one):
    ms = pytest.importorskip("sklearn.model_selection")
    lm = pytest.importorskip("sklearn.linear_model")
    X, Y = encoding
    benchmark.group = "kfold 2000x500, 5000 targets, 10 alphas, cv=5, one alpha"
    search = ms.GridSearchCV(lm.Ridge(), {"alpha": ALPHAS}, cv=ms.KFold(FOLDS),
                             scoring="neg_mean_squared_error")
    fitted = _pedantic(benchmark, search.fit, X, Y, rounds=1)
    assert fitted.best_params_["alpha"] == kfold_one.alpha_
    np.testing.assert_allclose(fitted.cv_results_["mean_test_score"], kfold_one.cv_scores_,
                               rtol=1e-8)


# --- exact leave-one-out, α per target: fastridge vs scikit-learn --------------------------

def _fastridge_loo(X, Y):
    return fr.RidgeCV(ALPHAS, alpha_per_target=True).fit(X, Y)


@pytest.fixture(scope="module")
def loo_pt(encoding):
    return _fastridge_loo(*encoding)


def test_loo_per_target_fastridge(benchmark, encoding, loo_pt):
    X, Y = encoding
    benchmark.group = "LOO 2000x500, 5000 targets, 10 alphas, per target"
    model = _pedantic(benchmark, _fastridge_loo, X, Y)
    np.testing.assert_array_equal(model.alpha_, loo_pt.alpha_)
    assert len(set(model.alpha_)) >= 5


@pytest.fixture(scope="module")
def loo_factor(encoding):
    return make_loo_factor(*encoding)


def make_loo_factor(X, Y):
    """The right factor g ⊙ C of the LOO product (built outside the timer)."""
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    lam, V = np.linalg.eigh(Xc.T @ Xc)
    C = (Xc @ (V / np.sqrt(lam))).T @ Yc  # UᵀY, (r, k)
    g = ALPHAS[None, :] / (lam[:, None] + ALPHAS[None, :])  # (r, n_alphas)
    return (g[:, :, None] * C[:, None, :]).reshape(D, -1)  # (r, n_alphas·k)


def _loo_floor(X, M):
    G = X.T @ X  # ?syrk
    lam, V = sla.eigh(G, driver="evd", overwrite_a=True, check_finite=False)
    U = X @ (V / np.sqrt(lam))  # (n, r)
    step = max(1, CHUNK // U.shape[0])
    return sum((U @ M[:, j:j + step])[0, 0] for j in range(0, M.shape[1], step))


def test_loo_per_target_floor(benchmark, encoding, loo_factor):
    X, _ = encoding
    benchmark.group = "LOO 2000x500, 5000 targets, 10 alphas, per target"
    assert np.isfinite(_pedantic(benchmark, _loo_floor, X, loo_factor))


def test_loo_per_target_sklearn_ridgecv(benchmark, encoding, loo_pt):
    lm = pytest.importorskip("sklearn.linear_model")
    X, Y = encoding
    benchmark.group = "LOO 2000x500, 5000 targets, 10 alphas, per target"
    model = lm.RidgeCV(alphas=ALPHAS, alpha_per_target=True)
    fitted = _pedantic(benchmark, model.fit, X, Y, rounds=1)
    np.testing.assert_array_equal(fitted.alpha_, loo_pt.alpha_)
    np.testing.assert_allclose(fitted.best_score_, loo_pt.best_score_, rtol=1e-8)
