"""Tests for ``fastridge.ridge`` and the NumPy references of docs/math.md §1.

Every compiled solver is checked against every reference (never against itself), the
references against each other and against closed forms (shrinkage, limits, inverses,
MAP), and the input rules of docs/math.md §3 (dtype, layout, no-overwrite, error messages).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastridge as fr
from fastridge import reference
from fastridge._solvers import solve_checked
from fastridge._validation import check_lapack_dims

SOLVERS = ("auto", "primal", "dual", "svd")
DTYPES = (np.float32, np.float64)
RTOL = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-10}
SEEDS = (0, 1, 2)

# (n, d): tall, wide, square, one sample, one feature, 1×1.
SHAPES = {
    "tall": (12, 4),
    "wide": (4, 12),
    "square": (6, 6),
    "n=1": (1, 5),
    "d=1": (7, 1),
    "1x1": (1, 1),
}


def _map(X, y, alpha):
    # docs/math.md §1.3 with α = σ²/τ²: σ² = α, τ² = 1.
    return reference.ridge_map(X, y, noise_var=alpha, prior_var=1.0)


REFERENCES = {
    "normal_equations": reference.ridge_normal_equations,
    "dual": reference.ridge_dual,
    "svd": reference.ridge_svd,
    "map": _map,
    "fake_data": reference.ridge_fake_data,
    "fake_features": reference.ridge_fake_features,
}


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

def make_data(n, d, k=None, seed=0, dtype=np.float64, x_order="C", y_order="C"):
    """Gaussian X (n, d) and y (n,) (k None) or Y (n, k) in the requested dtype/order."""
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.standard_normal((n, d)), dtype=dtype, order=x_order)
    shape = (n,) if k is None else (n, k)
    y = np.asarray(rng.standard_normal(shape), dtype=dtype, order=y_order)
    return X, y


def ref_ridge(X, y, alpha, sample_weight=None, ref=reference.ridge_normal_equations):
    """Reference ridge in float64: per-target α column by column, weights as √s-scaling."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if sample_weight is not None:
        r = np.sqrt(np.asarray(sample_weight, dtype=np.float64))
        X = r[:, None] * X
        y = r[:, None] * y if y.ndim == 2 else r * y
    alpha = np.asarray(alpha, dtype=np.float64)
    if alpha.ndim == 0 or alpha.size == 1:
        return ref(X, y, float(alpha.reshape(-1)[0]))
    return np.column_stack([ref(X, y[:, j], a) for j, a in enumerate(alpha)])


def assert_close(got, want, dtype, factor=1.0):
    """Elementwise rtol from the working dtype, with atol relative to the largest entry."""
    want = np.asarray(want, dtype=np.float64)
    rtol = factor * RTOL[np.dtype(dtype)]
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    assert got.shape == want.shape
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol,
                               atol=rtol * scale)


# --------------------------------------------------------------------------------------
# A hand-computed example (independent of every implementation)
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("solver", SOLVERS)
def test_hand_computed_example(solver):
    # XᵀX + I = [[3, 1], [1, 6]], Xᵀy = [4, 7]  →  w = [[6, -1], [-1, 3]] [4, 7] / 17 = [1, 1]
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(fr.ridge(X, y, 1.0, solver=solver), [1.0, 1.0], rtol=1e-13)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_hand_computed_example_references(name):
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(REFERENCES[name](X, y, 1.0), [1.0, 1.0], rtol=1e-13)


# --------------------------------------------------------------------------------------
# Every solver equals every reference
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("y_kind", ["1d", "2d-C", "2d-F"])
@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
@pytest.mark.parametrize("solver", SOLVERS)
def test_solver_matches_every_reference(solver, shape, y_kind, x_order, dtype):
    n, d = SHAPES[shape]
    k = None if y_kind == "1d" else 3
    y_order = "F" if y_kind == "2d-F" else "C"
    for seed in SEEDS:
        X, y = make_data(n, d, k, seed, dtype, x_order, y_order)
        for alpha in (0.5, 3.0):
            coef = fr.ridge(X, y, alpha, solver=solver)
            assert coef.dtype == dtype
            assert coef.shape == ((d,) if k is None else (d, k))
            for name, ref in REFERENCES.items():
                want = ref_ridge(X, y, alpha, ref=ref)
                try:
                    assert_close(coef, want, dtype)
                except AssertionError as e:
                    raise AssertionError(f"reference {name}, seed {seed}, alpha {alpha}") from e


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("solver", SOLVERS)
def test_2d_y_with_one_column(solver, dtype):
    X, y = make_data(9, 3, 1, seed=4, dtype=dtype)
    coef = fr.ridge(X, y, 2.0, solver=solver)
    assert coef.shape == (3, 1)
    assert_close(coef, ref_ridge(X, y, 2.0), dtype)
    # ... and equals the 1-D answer for y[:, 0]
    assert_close(fr.ridge(X, y[:, 0], 2.0, solver=solver), ref_ridge(X, y[:, 0], 2.0), dtype)


@pytest.mark.parametrize("solver", SOLVERS)
def test_list_input(solver):
    X, y = make_data(8, 3, seed=5)
    coef = fr.ridge(X.tolist(), y.tolist(), 1.5, solver=solver)
    assert coef.dtype == np.float64
    assert_close(coef, ref_ridge(X, y, 1.5), np.float64)


# --------------------------------------------------------------------------------------
# Per-target α
# --------------------------------------------------------------------------------------

