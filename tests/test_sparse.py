"""scipy.sparse X in ridge, Ridge.fit/partial_fit/predict: equal to the dense answer, never
densified, honest about the iterative route's tolerance, clear about bad input."""
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import fastridge as fr
from fastridge import _policy, _sparse
from fastridge._solvers import SOLVERS, SPARSE_SOLVERS
from fastridge._validation import DataTypeError, check_sparse

FORMATS = ["csr_matrix", "csc_matrix", "coo_matrix", "csr_array", "csc_array", "coo_array"]
SPARSE_NAMES = [name for name in SOLVERS if SOLVERS[name].sparse]


def _sparse_data(n, d, density=0.3, k=None, seed=0, dtype=np.float64, offset_col=None):
    """Sparse X (CSR float64 values, positive like counts), y and weights; optionally one
    nearly dense column far from zero (its mean ≫ its spread: centred exactly)."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=rng,
                  data_rvs=lambda m: rng.exponential(1.0, m))
    if offset_col is not None:
        X = X.tolil()
        X[:, offset_col] = (1e4 + 0.1 * rng.standard_normal(n))[:, None]
        X = X.tocsr()
    X = X.astype(dtype)
    shape = (n,) if k is None else (n, k)
    y = rng.standard_normal(shape) + 3.0
    sw = rng.uniform(0.2, 2.0, n)
    return X, y, sw


def _as(X, fmt):
    return getattr(sp, fmt)(X)


def _rtol(name, dtype):
    if SOLVERS[name].iterative or name == "auto":  # auto may take cg on larger data
        return 10 * _policy.iterative_tolerance(dtype)
    return 1e-10 if dtype == np.float64 else 2e-4


def _close(a, b, rtol):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.abs(b).max(), 1e-300)
    assert np.abs(a - b).max() <= rtol * scale, (np.abs(a - b).max() / scale, rtol)


# -- equal to the dense answer -------------------------------------------------------------

@pytest.mark.parametrize("name", SPARSE_NAMES)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(40, 12), (12, 40)])
@pytest.mark.parametrize("k", [None, 3])
def test_sparse_fit_equals_dense_fit(name, fmt, dtype, shape, k):
    X, y, sw = _sparse_data(*shape, k=k, seed=shape[0] + (k or 0), dtype=dtype)
    Xs = _as(X, fmt)
    Xd = X.toarray()
    alpha = 0.7 if k is None else np.array([0.3, 1.0, 3.0])
    dense_solver = "svd" if name in ("auto", "cg") else name
    for fit_intercept in (True, False):
        for weights in (None, sw):
            model = fr.Ridge(alpha, fit_intercept=fit_intercept, solver=name)
            model.fit(Xs, y, sample_weight=weights)
            ref = fr.Ridge(alpha, fit_intercept=fit_intercept, solver=dense_solver)
            ref.fit(Xd.astype(np.float64), y, sample_weight=weights)
            assert model.coef_.dtype == dtype
            rtol = _rtol(name, dtype)
            _close(model.coef_, ref.coef_, rtol)
            _close(model.intercept_, ref.intercept_, rtol)
            _close(model.predict(Xs), ref.predict(Xd.astype(np.float64)), rtol)
            if name != "auto":
                assert model.solver_ == name


@pytest.mark.parametrize("name", ["primal", "dual", "cg"])
def test_ridge_function_on_sparse(name):
    X, y, sw = _sparse_data(30, 8, k=2, seed=3)
    coef = fr.ridge(X, y, [0.5, 2.0], solver=name, sample_weight=sw, tol=1e-13)
    ref = fr.ridge(X.toarray(), y, [0.5, 2.0], solver="svd", sample_weight=sw)
    assert coef.shape == (8, 2)
    _close(coef, ref, 1e-10)


@pytest.mark.parametrize("route", ["primal", "dual", "cg"])
@pytest.mark.parametrize("weights", [False, True])
def test_columns_far_from_zero_are_centred_exactly(route, weights):
    """A nearly dense column with mean 1e4 and spread 0.1 (ρ² = 1e10, far beyond the
    subtraction's limit): the intercept model still equals the dense SVD."""
    X, y, sw = _sparse_data(80, 10, density=0.4, seed=5, offset_col=2)
    sw = sw if weights else None
    model = fr.Ridge(0.1, solver=route, tol=1e-13).fit(X, y, sample_weight=sw)
    ref = fr.Ridge(0.1, solver="svd").fit(X.toarray(), y, sample_weight=sw)
    _close(model.coef_, ref.coef_, 1e-9)
    assert abs(model.intercept_ - ref.intercept_) <= 1e-8 * abs(ref.intercept_) * 1e4


def test_equals_scikit_learn_on_sparse_input():
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y, sw = _sparse_data(200, 30, density=0.2, k=2, seed=7)
    for fit_intercept in (True, False):
        ours = fr.Ridge(1.5, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
        theirs = linear_model.Ridge(1.5, fit_intercept=fit_intercept, solver="sparse_cg",
                                    tol=1e-14, max_iter=10_000)
        theirs.fit(X, y, sample_weight=sw)
        _close(ours.coef_, theirs.coef_, 1e-8)
        _close(ours.intercept_, theirs.intercept_, 1e-8)
        _close(ours.predict(X), theirs.predict(X), 1e-8)


# -- the iterative route: tolerance, per-target α, budget, warnings -------------------------

def test_cg_error_is_within_its_tolerance_on_badly_scaled_columns():
    """Column scales over three decades (κ(XᵀX) ≈ 1e6): Jacobi preconditioning removes
    them, and the coefficients are within tol of the exact solution."""
    X, y, _ = _sparse_data(3000, 300, density=0.03, seed=11)
    X = (X @ sp.diags(10 ** np.random.default_rng(0).uniform(0, 3, 300))).tocsr()
    exact = fr.Ridge(0.01, solver="primal").fit(X, y)
    for tol in (1e-4, 1e-8, None):
        model = fr.Ridge(0.01, solver="cg", tol=tol).fit(X, y)
        limit = _policy.iterative_tolerance(np.float64) if tol is None else tol
        _close(model.coef_, exact.coef_, limit)
        assert model.solver_ == "cg" and model.n_iter_ >= 1


def test_cg_per_target_alpha_and_wide_side():
    X, y, sw = _sparse_data(30, 200, density=0.1, k=3, seed=13)
    alphas = np.array([0.01, 1.0, 100.0])
    model = fr.Ridge(alphas, solver="cg", tol=1e-12).fit(X, y, sample_weight=sw)
    ref = fr.Ridge(alphas, solver="svd").fit(X.toarray(), y, sample_weight=sw)
    _close(model.coef_, ref.coef_, 1e-9)
    _close(model.intercept_, ref.intercept_, 1e-9)


def test_cg_warns_when_max_iter_is_too_small():
    X, y, _ = _sparse_data(200, 50, seed=17)
    with pytest.warns(_sparse.ConvergenceWarning, match="stopped after 2 iterations"):
        model = fr.Ridge(1e-3, solver="cg", max_iter=2).fit(X, y)
    assert model.n_iter_ == 2


def test_cg_budget_gives_up_early_on_a_hard_problem():
    X, y, _ = _sparse_data(400, 60, seed=19)
    X = (X @ sp.diags(10.0 ** np.linspace(0, 4, 60))).tocsr()
    op = _sparse.CentredOperator(check_sparse(X), center=True)
    B = op._rmatmat((y - y.mean())[:, None])
    _, info = _sparse.conjugate_gradients(op.normal, B, np.array([1e-9]), np.zeros(60),
                                          1e-14, 10_000, budget=5)
    assert info["aborted"] and info["n_iter"] <= 5


def test_auto_falls_back_to_the_exact_route_when_cg_would_be_slow(monkeypatch):
    X, y, _ = _sparse_data(300, 40, seed=23)
    monkeypatch.setattr(_sparse, "plan", lambda X, k, alphas: ("primal", "primal", 1))
    model = fr.Ridge(1e-6).fit(X, y)
    assert model.solver_ == "primal"
    ref = fr.Ridge(1e-6, solver="svd").fit(X.toarray(), y)
    _close(model.coef_, ref.coef_, 1e-9)


def test_auto_plan_by_shape_and_nnz():
    """The size rules of fastridge._policy: exact when cheap, cg first when the Gram
    factorization would cost many iterations, cg only when neither Gram fits."""
    exact, side, budget = _policy.sparse_plan(2000, 300, 20_000, 2000 * 55, 300 * 2000, 1,
                                              False)
    assert (exact, budget) == ("primal", 0)
    exact, side, budget = _policy.sparse_plan(100_000, 5_000, 10 ** 6, 100_000 * 55,
                                              5_000 * 20_000, 1, False)
    assert (exact, side) == ("primal", "primal") and budget > 100
    exact, side, budget = _policy.sparse_plan(20_000, 200_000, 2 * 10 ** 6, 20_000 * 5050,
                                              200_000 * 55, 1, False)
    assert (exact, side, budget) == (None, "dual", None)  # the n×n dual would be 3 GB
    assert _policy.sparse_plan(100_000, 5_000, 10 ** 6, 5.5e6, 1e8, 1, True)[2] == 0


def test_auto_on_sparse_reports_the_route():
    X, y, _ = _sparse_data(40, 10, seed=29)
    assert fr.Ridge().fit(X, y).solver_ == "primal"
    assert fr.Ridge().fit(X.T.tocsr(), y[:10]).solver_ == "dual"


def test_auto_eigen_fallback_on_an_ill_conditioned_gram():
    rng = np.random.default_rng(31)
    base = sp.random(60, 5, density=0.5, format="csr", random_state=rng)
    X = sp.hstack([base, base[:, :1] * (1 + 1e-9)]).tocsr()  # two columns nearly equal
    y = rng.standard_normal(60)
    model = fr.Ridge(1e-12).fit(X, y)
    assert model.solver_ == "eigen-primal"
    ref = fr.Ridge(1e-12, solver="svd").fit(X.toarray(), y)
    np.testing.assert_allclose(model.predict(X), ref.predict(X.toarray()), atol=1e-6)


# -- partial_fit ------------------------------------------------------------------------------

@pytest.mark.parametrize("fit_intercept", [True, False])
def test_partial_fit_sparse_blocks_equal_fit(fit_intercept):
    # with the intercept, a column far from zero (centred exactly block by block); without,
    # such a column would make XᵀX itself ill-conditioned (nothing to compare to rounding)
    X, y, sw = _sparse_data(300, 15, k=2, seed=37, offset_col=4 if fit_intercept else None)
    model = fr.Ridge(0.5, fit_intercept=fit_intercept)
    blocks = [(slice(0, 90), "csr"), (slice(90, 200), "csc"), (slice(200, 260), "dense"),
              (slice(260, 300), "coo")]
    for rows, fmt in blocks:
        block = X[rows].toarray() if fmt == "dense" else X[rows].asformat(fmt)
        model.partial_fit(block, y[rows], sample_weight=sw[rows])
    ref = fr.Ridge(0.5, fit_intercept=fit_intercept, solver="svd").fit(X.toarray(), y,
                                                                         sample_weight=sw)
    _close(model.coef_, ref.coef_, 1e-9)
    _close(model.intercept_, ref.intercept_, 1e-9)
    assert model.n_iter_ == 1  # a direct solve from the statistics


def test_partial_fit_refuses_row_solvers_by_name():
    X, y, _ = _sparse_data(20, 5)
    with pytest.raises(ValueError, match="solver='cg' needs all rows at once"):
        fr.Ridge(solver="cg").partial_fit(X, y)


# -- never densified --------------------------------------------------------------------------

def _peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def test_peak_memory_primal_dual_and_cg():
    """Dense X would be 160 MB (primal case) and 256 MB (dual case); the Gram routes stay
    within 1.2 × (Gram + nnz), conjugate gradients within a few copies of the vectors."""
    rng = np.random.default_rng(41)
    X = sp.random(20_000, 1_000, density=0.005, format="csr", random_state=rng)
    y = rng.standard_normal(20_000)
    gram = 8 * 1_000 ** 2
    for fmt in ("csr", "csc"):
        peak = _peak(lambda: fr.Ridge(1.0, solver="primal").fit(X.asformat(fmt), y,
                                                                sample_weight=np.ones(20_000)))
        assert peak <= 1.2 * (gram + 2 * _nbytes(X)), peak / 2 ** 20
    peak = _peak(lambda: fr.Ridge(1.0, solver="cg").fit(X, y))
    assert peak <= 2 * _nbytes(X) + 16 * 8 * (20_000 + 1_000), peak / 2 ** 20
    W = sp.random(1_500, 20_000, density=0.003, format="csr", random_state=rng)
    yw = rng.standard_normal(1_500)
    kernel = 8 * 1_500 ** 2
    peak = _peak(lambda: fr.Ridge(1.0, solver="dual").fit(W, yw, sample_weight=np.ones(1_500)))
    assert peak <= 1.2 * (kernel + 2 * _nbytes(W)), peak / 2 ** 20


def test_no_dense_copy_of_x_is_ever_made(monkeypatch):
    """toarray/todense are only called on blocks of at most 2²⁰ entries (exact centring
    of the columns far from zero), never on X."""
    X, y, sw = _sparse_data(300, 40, seed=43, offset_col=1)
    sizes = []
    for cls in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.csc_array,
                sp.coo_array):
        original = cls.toarray

        def spy(self, *args, _original=original, **kwargs):
            sizes.append(self.shape)
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(cls, "toarray", spy)
    for name in ("primal", "dual", "cg", "auto"):
        model = fr.Ridge(0.5, solver=name).fit(X, y, sample_weight=sw)
        model.predict(X)
    fr.Ridge().partial_fit(X, y)
    assert all(shape[1] < X.shape[1] for shape in sizes), sizes


# -- bad input, and inputs left untouched -----------------------------------------------------

def test_sparse_y_is_refused():
    X, y, _ = _sparse_data(20, 5)
    for call in (lambda: fr.Ridge().fit(X, sp.csr_matrix(y[:, None])),
                 lambda: fr.ridge(X, sp.csr_array(y[:, None])),
                 lambda: fr.Ridge().partial_fit(X, sp.csr_matrix(y[:, None]))):
        with pytest.raises(DataTypeError, match=r"y is a scipy.sparse matrix; y must be a dense"):
            call()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_stored_values_are_refused(bad):
    X, y, _ = _sparse_data(20, 5)
    X = X.copy()
    X.data[3] = bad
    for fmt in ("csr", "csc", "coo"):
        with pytest.raises(ValueError, match="X contains NaN or infinity"):
            fr.Ridge().fit(X.asformat(fmt), y)
        with pytest.raises(ValueError, match="X contains NaN or infinity"):
            fr.Ridge().partial_fit(X.asformat(fmt), y)


def test_dimensions_beyond_lapack_int32_are_refused():
    big = 2 ** 31 + 5
    tall = sp.csc_matrix((np.ones(1), np.array([big - 1], np.int64),
                          np.array([0, 1, 1, 1], np.int64)), shape=(big, 3))
    wide = sp.csr_matrix((np.ones(1), np.array([big - 1], np.int64),
                          np.array([0, 1, 1], np.int64)), shape=(2, big))
    with pytest.raises(ValueError, match=r"n_samples = 2147483653 exceeds the 32-bit"):
        fr.Ridge().fit(tall, np.ones(1))  # before any row count is compared
    with pytest.raises(ValueError, match=r"n_features = 2147483653 exceeds the 32-bit"):
        fr.Ridge().fit(wide, np.ones(2))


def test_int64_indices_within_range_work():
    X, y, sw = _sparse_data(50, 8, seed=47)
    X64 = sp.csr_matrix((X.data, X.indices.astype(np.int64), X.indptr.astype(np.int64)),
                        shape=X.shape)
    for name in ("primal", "dual", "cg"):
        a = fr.Ridge(solver=name, tol=1e-13).fit(X64, y, sample_weight=sw)
        b = fr.Ridge(solver=name, tol=1e-13).fit(X, y, sample_weight=sw)
        _close(a.coef_, b.coef_, 1e-12)


def test_invalid_structure_is_refused():
    X = sp.csr_matrix(np.eye(4))
    X.indices[2] = 9  # a column index outside [0, 4)
    with pytest.raises(ValueError, match="invalid CSR structure"):
        fr.Ridge().fit(X, np.ones(4))


def test_unsorted_and_duplicate_indices_sum_as_scipy_and_stay_untouched():
    rng = np.random.default_rng(53)
    n, d = 30, 6
    rows = np.repeat(np.arange(n), 5)
    cols = rng.integers(0, d, rows.size)                # repeats within a row
    vals = rng.standard_normal(rows.size)
    coo = sp.coo_matrix((vals, (rows, cols)), shape=(n, d))
    indptr = np.arange(0, rows.size + 1, 5)
    messy = sp.csr_matrix((vals[::-1].copy(), cols[::-1].copy(), indptr), shape=(n, d))
    messy = sp.csr_matrix((vals.copy(), cols.copy(), indptr), shape=(n, d))
    order = rng.permutation(5)
    for r in range(n):                                   # unsort every row
        sl = slice(5 * r, 5 * r + 5)
        messy.indices[sl] = messy.indices[sl][order]
        messy.data[sl] = messy.data[sl][order]
    before = [a.copy() for a in (messy.data, messy.indices, messy.indptr)]
    dense = coo.toarray()                                # duplicates summed
    y = rng.standard_normal(n)
    for X in (messy, coo, messy.tocsc()):
        for name in ("primal", "dual", "cg"):
            model = fr.Ridge(0.3, solver=name, tol=1e-13).fit(X, y)
            ref = fr.Ridge(0.3, solver="svd").fit(dense, y)
            _close(model.coef_, ref.coef_, 1e-10)
            _close(model.predict(X), ref.predict(dense), 1e-10)
    for a, b in zip((messy.data, messy.indices, messy.indptr), before):
        np.testing.assert_array_equal(a, b)
    assert not messy.has_sorted_indices


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_inputs_are_not_modified(fmt, dtype):
    X, y, sw = _sparse_data(40, 10, seed=59)
    X = (X * 10).astype(dtype).asformat(fmt)
    arrays = ([X.data, X.row, X.col] if fmt == "coo" else [X.data, X.indices, X.indptr])
    copies = [a.copy() for a in arrays] + [y.copy(), sw.copy()]
    for name in SPARSE_NAMES:
        fr.Ridge(solver=name).fit(X, y, sample_weight=sw).predict(X)
        fr.ridge(X, y, solver=name, sample_weight=sw)
    fr.Ridge().partial_fit(X, y, sample_weight=sw)
    for a, b in zip(arrays + [y, sw], copies):
        np.testing.assert_array_equal(a, b)


def test_dense_only_solver_is_refused_by_name():
    X, y, _ = _sparse_data(20, 5)
    for call in (lambda: fr.Ridge(solver="svd").fit(X, y), lambda: fr.ridge(X, y, solver="svd")):
        with pytest.raises(ValueError, match=rf"solver='svd' needs dense X.*{SPARSE_SOLVERS}"):
            call()


def test_functions_without_sparse_support_say_where_it_is():
    X, y, _ = _sparse_data(20, 5)
    with pytest.raises(DataTypeError, match="sparse X is accepted by fastridge.ridge"):
        fr.ridge_path(X, y, [1.0])
    with pytest.raises(DataTypeError, match="sparse X is accepted by fastridge.ridge"):
        fr.lstsq(X, y)


def test_integer_and_empty_sparse_input():
    X = sp.csr_matrix(np.array([[1, 0, 2], [0, 3, 0], [4, 0, 0], [0, 0, 5]], dtype=np.int32))
    y = np.arange(4.0)
    model = fr.Ridge().fit(X, y)
    assert model.coef_.dtype == np.float64
    _close(model.coef_, fr.Ridge(solver="svd").fit(X.toarray(), y).coef_, 1e-12)
    with pytest.raises(ValueError, match="0 feature"):
        fr.Ridge().fit(sp.csr_matrix((4, 0)), y)
    with pytest.raises(ValueError, match="0 sample"):
        fr.Ridge().fit(sp.csr_matrix((0, 3)), np.ones(0))


def test_zero_columns_rows_and_weights():
    X, y, sw = _sparse_data(40, 10, seed=61)
    X = X.tolil()
    X[:, 3] = 0
    X[5, :] = 0
    X = X.tocsr()
    sw[7] = 0.0
    for name in ("primal", "dual", "cg"):
        model = fr.Ridge(0.5, solver=name, tol=1e-13).fit(X, y, sample_weight=sw)
        ref = fr.Ridge(0.5, solver="svd").fit(X.toarray(), y, sample_weight=sw)
        _close(model.coef_, ref.coef_, 1e-10)
        assert model.coef_[3] == 0.0


def test_predict_checks_features_on_sparse_input():
    X, y, _ = _sparse_data(30, 6)
    model = fr.Ridge().fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but Ridge is expecting 6"):
        model.predict(X[:, :5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.predict(X.astype(np.float32)).dtype == np.float64


def test_centred_operator_products_and_row_blocks():
    """The implicit operator A = S^½(X − 1x̄ᵀ) equals the dense centred, weighted matrix,
    also through scipy's LinearOperator interface and in row blocks (what RidgeCV's
    leave-one-out pass would read)."""
    X, _, sw = _sparse_data(50, 9, seed=67, offset_col=3)
    Xd = X.toarray()
    Xl, swl = Xd.astype(np.longdouble), sw.astype(np.longdouble)  # the reference's mean
    A = (np.sqrt(swl)[:, None] * (Xl - swl @ Xl / swl.sum())).astype(np.float64)
    rng = np.random.default_rng(0)
    Z, V = rng.standard_normal((9, 2)), rng.standard_normal((50, 2))
    for M in (X, X.tocsc(), Xd):
        op = _sparse.CentredOperator(M if M is Xd else check_sparse(M), sw, center=True)
        # sparse X: the column far from zero is centred exactly; dense X (the registry's
        # "cg" on dense input) subtracts, losing about eps·|x̄|/sd = 1e5 eps
        rtol = 1e-12 if M is not Xd else 1e-10
        _close(op @ Z, A @ Z, rtol)
        _close(op.T @ V, A.T @ V, rtol)
        _close(op.matvec(Z[:, 0]), A @ Z[:, 0], rtol)
        _close(op.normal(Z), A.T @ (A @ Z), rtol)
        _close(op.gram_normal(V), A @ (A.T @ V), rtol)
        _close(op.row_block(10, 30, Z), (A @ Z)[10:30], rtol)
        _close(op.normal_diagonal(), (A * A).sum(axis=0), 1e-9)
        _close(op.gram_diagonal(), (A * A).sum(axis=1), 1e-9)


@pytest.mark.parametrize("itype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_transpose_equals_scipy(itype, dtype):
    rng = np.random.default_rng(71)
    X = sp.random(300, 5000, density=0.01, format="csr", random_state=rng).astype(dtype)
    X = sp.csr_matrix((X.data, X.indices.astype(itype), X.indptr.astype(itype)), shape=X.shape)
    for M, fmt in ((X, "csc"), (X.tocsc(), "csr"), (sp.csr_array(X), "csc")):
        ours, ref = _sparse.convert(M, fmt), M.asformat(fmt)
        assert ours.format == fmt and type(ours).__name__.endswith(type(M).__name__[3:])
        for a, b in ((ours.indptr, ref.indptr), (ours.indices, ref.indices),
                     (ours.data, ref.data)):
            np.testing.assert_array_equal(a, b)
    empty = sp.csr_matrix((4, 7), dtype=dtype)
    assert _sparse.convert(empty, "csc").nnz == 0