ALPHA_VECTORS = {
    "repeated": [1.0, 5.0, 1.0, 5.0, 1.0],
    "distinct": [0.1, 1.0, 10.0, 100.0, 3.0],
    "all-equal": [2.0, 2.0, 2.0, 2.0, 2.0],
    "unsorted-shared": [7.0, 0.3, 7.0, 7.0, 0.3],
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("orders", ["CC", "CF", "FC", "FF"])
@pytest.mark.parametrize("shape", ["tall", "wide", "square"])
@pytest.mark.parametrize("alphas", list(ALPHA_VECTORS), ids=list(ALPHA_VECTORS))
@pytest.mark.parametrize("solver", SOLVERS)
def test_per_target_alpha(solver, alphas, shape, orders, dtype):
    n, d = SHAPES[shape]
    alpha = np.array(ALPHA_VECTORS[alphas])
    for seed in SEEDS:
        X, Y = make_data(n, d, alpha.size, seed, dtype, orders[0], orders[1])
        coef = fr.ridge(X, Y, alpha, solver=solver)
        assert coef.shape == (d, alpha.size) and coef.dtype == dtype
        assert_close(coef, ref_ridge(X, Y, alpha), dtype)
        assert_close(coef, ref_ridge(X, Y, alpha, ref=reference.ridge_svd), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("orders", ["CC", "CF", "FC", "FF"])
@pytest.mark.parametrize("shape", [(30, 4), (4, 9)], ids=["tall", "wide"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_more_targets_than_features(solver, shape, orders, dtype):
    # k > d: the drivers form XᵀY (and the dual's XᵀA) as (YᵀX)ᵀ, BLAS's faster side.
    n, d = shape
    X, Y = make_data(n, d, 25, 3, dtype, orders[0], orders[1])
    alpha = np.linspace(0.5, 3.0, 25)
    coef = fr.ridge(X, Y, alpha, solver=solver)
    assert coef.shape == (d, 25) and coef.dtype == dtype
    assert_close(coef, ref_ridge(X, Y, alpha), dtype)
    assert_close(fr.ridge(X, Y, 1.5, solver=solver), ref_ridge(X, Y, 1.5), dtype)


@pytest.mark.parametrize("solver", SOLVERS)
def test_shared_alpha_targets_match_single_alpha_solves(solver):
    # Targets sharing an α share one factorization; each column must equal its own solve.
    alpha = np.array([1.0, 5.0, 1.0, 5.0, 1.0, 0.25])
    for shape in ("tall", "wide"):
        X, Y = make_data(*SHAPES[shape], alpha.size, seed=7)
        coef = fr.ridge(X, Y, alpha, solver=solver)
        for j, a in enumerate(alpha):
            single = fr.ridge(X, Y[:, j], float(a), solver=solver)
            np.testing.assert_allclose(coef[:, j], single, rtol=1e-12, atol=1e-14)
            assert_close(coef[:, j], reference.ridge_normal_equations(X, Y[:, j], a),
                         np.float64)


@pytest.mark.parametrize("solver", SOLVERS)
def test_alpha_array_forms(solver):
    X, Y = make_data(10, 3, 4, seed=8)
    want = ref_ridge(X, Y, 2.0)
    # a length-1 array, a 0-d array and a NumPy scalar all mean "one α for every target"
    for alpha in (np.array([2.0]), np.array(2.0), np.float64(2.0), np.float32(2.0), 2, [2.0]):
        assert_close(fr.ridge(X, Y, alpha, solver=solver), want, np.float64)
    # integer α per target
    assert_close(fr.ridge(X, Y, np.array([1, 2, 3, 4]), solver=solver),
                 ref_ridge(X, Y, [1.0, 2.0, 3.0, 4.0]), np.float64)


# --------------------------------------------------------------------------------------
# Sample weights
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("orders", ["CC", "FF", "CF"])
@pytest.mark.parametrize("y_kind", ["1d", "2d"])
@pytest.mark.parametrize("shape", ["tall", "wide", "square", "n=1", "d=1"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_sample_weight_matches_scaled_reference(solver, shape, y_kind, orders, dtype):
    n, d = SHAPES[shape]
    k = None if y_kind == "1d" else 3
    for seed in SEEDS:
        X, y = make_data(n, d, k, seed, dtype, orders[0], orders[1])
        sw = np.random.default_rng(100 + seed).uniform(0.0, 3.0, n)
        if n > 2:
            sw[1] = 0.0
        coef = fr.ridge(X, y, 1.3, solver=solver, sample_weight=sw)
        assert coef.dtype == dtype
        for ref in (reference.ridge_normal_equations, reference.ridge_svd,
                    reference.ridge_fake_data):
            assert_close(coef, ref_ridge(X, y, 1.3, sw, ref=ref), dtype)


@pytest.mark.parametrize("solver", SOLVERS)
def test_sample_weight_with_per_target_alpha(solver):
    alpha = np.array([1.0, 5.0, 1.0, 5.0, 1.0])
    for shape in ("tall", "wide"):
        for seed in SEEDS:
            X, Y = make_data(*SHAPES[shape], alpha.size, seed=seed)
            sw = np.random.default_rng(seed).uniform(0.1, 2.0, X.shape[0])
            coef = fr.ridge(X, Y, alpha, solver=solver, sample_weight=sw)
            assert_close(coef, ref_ridge(X, Y, alpha, sw), np.float64)


@pytest.mark.parametrize("solver", SOLVERS)
def test_integer_weights_equal_row_repetition(solver):
    for shape in ("tall", "wide", "square"):
        for seed in SEEDS:
            X, Y = make_data(*SHAPES[shape], 2, seed=seed)
            w = np.random.default_rng(seed).integers(0, 4, X.shape[0])
            w[0] = 2  # at least one row survives
            X_rep, Y_rep = np.repeat(X, w, axis=0), np.repeat(Y, w, axis=0)
            weighted = fr.ridge(X, Y, 0.7, solver=solver, sample_weight=w)
            assert_close(weighted, reference.ridge_normal_equations(X_rep, Y_rep, 0.7),
                         np.float64)
            assert_close(weighted, fr.ridge(X_rep, Y_rep, 0.7, solver="svd"), np.float64)


@pytest.mark.parametrize("solver", SOLVERS)
def test_zero_weight_equals_dropping_the_row(solver):
    for shape in ("tall", "wide", "square"):
        for seed in SEEDS:
            X, y = make_data(*SHAPES[shape], seed=seed)
            keep = np.ones(X.shape[0], bool)
            keep[[0, 2]] = False
            dropped = reference.ridge_normal_equations(X[keep], y[keep], 0.9)
            coef = fr.ridge(X, y, 0.9, solver=solver, sample_weight=keep.astype(float))
            assert_close(coef, dropped, np.float64)
            # bool weights are 0/1 weights too
            assert_close(fr.ridge(X, y, 0.9, solver=solver, sample_weight=keep), dropped,
                         np.float64)


@pytest.mark.parametrize("solver", SOLVERS)
def test_scalar_and_unit_sample_weight(solver):
    X, y = make_data(10, 4, 2, seed=3)
    # a constant weight c rescales the data term: same as α / c
    assert_close(fr.ridge(X, y, 2.0, solver=solver, sample_weight=4.0),
                 ref_ridge(X, y, 0.5), np.float64)
    assert_close(fr.ridge(X, y, 2.0, solver=solver, sample_weight=np.ones(10)),
                 ref_ridge(X, y, 2.0), np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("solver", ["primal", "auto"])
def test_weighted_primal_many_row_blocks(solver, dtype):
    # Many targets make the weighted Gram accumulate over several row blocks of √s ∘ X.
    n, d, k = 40, 3, 16400
    X, Y = make_data(n, d, k, seed=11, dtype=dtype)
    sw = np.random.default_rng(11).uniform(0.0, 2.0, n).astype(dtype)
    coef = fr.ridge(X, Y, 1.0, solver=solver, sample_weight=sw)
    Xs = np.sqrt(sw.astype(np.float64))[:, None] * X.astype(np.float64)
    Ys = np.sqrt(sw.astype(np.float64))[:, None] * Y.astype(np.float64)
    want = np.linalg.solve(Xs.T @ Xs + np.eye(d), Xs.T @ Ys)
    assert_close(coef, want, dtype)


# --------------------------------------------------------------------------------------
# The five views of docs/math.md §1 agree; primal = dual; shrinkage; limits; inverses; MAP
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("y_kind", ["1d", "2d"])
@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_reference_views_agree(shape, y_kind):
    n, d = SHAPES[shape]
    k = None if y_kind == "1d" else 2
    for seed in SEEDS:
        X, y = make_data(n, d, k, seed)
        for alpha in (0.01, 1.0, 100.0):
            base = reference.ridge_normal_equations(X, y, alpha)
            for name, ref in REFERENCES.items():
                np.testing.assert_allclose(ref(X, y, alpha), base, rtol=1e-9,
                                           atol=1e-9 * np.abs(base).max(), err_msg=name)


@pytest.mark.parametrize("shape", ["tall", "wide", "square", "n=1", "d=1"])
def test_push_through_identity(shape):
    # (XᵀX + αI_d)⁻¹ Xᵀ = Xᵀ (XXᵀ + αI_n)⁻¹, checked as matrices (y = I_n), and the
    # compiled primal and dual paths agree with each other.
    n, d = SHAPES[shape]
    X, _ = make_data(n, d, seed=6)
    for alpha in (0.1, 2.0):
        left = np.linalg.solve(X.T @ X + alpha * np.eye(d), X.T)
        right = X.T @ np.linalg.inv(X @ X.T + alpha * np.eye(n))
        np.testing.assert_allclose(left, right, rtol=1e-10, atol=1e-12)
        primal = fr.ridge(X, np.eye(n), alpha, solver="primal")
        dual = fr.ridge(X, np.eye(n), alpha, solver="dual")
        np.testing.assert_allclose(primal, dual, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(primal, left, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", ["tall", "wide", "square"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_shrinkage_factors(solver, shape):
    # X = U S Vᵀ:  Vᵀ w = s/(s² + α) · Uᵀ y for every singular direction, and w has no
    # component outside the row space of X.
    n, d = SHAPES[shape]
    for seed in SEEDS:
        X, y = make_data(n, d, seed=seed)
        U, s, Vt = np.linalg.svd(X, full_matrices=True)
        r = min(n, d)
        for alpha in (0.01, 1.0, 50.0):
            w = fr.ridge(X, y, alpha, solver=solver)
            factors = s / (s**2 + alpha)
            np.testing.assert_allclose(Vt[:r] @ w, factors * (U[:, :r].T @ y), rtol=1e-9,
                                       atol=1e-12)
            np.testing.assert_allclose(Vt[r:] @ w, 0.0, atol=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
def test_large_alpha_shrinks_to_zero(solver):
    # w = (I + XᵀX/α)⁻¹ Xᵀy / α, so 1/(1 + s_max²/α) ≤ α||w|| / ||Xᵀy|| ≤ 1 → 1.
    for shape in ("tall", "wide"):
        X, y = make_data(*SHAPES[shape], seed=9)
        g = np.linalg.norm(y @ X)
        smax2 = np.linalg.norm(X, 2) ** 2
        prev_gap, prev_norm = np.inf, np.inf
        for alpha in (1e1, 1e2, 1e4, 1e6, 1e8):
            w = fr.ridge(X, y, alpha, solver=solver)
            norm = np.linalg.norm(w)
            ratio = alpha * norm / g
            assert 1 / (1 + smax2 / alpha) * (1 - 1e-12) <= ratio <= 1 + 1e-12
            assert abs(ratio - 1) < prev_gap and norm < prev_norm
            prev_gap, prev_norm = abs(ratio - 1), norm
        assert prev_gap < 1e-5 and prev_norm < 1e-6
        # the direction tends to Xᵀy
        np.testing.assert_allclose(alpha * w, X.T @ y, rtol=1e-6, atol=1e-6 * g)


def _assert_converges_as_alpha_falls(X, y, solver, limit):
    """ridge(α) approaches ``limit`` monotonically as α → 0, to 1e-8 relative at 1e-8."""
    prev = np.inf
    for alpha in (1.0, 1e-2, 1e-4, 1e-6, 1e-8):
        err = np.linalg.norm(fr.ridge(X, y, alpha, solver=solver) - limit)
        assert err < prev
        prev = err
    assert prev < 1e-8 * np.linalg.norm(limit)


@pytest.mark.parametrize("solver", ["auto", "svd", "primal"])
def test_small_alpha_tall_is_least_squares(solver):
    for seed in SEEDS:
        X, y = make_data(30, 4, seed=seed)
        ls = np.linalg.lstsq(X, y, rcond=None)[0]
        np.testing.assert_allclose(fr.ridge(X, y, 0.0, solver=solver), ls, rtol=1e-10)
        np.testing.assert_allclose(reference.lstsq_min_norm(X, y), ls, rtol=1e-10)
        _assert_converges_as_alpha_falls(X, y, solver, ls)


@pytest.mark.parametrize("solver", ["auto", "svd", "dual"])
def test_small_alpha_wide_is_minimum_norm(solver):
    for seed in SEEDS:
        X, y = make_data(4, 15, seed=seed)
        min_norm = X.T @ np.linalg.solve(X @ X.T, y)
        w = fr.ridge(X, y, 0.0, solver=solver)
        np.testing.assert_allclose(w, min_norm, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(X @ w, y, rtol=1e-10, atol=1e-12)  # interpolates
        np.testing.assert_allclose(reference.lstsq_min_norm(X, y), min_norm, rtol=1e-10)
        _assert_converges_as_alpha_falls(X, y, solver, min_norm)


@pytest.mark.parametrize("solver", ["auto", "svd"])
def test_alpha_zero_rank_deficient_is_pseudo_inverse(solver):
    X, y = make_data(12, 4, seed=1)
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # rank 4 of 5 columns
    pinv = np.linalg.pinv(X) @ y
    np.testing.assert_allclose(fr.ridge(X, y, 0.0, solver=solver), pinv, rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(reference.lstsq_min_norm(X, y), pinv, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("solver", ["auto", "svd", "primal"])
def test_left_inverse_tall(solver):
    X, _ = make_data(10, 4, seed=2)
    A = fr.ridge(X, np.eye(10), 0.0, solver=solver)  # A = (XᵀX)⁻¹Xᵀ, shape (d, n)
    assert A.shape == (4, 10)
    np.testing.assert_allclose(A @ X, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(A, np.linalg.solve(X.T @ X, X.T), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("solver", ["auto", "svd", "dual"])
def test_right_inverse_wide(solver):
    X, _ = make_data(4, 10, seed=2)
    B = fr.ridge(X, np.eye(4), 0.0, solver=solver)  # B = Xᵀ(XXᵀ)⁻¹, shape (d, n)
    assert B.shape == (10, 4)
    np.testing.assert_allclose(X @ B, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(B, X.T @ np.linalg.inv(X @ X.T), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
def test_map_estimate_is_ridge(solver):
    for shape in ("tall", "wide"):
        X, y = make_data(*SHAPES[shape], seed=4)
        for noise_var, prior_var in ((1.0, 1.0), (0.5, 2.0), (3.0, 0.1), (6.0, 0.2)):
            alpha = noise_var / prior_var
            want = reference.ridge_map(X, y, noise_var, prior_var)
            assert_close(fr.ridge(X, y, alpha, solver=solver), want, np.float64)
            assert_close(reference.ridge_normal_equations(X, y, alpha), want, np.float64)


# --------------------------------------------------------------------------------------
# solver="auto": the choice, the α = 0 rule and the SVD fallback; explicit Cholesky errors
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_auto_choice(dtype):
    cases = [((12, 4), 1.0, "primal"), ((6, 6), 1.0, "primal"), ((4, 12), 1.0, "dual"),
             ((12, 4), 0.0, "svd"), ((4, 12), 0.0, "svd")]
    for (n, d), alpha, expected in cases:
        X, y = make_data(n, d, seed=0, dtype=dtype)
        coef, ran = solve_checked(X, y, np.array([alpha]), None, "auto")
        assert ran == expected, ((n, d), alpha)
        assert_close(coef, ref_ridge(X, y, alpha, ref=reference.ridge_svd), dtype)
    # one zero among per-target α → svd for all
    X, Y = make_data(12, 4, 3, seed=0, dtype=dtype)
    alphas = np.array([1.0, 0.0, 2.0])
    coef, ran = solve_checked(X, Y, alphas, None, "auto")
    assert ran == "svd"
    assert_close(coef, ref_ridge(X, Y, alphas, ref=reference.ridge_svd), dtype)


@pytest.mark.parametrize("solver", ["primal", "dual", "svd"])
def test_explicit_solver_is_the_one_that_runs(solver):
    X, y = make_data(12, 4, seed=0)
    assert solve_checked(X, y, np.array([1.0]), None, solver)[1] == solver


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["duplicate", "zero"])
def test_auto_falls_back_to_svd_on_rank_deficient_tall(kind, dtype):
    X, y = make_data(20, 4, seed=3, dtype=dtype)
    extra = X[:, 1] if kind == "duplicate" else np.zeros(20, dtype)
    X = np.column_stack([X, extra]).astype(dtype)
    for alpha in (1e-300, 1e-30):
        coef, ran = solve_checked(X, y, np.array([alpha]), None, "auto")
        assert ran == "svd"
        want = reference.lstsq_min_norm(X.astype(np.float64), y.astype(np.float64))
        assert_close(coef, want, dtype, factor=10)
        assert_close(fr.ridge(X, y, alpha), want, dtype, factor=10)


def test_auto_falls_back_to_svd_on_rank_deficient_wide():
    X, y = make_data(6, 10, seed=3)
    X[4] = X[1]  # rank 5 of 6 rows: XXᵀ singular
    coef, ran = solve_checked(X, y, np.array([1e-300]), None, "auto")
    assert ran == "svd"
    np.testing.assert_allclose(coef, np.linalg.pinv(X) @ y, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(80, 40), (40, 80), (33, 33)])
def test_auto_larger_than_small_condest(shape, dtype):
    # Above 32 rows/columns of the Gram the condition estimate takes another route
    # (?pocon): the well-conditioned case stays on Cholesky, the singular one falls back.
    n, d = shape
    X, Y = make_data(n, d, 2, seed=8, dtype=dtype)
    alpha = 10.0
    coef, ran = solve_checked(X, Y, np.array([alpha]), None, "auto")
    assert ran == ("primal" if n >= d else "dual")
    assert_close(coef, ref_ridge(X, Y, alpha), dtype, factor=10)
    if n >= d:
        X = X.copy()
        X[:, 32] = X[:, 3]  # duplicate column: XᵀX singular
    else:
        X = X.copy()
        X[32] = X[3]        # duplicate row: XXᵀ singular
        Y = Y.copy()
    coef, ran = solve_checked(X, Y, np.array([1e-300]), None, "auto")
    assert ran == "svd"
    want = reference.lstsq_min_norm(X.astype(np.float64), Y.astype(np.float64))
    assert_close(coef, want, dtype, factor=100)


@pytest.mark.parametrize("alpha", [1e-30, 1e-300])
def test_auto_falls_back_to_svd_on_ill_conditioned_gram(alpha):
    # X = Z D with column scales 1e-9 apart: cond(XᵀX) ~ 1e18, beyond float64 Cholesky.
    rng = np.random.default_rng(5)
    Z = rng.standard_normal((30, 4))
    scales = np.array([1.0, 1e-9, 1.0, 1e-9])
    X = Z * scales
    v = rng.standard_normal(4)
    y = Z @ v  # consistent: least squares gives w = v / scales
    coef, ran = solve_checked(X, y, np.array([alpha]), None, "auto")
    assert ran == "svd"
    rel = np.linalg.norm(coef * scales - v) / np.linalg.norm(v)
    assert rel < 1e-5
    public = fr.ridge(X, y, alpha)
    assert np.linalg.norm(public * scales - v) / np.linalg.norm(v) < 1e-5
    assert np.linalg.norm(X @ public - y) < 1e-5 * np.linalg.norm(y)


def test_auto_float32_falls_back_when_gram_too_ill_conditioned_for_single():
    # cond(XᵀX) ~ 1e6 is fine for float64 Cholesky but not for float32 (eps ~ 1e-7).
    rng = np.random.default_rng(6)
    Z = rng.standard_normal((40, 3))
    X = Z * np.array([1.0, 1e-3, 1.0])
    y = rng.standard_normal(40)
    assert solve_checked(X, y, np.array([1e-20]), None, "auto")[1] == "primal"
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    coef, ran = solve_checked(X32, y32, np.array([1e-20]), None, "auto")
    assert ran == "svd" and coef.dtype == np.float32
    ls = np.linalg.lstsq(X32.astype(np.float64), y32.astype(np.float64), rcond=None)[0]
    assert np.linalg.norm(coef - ls) < 1e-3 * np.linalg.norm(ls)


@pytest.mark.parametrize("solver", ["primal", "dual"])
def test_explicit_cholesky_not_pd_raises(solver):
    # primal: zero 3rd column → XᵀX has a zero 3rd pivot; dual: zero 3rd row → XXᵀ.
    if solver == "primal":
        X, y = make_data(10, 5, seed=0)
        X[:, 2] = 0.0
        which = r"XᵀX"
    else:
        X, y = make_data(5, 10, seed=0)
        X[2] = 0.0
        which = r"XXᵀ"
    with pytest.raises(np.linalg.LinAlgError,
                       match=r"3-th leading minor of " + which + r".*not positive definite"
                             r".*solver='svd'"):
        fr.ridge(X, y, 0.0, solver=solver)
    # α > 0 makes it positive definite: no error, right answer
    assert_close(fr.ridge(X, y, 0.5, solver=solver), ref_ridge(X, y, 0.5), np.float64)


@pytest.mark.parametrize("solver", ["primal", "dual"])
def test_explicit_cholesky_rank_deficient_raises(solver):
    X, y = make_data(12, 4, seed=1) if solver == "primal" else make_data(4, 12, seed=1)
    if solver == "primal":
        X = np.column_stack([X, X[:, 1]])  # duplicate column
    else:
        X = np.vstack([X, X[1]])           # duplicate row
        y = np.append(y, y[1])
    with pytest.raises(np.linalg.LinAlgError, match=r"leading minor.*solver='svd'"):
        fr.ridge(X, y, 0.0, solver=solver)


def test_dual_on_tall_alpha_zero_raises():
    X, y = make_data(12, 4, seed=1)  # XXᵀ (12×12) has rank 4
    with pytest.raises(np.linalg.LinAlgError, match=r"leading minor.*solver='svd'"):
        fr.ridge(X, y, 0.0, solver="dual")


def test_not_pd_error_names_the_failing_alpha():
    X, Y = make_data(10, 5, 2, seed=0)
    X[:, 0] = 0.0
    with pytest.raises(np.linalg.LinAlgError, match=r"1-th leading minor.*alpha=0\b"):
        fr.ridge(X, Y, [3.0, 0.0], solver="primal")


# --------------------------------------------------------------------------------------
# dtype stability
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("y_dtype", [np.float32, np.float64, np.int64, bool])
@pytest.mark.parametrize("x_dtype", [np.float32, np.float64, np.int32, np.int64,
                                     np.uint8, bool])
def test_dtype_stability(x_dtype, y_dtype, solver):
    rng = np.random.default_rng(0)
    Xf = rng.integers(0, 3, (10, 3)).astype(np.float64) if x_dtype is not bool \
        else rng.integers(0, 2, (10, 3)).astype(np.float64)
    yf = rng.integers(0, 2, 10).astype(np.float64)
    X, y = Xf.astype(x_dtype), yf.astype(y_dtype)
    working = np.dtype(np.float32) if x_dtype is np.float32 else np.dtype(np.float64)
    coef = fr.ridge(X, y, 1.0, solver=solver)
    assert coef.dtype == working
    assert_close(coef, reference.ridge_normal_equations(Xf, yf, 1.0), working)


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_close_to_float64(solver):
    for shape in ("tall", "wide"):
        for seed in SEEDS:
            X, y = make_data(*SHAPES[shape], 2, seed=seed)
            X32, y32 = X.astype(np.float32), y.astype(np.float32)
            c32 = fr.ridge(X32, y32, 1.0, solver=solver)
            c64 = fr.ridge(X, y, 1.0, solver=solver)
            assert c32.dtype == np.float32 and c64.dtype == np.float64
            assert_close(c32, ref_ridge(X32, y32, 1.0), np.float32)
            assert_close(c32, ref_ridge(X, y, 1.0), np.float32, factor=10)
            assert_close(c64, ref_ridge(X, y, 1.0), np.float64)


def _with_text(a):
    """An object array of ``a``'s numbers with one entry a string (numeric object arrays
    are converted, docs/math.md §3; one holding text is not)."""
    a = a.astype(object)
    a.flat[1] = "a"
    return a


@pytest.mark.parametrize("bad", ["complex", "object", "string", "bytes"])
def test_non_real_X_raises_type_error(bad):
    X, y = make_data(5, 2)
    Xbad = {"complex": X.astype(np.complex128), "object": _with_text(X),
            "string": X.astype(str), "bytes": X.astype(bytes)}[bad]
    with pytest.raises(TypeError, match=r"X has dtype .*expected"):
        fr.ridge(Xbad, y)


@pytest.mark.parametrize("bad", ["complex", "object", "string"])
def test_non_real_y_raises_type_error(bad):
    X, y = make_data(5, 2)
    ybad = {"complex": y.astype(np.complex128), "object": _with_text(y),
            "string": y.astype(str)}[bad]
    with pytest.raises(TypeError, match=r"y has dtype"):
        fr.ridge(X, ybad)


# --------------------------------------------------------------------------------------
# Inputs are never modified
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("extras", ["plain", "weights", "alpha-array", "both"])
@pytest.mark.parametrize("y_order", ["1d", "C", "F"])
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("solver", SOLVERS)
def test_no_overwrite(solver, dtype, x_order, y_order, extras):
    for shape in ("tall", "wide"):
        n, d = SHAPES[shape]
        k = None if y_order == "1d" else 3
        X, y = make_data(n, d, k, seed=1, dtype=dtype, x_order=x_order,
                         y_order="C" if k is None else y_order)
        kwargs = {}
        if extras in ("weights", "both"):
            kwargs["sample_weight"] = np.linspace(0.0, 2.0, n).astype(dtype)
        alpha = 1.5
        if extras in ("alpha-array", "both") and k is not None:
            alpha = np.array([1.0, 4.0, 1.0])
        copies = [a.copy(order="K") for a in (X, y)]
        sw_copy = kwargs["sample_weight"].copy() if kwargs else None
        alpha_copy = np.copy(alpha)
        coef = fr.ridge(X, y, alpha, solver=solver, **kwargs)
        np.testing.assert_array_equal(X, copies[0])
        np.testing.assert_array_equal(y, copies[1])
        assert X.flags.f_contiguous == copies[0].flags.f_contiguous
        if sw_copy is not None:
            np.testing.assert_array_equal(kwargs["sample_weight"], sw_copy)
        np.testing.assert_array_equal(alpha, alpha_copy)
        assert not np.shares_memory(coef, X) and not np.shares_memory(coef, y)
        # and the answer is right
        assert_close(coef, ref_ridge(X, y, alpha, kwargs.get("sample_weight")), dtype)


@pytest.mark.parametrize("solver", SOLVERS)
def test_no_overwrite_non_contiguous_and_int(solver):
    base = np.random.default_rng(2).standard_normal((20, 8))
    X = base[::2, ::2]
    y = np.random.default_rng(3).standard_normal((10, 4))[:, ::2]
    sw = np.arange(10)
    saved = [a.copy() for a in (base, y, sw)]
    fr.ridge(X, y, 1.0, solver=solver, sample_weight=sw)
    fr.ridge((X * 10).astype(np.int64), y, 1.0, solver=solver)
    for a, b in zip((base, y, sw), saved):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------------------
# Non-contiguous inputs equal their contiguous copies
# --------------------------------------------------------------------------------------

def _views(dtype):
    """Non-contiguous (or transposed) views X (n, d) and y, matched in n."""
    rng = np.random.default_rng(4)
    big = rng.standard_normal((24, 12)).astype(dtype)
    bigY = rng.standard_normal((24, 6)).astype(dtype)
    return {
        "row-step": (big[::2], bigY[::2]),                      # (12, 12), (12, 6)
        "col-step": (big[:12, ::2], bigY[:12, ::3]),            # (12, 6), (12, 2)
        "both-steps": (big[::3, ::2], bigY[::3, 1::2]),         # (8, 6), (8, 3)
        "transposed-of-C": (big.T[:, :10], bigY[:12, :3]),      # F-ordered view, wide
        "transposed-of-F": (np.asfortranarray(big).T, bigY[:12, 0]),  # C-ordered view
        "transposed-step": (big.T[::2, ::2], bigY[1:12:2, :2]),  # (6, 12) wide
        "reversed": (big[::-1], bigY[::-1, 0]),                 # negative strides
        "1d-y-step": (big[:12], bigY[::2, 1]),
        "wide-row-step": (big[::4], bigY[::4, ::2]),            # (6, 12), (6, 3)
    }


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("view", list(_views(np.float64)))
@pytest.mark.parametrize("solver", SOLVERS)
def test_non_contiguous_inputs(solver, view, dtype):
    X, y = _views(dtype)[view]
    coef = fr.ridge(X, y, 0.8, solver=solver)
    Xc, yc = np.ascontiguousarray(X), np.ascontiguousarray(y)
    np.testing.assert_allclose(coef, fr.ridge(Xc, yc, 0.8, solver=solver),
                               rtol=10 * RTOL[np.dtype(dtype)],
                               atol=10 * RTOL[np.dtype(dtype)])
    assert_close(coef, ref_ridge(X, y, 0.8), dtype)


@pytest.mark.parametrize("solver", SOLVERS)
def test_read_only_and_broadcast_inputs(solver):
    X, Y = make_data(12, 4, 2, seed=3)
    Xr, Yr = X.copy(), Y.copy()
    Xr.setflags(write=False)
    Yr.setflags(write=False)
    sw = np.broadcast_to(np.float64(2.0), (12,))  # read-only, stride 0
    assert_close(fr.ridge(Xr, Yr, 1.0, solver=solver, sample_weight=sw),
                 ref_ridge(X, Y, 0.5), np.float64)
    alpha = np.array([1.0, 2.0])
    alpha.setflags(write=False)
    assert_close(fr.ridge(Xr, Yr, alpha, solver=solver), ref_ridge(X, Y, alpha), np.float64)


def _unaligned(a):
    buf = np.zeros(a.nbytes + 1, np.uint8)
    u = np.frombuffer(buf.data, dtype=a.dtype, offset=1, count=a.size).reshape(a.shape)
    u[...] = a
    assert not u.flags.aligned
    return u


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("solver", SOLVERS)
def test_unaligned_inputs(solver, dtype):
    for shape in ("tall", "wide"):
        X, Y = make_data(*SHAPES[shape], 2, seed=3, dtype=dtype)
        sw = np.linspace(0.5, 2.0, X.shape[0]).astype(dtype)
        coef = fr.ridge(_unaligned(X), _unaligned(Y), 1.0, solver=solver,
                        sample_weight=_unaligned(sw))
        assert_close(coef, ref_ridge(X, Y, 1.0, sw), dtype)


@pytest.mark.parametrize("which", ["X", "y", "sample_weight"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("solver", SOLVERS)
def test_non_native_byte_order(solver, dtype, which):
    # A big-endian float64 array is float64 data (e.g. read from a file); the result
    # must equal the native-order one, in the native working dtype.
    for shape in ("tall", "wide"):
        X, y = make_data(*SHAPES[shape], seed=5, dtype=dtype)
        sw = np.linspace(0.5, 2.0, X.shape[0]).astype(dtype)
        want = ref_ridge(X, y, 1.0, sw)
        args = {"X": X, "y": y, "sample_weight": sw}
        swapped = np.dtype(dtype).newbyteorder("S")
        args[which] = args[which].astype(swapped)
        coef = fr.ridge(args["X"], args["y"], 1.0, solver=solver,
                        sample_weight=args["sample_weight"])
        assert coef.dtype == np.dtype(dtype)
        assert_close(coef, want, dtype)


@pytest.mark.parametrize("solver", SOLVERS)
def test_all_zero_weights_raise(solver):
    # As in scikit-learn: no sample would count (commit 929b233).
    X, Y = make_data(8, 3, 2, seed=1)
    for sw in (np.zeros(8), 0.0, np.zeros(8, bool)):
        with pytest.raises(ValueError, match=r"sample_weight must not be all zero"):
            fr.ridge(X, Y, 1.0, solver=solver, sample_weight=sw)
    # one non-zero weight is enough
    sw = np.zeros(8)
    sw[3] = 2.0
    assert_close(fr.ridge(X, Y, 1.0, solver=solver, sample_weight=sw),
                 ref_ridge(X, Y, 1.0, sw), np.float64)


@pytest.mark.parametrize("solver", ["auto", "svd", "primal"])
def test_weighted_least_squares_at_alpha_zero(solver):
    X, y = make_data(15, 4, seed=2)
    sw = np.random.default_rng(2).uniform(0.2, 3.0, 15)
    r = np.sqrt(sw)
    wls = np.linalg.lstsq(r[:, None] * X, r * y, rcond=None)[0]
    np.testing.assert_allclose(fr.ridge(X, y, 0.0, solver=solver, sample_weight=sw), wls,
                               rtol=1e-10)


@pytest.mark.parametrize("solver", SOLVERS)
def test_non_contiguous_sample_weight(solver):
    X, y = make_data(10, 3, seed=2)
    sw_full = np.random.default_rng(0).uniform(0.1, 2.0, 20)
    sw = sw_full[::2]
    assert_close(fr.ridge(X, y, 1.0, solver=solver, sample_weight=sw),
                 ref_ridge(X, y, 1.0, sw), np.float64)


# --------------------------------------------------------------------------------------
# Bad input raises with a message that says what was expected and what was received
# --------------------------------------------------------------------------------------

def _bad_input_cases():
    """name → (keyword arguments of ridge, exception, regex its message must match)."""
    X, y = make_data(6, 3, seed=0)
    Y = np.ones((6, 2))
    nan_X = np.where(np.eye(6, 3) > 0, np.nan, X)
    finite = r"alpha must be finite and >= 0"
    real = r"alpha must be a real number"
    VE, TE = ValueError, TypeError
    return {
        # shapes
        "X-1d": (dict(X=np.ones(6), y=y), VE, r"X must be 2-D; got an array of shape \(6,\)"),
        "X-3d": (dict(X=np.ones((6, 3, 1)), y=y), VE, r"X must be 2-D; got .*\(6, 3, 1\)"),
        "X-0d": (dict(X=np.float64(1.0), y=y), VE, r"X must be 2-D"),
        "y-3d": (dict(X=X, y=np.ones((6, 1, 1))), VE,
                 r"y must be 1-D or 2-D; got .*\(6, 1, 1\)"),
        "n-mismatch": (dict(X=np.ones((100, 3)), y=np.ones(99)), VE,
                       r"X has 100 samples but y has 99; they must match"),
        "n-mismatch-2d": (dict(X=X, y=np.ones((5, 2))), VE, r"X has 6 samples but y has 5"),
        "n=0": (dict(X=np.ones((0, 3)), y=np.ones(0)), VE,
                r"X must not be empty; got .*\(0, 3\)"),
        "d=0": (dict(X=np.ones((6, 0)), y=y), VE, r"X must not be empty; got .*\(6, 0\)"),
        "k=0": (dict(X=X, y=np.ones((6, 0))), VE, r"y must not be empty; got .*\(6, 0\)"),
        # alpha
        "alpha-negative": (dict(X=X, y=y, alpha=-1.0), VE, finite + r"; got -1"),
        "alpha-negative-int": (dict(X=X, y=y, alpha=-2), VE, finite),
        "alpha-negative-np": (dict(X=X, y=y, alpha=np.float64(-1e-3)), VE, finite),
        "alpha-nan": (dict(X=X, y=y, alpha=float("nan")), VE, finite + r"; got nan"),
        "alpha-inf": (dict(X=X, y=y, alpha=float("inf")), VE, finite + r"; got inf"),
        "alpha-array-nan": (dict(X=X, y=Y, alpha=[1.0, np.nan]), VE, finite),
        "alpha-array-negative": (dict(X=X, y=Y, alpha=[1.0, -1.0]), VE, finite),
        "alpha-array-inf": (dict(X=X, y=Y, alpha=np.array([np.inf, 1.0])), VE, finite),
        "alpha-wrong-length": (dict(X=X, y=Y, alpha=[1.0, 2.0, 3.0]), VE,
                               r"alpha must be a scalar or have shape \(2,\).*got shape \(3,\)"),
        "alpha-array-1d-y": (dict(X=X, y=y, alpha=[1.0, 2.0]), VE,
                             r"alpha must be a scalar or have shape \(1,\).*got shape \(2,\)"),
        "alpha-2d": (dict(X=X, y=Y, alpha=np.ones((2, 1))), VE, r"got shape \(2, 1\)"),
        "alpha-strings": (dict(X=X, y=Y, alpha=["a", "b"]), TE, real),
        "alpha-string": (dict(X=X, y=y, alpha="1.0"), TE, real),
        "alpha-none": (dict(X=X, y=y, alpha=None), TE, real),
        "alpha-complex": (dict(X=X, y=y, alpha=1j), TE, real),
        # non-finite data
        "X-nan": (dict(X=nan_X, y=y), VE,
                  r"X contains NaN or infinity; expected only finite values"),
        "X-inf": (dict(X=np.where(np.eye(6, 3) > 0, -np.inf, X), y=y), VE,
                  r"X contains NaN or infinity"),
        "X-nan-float32": (dict(X=nan_X.astype(np.float32), y=y), VE, r"X contains NaN"),
        "X-nan-noncontiguous": (dict(X=np.full((12, 3), np.nan)[::2], y=y), VE,
                                r"X contains NaN or infinity"),
        "X-nan-last": (dict(X=np.where(np.arange(18).reshape(6, 3) == 17, np.nan, X), y=y),
                       VE, r"X contains NaN"),
        "y-nan": (dict(X=X, y=np.append(y[:5], np.nan)), VE, r"y contains NaN or infinity"),
        "y-inf": (dict(X=X, y=np.where(np.arange(6) == 2, np.inf, y)), VE,
                  r"y contains NaN or infinity"),
        "y-nan-2d-F": (dict(X=X, y=np.asfortranarray(np.where(np.eye(6, 2) > 0, np.nan, Y))),
                       VE, r"y contains NaN"),
        # dtypes
        "X-complex": (dict(X=X.astype(complex), y=y), TE, r"X has dtype complex128"),
        "X-object": (dict(X=_with_text(X), y=y), TE, r"X has dtype object"),
        "y-complex": (dict(X=X, y=y.astype(complex)), TE, r"y has dtype complex128"),
        # sample weights
        "sw-2d": (dict(X=X, y=y, sample_weight=np.ones((6, 1))), VE,
                  r"sample_weight must be 1-D; got .*\(6, 1\)"),
        "sw-length": (dict(X=X, y=y, sample_weight=np.ones(5)), VE,
                      r"sample_weight has 5 entries but X has 6 samples"),
        "sw-negative": (dict(X=X, y=y, sample_weight=np.array([1, 1, -1, 1, 1, 1.0])), VE,
                        r"sample_weight must be >= 0"),
        "sw-negative-scalar": (dict(X=X, y=y, sample_weight=-1.0), VE,
                               r"sample_weight must be >= 0"),
        "sw-nan": (dict(X=X, y=y, sample_weight=np.array([1, np.nan, 1, 1, 1, 1.0])), VE,
                   r"sample_weight contains NaN or infinity"),
        "sw-inf": (dict(X=X, y=y, sample_weight=np.full(6, np.inf)), VE,
                   r"sample_weight contains NaN or infinity"),
        "sw-complex": (dict(X=X, y=y, sample_weight=np.ones(6, complex)), TE,
                       r"sample_weight has dtype complex128"),
        # solver
        "solver-unknown": (dict(X=X, y=y, solver="cholesky"), VE,
                           r"solver must be one of \('auto', 'primal', 'dual', 'svd'(, '\w+')*\); "
                           r"got 'cholesky'"),
        "solver-case": (dict(X=X, y=y, solver="SVD"), VE, r"solver must be one of"),
    }


@pytest.mark.parametrize("case", list(_bad_input_cases()))
def test_bad_input_raises(case):
    kwargs, exc, match = _bad_input_cases()[case]
    with pytest.raises(exc, match=match):
        fr.ridge(**kwargs)


@pytest.mark.parametrize("solver", SOLVERS)
def test_check_finite_false_finite_data(solver):
    for x_order in ("C", "F"):
        X, y = make_data(8, 3, 2, seed=1, x_order=x_order)
        coef = fr.ridge(X, y, 1.0, solver=solver, check_finite=False)
        assert_close(coef, ref_ridge(X, y, 1.0), np.float64)
    # a layout that needs the general conversion path, and integers
    X, y = make_data(16, 3, seed=1)
    assert_close(fr.ridge(X[::2], y[::2], 1.0, solver=solver, check_finite=False),
                 ref_ridge(X[::2], y[::2], 1.0), np.float64)
    Xi = np.arange(24).reshape(8, 3) % 5
    assert_close(fr.ridge(Xi, y[:8], 1.0, solver=solver, check_finite=False),
                 ref_ridge(Xi, y[:8], 1.0), np.float64)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ["tall", "wide"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_nonfinite_X_raises_for_every_solver(solver, shape, dtype, x_order, weighted):
    # The finiteness of X may be checked on the Gram diagonal (Cholesky) or by a pass
    # over X (SVD): every path must report it, also on a row whose weight is 0.
    n, d = SHAPES[shape]
    for bad in (np.nan, np.inf, -np.inf):
        for (i, j) in ((0, 0), (n - 1, d - 1), (1, d // 2)):
            X, Y = make_data(n, d, 2, seed=0, dtype=dtype, x_order=x_order)
            X[i, j] = bad
            sw = None
            if weighted:
                sw = np.ones(n)
                sw[i] = 0.0
            for alpha in (1.0, [1.0, 3.0]):
                with pytest.raises(ValueError, match=r"X contains NaN or infinity"):
                    fr.ridge(X, Y, alpha, solver=solver, sample_weight=sw)


@pytest.mark.parametrize("solver", SOLVERS)
def test_nonfinite_y_raises_for_every_solver(solver):
    for bad in (np.nan, np.inf):
        X, Y = make_data(8, 3, 2, seed=0)
        Y[5, 1] = bad
        with pytest.raises(ValueError, match=r"y contains NaN or infinity"):
            fr.ridge(X, Y, 1.0, solver=solver)
        with pytest.raises(ValueError, match=r"y contains NaN or infinity"):
            fr.ridge(X, Y[:, 1], 1.0, solver=solver)


@pytest.mark.parametrize("solver", SOLVERS)
def test_scale_equivariance(solver):
    # ridge(cX, y, c²α) = ridge(X, y, α) / c  and  ridge(X, cy, α) = c ridge(X, y, α)
    for shape in ("tall", "wide"):
        X, y = make_data(*SHAPES[shape], seed=2)
        want = reference.ridge_normal_equations(X, y, 0.7)
        for c in (1e-6, 1e-2, 1e3, 1e8):
            assert_close(fr.ridge(c * X, y, c**2 * 0.7, solver=solver) * c, want, np.float64,
                         factor=10)
            assert_close(fr.ridge(X, c * y, 0.7, solver=solver) / c, want, np.float64,
                         factor=10)


def test_svd_huge_but_finite_X():
    # |X| ~ 1e160: s² overflows float64 although the answer, ≈ X⁺y ~ 1e-160, is
    # representable.  The shrinkage s/(s² + α) must not be evaluated as s / inf = 0.
    X, y = make_data(20, 3, seed=0)
    c = 1e160
    want = reference.lstsq_min_norm(X, y) / c
    coef = fr.ridge(X * c, y, 1.0, solver="svd")
    np.testing.assert_allclose(coef * c, want * c, rtol=1e-10)


def test_float32_huge_but_finite_X_svd():
    # float32 X ~ 1e19: XᵀX overflows float32, the SVD of X does not.
    X, y = make_data(20, 3, seed=0)
    c = 1e19
    X32, y32 = (X * c).astype(np.float32), y.astype(np.float32)
    coef = fr.ridge(X32, y32, 1.0, solver="svd")
    assert coef.dtype == np.float32
    assert_close(coef.astype(np.float64) * c, reference.lstsq_min_norm(X, y), np.float32,
                 factor=10)


def test_check_lapack_dims_32_bit():
    with pytest.raises(ValueError, match=r"n_samples = 2147483648 exceeds the 32-bit"):
        check_lapack_dims(n_samples=2**31)
    with pytest.raises(ValueError, match=r"n_features.*32-bit"):
        check_lapack_dims(n_samples=10, n_features=2**40)
    check_lapack_dims(n_samples=2**31 - 1, n_features=1, n_targets=1)  # the limit itself is fine


# --------------------------------------------------------------------------------------
# Hypothesis properties
# --------------------------------------------------------------------------------------

problems = st.tuples(
    st.integers(1, 8),                                       # n
    st.integers(1, 8),                                       # d
    st.one_of(st.none(), st.integers(1, 3)),                 # k (None: 1-D y)
    st.floats(1e-2, 1e2),                                    # α
    st.integers(0, 2**32 - 1),                               # seed
    st.sampled_from(["C", "F"]),                             # X order
    st.booleans(),                                           # weighted
)


@settings(max_examples=60, deadline=None)
@given(problems)
def test_property_all_solvers_agree_and_gradient_vanishes(problem):
    n, d, k, alpha, seed, order, weighted = problem
    X, y = make_data(n, d, k, seed, x_order=order)
    sw = np.random.default_rng(seed).uniform(0.0, 2.0, n) if weighted else None
    want = ref_ridge(X, y, alpha, sw)
    S = np.ones(n) if sw is None else sw
    Y = y[:, None] if k is None else y
    scale = ((np.linalg.norm(X, 2) ** 2 + alpha) * np.abs(want).max()
             + np.abs(X.T @ (S[:, None] * Y)).max())
    for solver in SOLVERS:
        w = fr.ridge(X, y, alpha, solver=solver, sample_weight=sw)
        assert_close(w, want, np.float64, factor=100)
        W = w[:, None] if k is None else w
        grad = X.T @ (S[:, None] * (X @ W - Y)) + alpha * W     # ½ ∂objective/∂w
        assert np.abs(grad).max() <= 1e-10 * scale


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1),
       st.lists(st.sampled_from([0.1, 1.0, 10.0]), min_size=1, max_size=5))
def test_property_per_target_alpha(n, d, seed, alphas):
    X, Y = make_data(n, d, len(alphas), seed)
    alphas = np.array(alphas)
    want = ref_ridge(X, Y, alphas)
    for solver in SOLVERS:
        assert_close(fr.ridge(X, Y, alphas, solver=solver), want, np.float64, factor=100)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.floats(1e-3, 1e3), st.integers(0, 2**32 - 1))
def test_property_float32(n, d, alpha, seed):
    X, y = make_data(n, d, 2, seed, dtype=np.float32)
    want = ref_ridge(X, y, alpha)  # float64 answer for the float32-rounded data
    s = np.linalg.svd(X.astype(np.float64), compute_uv=False)
    # κ of the factored matrix: XᵀX + αI (d×d) for primal, XXᵀ + αI (n×n) for dual;
    # the one with more rows than rank has α as its smallest eigenvalue.
    kappa_primal = (s.max() ** 2 + alpha) / (alpha + (s.min() ** 2 if n >= d else 0.0))
    kappa_dual = (s.max() ** 2 + alpha) / (alpha + (s.min() ** 2 if d >= n else 0.0))
    kappa = {"auto": kappa_primal if n >= d else kappa_dual, "primal": kappa_primal,
             "dual": kappa_dual, "svd": 1.0}
    gain = np.max(s / (s**2 + alpha)) * np.linalg.norm(y)  # ||(XᵀX + αI)⁻¹Xᵀ||₂ ||y||
    for solver in SOLVERS:
        w = fr.ridge(X, y, alpha, solver=solver)
        assert w.dtype == np.float32
        bound = 10 * RTOL[np.dtype(np.float32)] * kappa[solver] * gain
        np.testing.assert_allclose(w, want, rtol=RTOL[np.dtype(np.float32)], atol=bound,
                                   err_msg=solver)
