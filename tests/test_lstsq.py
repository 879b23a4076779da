"""Tests for ``lstsq``: the α → 0 limit of ridge (docs/math.md §1), accuracy on NIST StRD data."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastridge import reference
from fastridge._lstsq import lstsq
from fastridge.datasets import load_longley, load_nist, nist_names

RTOL = {np.float32: 1e-4, np.float64: 1e-10}

# Minimum correct significant digits of the worst coefficient (task targets).  Eberhardt
# has no target; it is only recorded.
NIST_TARGET_DIGITS = {
    "Longley": 10, "Pontius": 10, "Wampler1": 8, "Wampler2": 8, "Wampler3": 8,
    "Wampler4": 7, "Wampler5": 5, "Filippelli": 7, "Eberhardt": None,
}


def correct_digits(coef, certified):
    """−log10 of the worst relative error (absolute where the certified value is 0), capped at 15."""
    coef, certified = np.asarray(coef, dtype=np.float64), np.asarray(certified)
    denom = np.where(certified == 0, 1.0, np.abs(certified))
    err = np.abs(coef - certified) / denom
    with np.errstate(divide="ignore"):
        return float(np.min(np.minimum(-np.log10(err), 15.0)))


def make_rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------------------
# NIST StRD certified values
# --------------------------------------------------------------------------------------

def test_nist_names_cover_all_targets():
    assert sorted(nist_names()) == sorted(NIST_TARGET_DIGITS)


@pytest.mark.parametrize("name", sorted(NIST_TARGET_DIGITS))
def test_nist_certified_digits(name, record_property):
    X, y, certified = load_nist(name)
    digits = correct_digits(lstsq(X, y), certified)
    numpy_digits = correct_digits(np.linalg.lstsq(X, y, rcond=None)[0], certified)
    record_property("digits", digits)
    print(f"{name}: fastridge {digits:.2f} digits, numpy.linalg.lstsq {numpy_digits:.2f}")
    target = NIST_TARGET_DIGITS[name]
    if target is not None:
        assert digits >= target, f"{name}: {digits:.2f} correct digits, need {target}"


# What the refined solver reaches on x86 (80-bit longdouble residuals), with ~1.5 digits
# of margin; plain equilibrated QR without refinement gets Wampler1 9.2, Wampler4 7.8,
# Wampler5 5.8, Longley 10.9.
REFINED_DIGITS = {"Longley": 12.5, "Pontius": 12, "Wampler1": 12, "Wampler2": 12,
                  "Wampler3": 12, "Wampler4": 10, "Wampler5": 8.5}
EXTENDED_LONGDOUBLE = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps


@pytest.mark.skipif(not EXTENDED_LONGDOUBLE, reason="np.longdouble is plain float64 here")
@pytest.mark.parametrize("name", sorted(REFINED_DIGITS))
def test_nist_digits_with_extended_precision_refinement(name):
    X, y, certified = load_nist(name)
    assert correct_digits(lstsq(X, y), certified) >= REFINED_DIGITS[name]


def test_nist_filippelli_beats_plain_lstsq():
    # The reason equilibration + refinement exist: numpy gets no digit right here.
    X, y, certified = load_nist("Filippelli")
    assert correct_digits(np.linalg.lstsq(X, y, rcond=None)[0], certified) < 2
    assert correct_digits(lstsq(X, y), certified) >= 7


def test_load_nist_design_matrices():
    X, y, certified = load_nist("Eberhardt")  # through the origin: no ones column, no B0
    assert X.shape == (11, 1) and certified.shape == (1,)
    np.testing.assert_array_equal(X[:, 0], np.arange(60.0, 71.0))
    X, y, certified = load_nist("wampler1")  # case-insensitive; Vandermonde 1, x, …, x⁵
    assert X.shape == (21, 6)
    np.testing.assert_array_equal(X, np.vander(np.arange(21.0), 6, increasing=True))
    np.testing.assert_array_equal(certified, np.ones(6))
    X, y, certified = load_nist("Longley")
    X6, y6, columns = load_longley()
    np.testing.assert_array_equal(X, np.column_stack([np.ones(16), X6]))
    np.testing.assert_array_equal(y, y6)
    assert len(columns) == 6 and X6.shape == (16, 6)
    with pytest.raises(KeyError, match="unknown NIST dataset 'Nope'"):
        load_nist("Nope")


# --------------------------------------------------------------------------------------
# Agreement with the plain SVD definition on well-conditioned data
# --------------------------------------------------------------------------------------

SHAPES = [(40, 7), (7, 40), (12, 12), (1, 1), (1, 6), (6, 1)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n, d", SHAPES)
@pytest.mark.parametrize("k", [None, 3])
def test_matches_reference(n, d, k, order, dtype):
    rng = make_rng(n * 100 + d)
    X = np.asarray(rng.standard_normal((n, d)), dtype=dtype, order=order)
    y = rng.standard_normal(n if k is None else (n, k)).astype(dtype)
    coef = lstsq(X, y)
    expected = reference.lstsq_min_norm(X.astype(np.float64), y.astype(np.float64))
    assert coef.shape == expected.shape == ((d,) if k is None else (d, k))
    assert coef.dtype == dtype
    np.testing.assert_allclose(coef, expected, rtol=RTOL[dtype], atol=RTOL[dtype] * np.abs(expected).max())


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 12), d=st.integers(1, 12), k=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_matches_reference_any_shape(n, d, k, seed):
    # Gaussian matrices this small are well conditioned with overwhelming probability;
    # the tolerance is scaled by the condition number to be safe.
    rng = make_rng(seed)
    X, Y = rng.standard_normal((n, d)), rng.standard_normal((n, k))
    cond = np.linalg.cond(X)
    expected = reference.lstsq_min_norm(X, Y)
    np.testing.assert_allclose(lstsq(X, Y), expected, rtol=0,
                               atol=1e-13 * cond**2 * max(1.0, np.abs(expected).max()))


def test_exact_fit_and_small_example():
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(lstsq(X, [1.0, 2.0, 4.0]), [5 / 6, 1.5], rtol=1e-15)
    np.testing.assert_array_equal(lstsq([[1.0, 1.0]], [2.0]), [1.0, 1.0])
    w = np.array([3.0, -2.0, 0.5])
    X = make_rng(3).standard_normal((10, 3))
    np.testing.assert_allclose(lstsq(X, X @ w), w, rtol=1e-14)


def test_columns_of_y_are_independent_problems():
    rng = make_rng(4)
    X, Y = rng.standard_normal((30, 4)), rng.standard_normal((30, 3))
    Y[:, 1] = 0.0  # a zero target column gives a zero solution, not NaN
    coef = lstsq(X, Y)
    for j in range(3):
        np.testing.assert_allclose(coef[:, j], lstsq(X, Y[:, j]), rtol=1e-14, atol=1e-300)
    np.testing.assert_array_equal(coef[:, 1], 0.0)


def test_badly_scaled_columns_keep_full_accuracy():
    # Column scales 1e-8 … 1e8: equilibration makes this as easy as the unscaled problem.
    rng = make_rng(5)
    Z = rng.standard_normal((50, 6))
    scales = np.logspace(-8, 8, 6)
    w_true = rng.standard_normal(6)
    y = Z @ w_true + 0.1 * rng.standard_normal(50)
    coef = lstsq(Z * scales, y)
    np.testing.assert_allclose(coef * scales, reference.lstsq_min_norm(Z, y), rtol=1e-13)


# Columns (rows) at the ends of the floating-point range: equilibration by powers of two
# must neither overflow (a subnormal column needs a scale of 2**1030, which float64 cannot
# hold) nor warn.  coef(X·c, y·g) = coef(X, y)·g/c; g keeps the answer representable.
EXTREME_SCALES = [
    (1e-310, 1e-10),  # subnormal entries: coef ≈ coef(X)·1e300
    (1e-300, 1.0),  # tiny but normal: the sum of squares underflows
    (1e300, 1.0),  # the sum of squares overflows
    (2e307, 1.0),  # the column norm itself overflows (√200 · 2e307 > 1.8e308)
]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("scale, y_scale", EXTREME_SCALES)
@pytest.mark.parametrize("n, d", [(200, 4), (4, 200)])
def test_extreme_scales_give_the_scaled_answer_without_warnings(n, d, scale, y_scale):
    rng = make_rng(11)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    expected = lstsq(X, y) * (y_scale / scale)
    coef = lstsq(X * scale, y * y_scale)
    # Subnormal entries keep only ~44 of 53 bits: X·1e-310 is X perturbed by ~1e-13.
    np.testing.assert_allclose(coef, expected, rtol=1e-10 if scale < 1e-308 else 1e-13)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype, shift", [(np.float64, 1040), (np.float32, 140)])
@pytest.mark.parametrize("n, d", [(30, 5), (5, 30)])
def test_subnormal_scaling_is_exact(dtype, shift, n, d):
    # 2**-shift puts X below the smallest normal number.  Equilibration brings X·2**-shift
    # back to exactly the matrix it brings X' to, so the answers are equal bit for bit.
    rng = make_rng(12)
    X = np.ldexp(rng.standard_normal((n, d)).astype(dtype), -shift)  # subnormal
    assert np.abs(X).max() < np.finfo(dtype).tiny
    X_up = np.ldexp(X, shift)  # exact: the same matrix, normal again
    y = rng.standard_normal(n).astype(dtype)
    y_down = np.ldexp(y, -shift + 40)  # keeps coef = coef(X_up, y)·2**40 representable
    np.testing.assert_array_equal(lstsq(X, y_down), np.ldexp(lstsq(X_up, y), 40))


@pytest.mark.filterwarnings("error")
def test_mixed_extreme_column_scales():
    rng = make_rng(13)
    X, Y = rng.standard_normal((50, 5)), rng.standard_normal((50, 2))
    for scales, y_scale in [([1e-310, 1e-300, 1.0, 1e250, 1e-20], 1e-10),
                            ([1e300, 1e-300, 1.0, 3e-200, 1e200], 1.0)]:
        scales = np.array(scales)
        expected = lstsq(X, Y) * y_scale / scales[:, None]
        np.testing.assert_allclose(lstsq(X * scales, Y * y_scale), expected, rtol=1e-10)


@pytest.mark.filterwarnings("error")
def test_zero_column_next_to_extreme_columns():
    # A zero column gets coefficient 0 and leaves the rest of the problem full rank.
    rng = make_rng(14)
    X, y = rng.standard_normal((40, 4)), rng.standard_normal(40)
    expected = np.insert(lstsq(X, y), 2, 0.0)
    scales = np.array([1e-310, 1e300, 1.0, 1.0, 1e-300])
    X0 = np.insert(X, 2, 0.0, axis=1) * scales
    coef = lstsq(X0, y * 1e-10)
    np.testing.assert_allclose(coef, expected * 1e-10 / scales, rtol=1e-10)
    assert coef[2] == 0.0
    # Wide: the minimum-norm solution has 0 on a zero column too.
    Xw = np.insert(rng.standard_normal((3, 6)), 1, 0.0, axis=1)
    coef = lstsq(Xw * 1e-310, np.ones(3) * 1e-10)
    np.testing.assert_allclose(coef, lstsq(Xw, np.ones(3)) * 1e300, rtol=1e-10)
    assert coef[1] == 0.0


@pytest.mark.filterwarnings("error")
def test_solution_beyond_the_float_range_is_an_error():
    X, y = make_rng(15).standard_normal((20, 3)), np.ones(20)
    with pytest.raises(OverflowError, match=r"does not fit in float64: its largest entry is "
                                            r"about \d\.\de\+3\d\d .* scale y down"):
        lstsq(X * 1e-310, y)  # coef ≈ coef(X)·1e310
    with pytest.raises(OverflowError, match="does not fit in float32"):
        lstsq(X.astype(np.float32) * np.float32(1e-30), y.astype(np.float32) * 1e10)


# --------------------------------------------------------------------------------------
# α → 0 identities (docs/math.md §1)
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_left_inverse_tall(dtype):
    X = make_rng(6).standard_normal((30, 5)).astype(dtype)
    A = lstsq(X.T, np.eye(5, dtype=dtype)).T  # rows of A: (XᵀX)⁻¹Xᵀ via the wide problem
    np.testing.assert_allclose(A @ X, np.eye(5), atol=50 * np.finfo(dtype).eps)
    A2 = lstsq(X, np.eye(30, dtype=dtype))  # X⁺ = (XᵀX)⁻¹Xᵀ directly
    np.testing.assert_allclose(A2 @ X, np.eye(5), atol=50 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_right_inverse_wide(dtype):
    X = make_rng(7).standard_normal((5, 30)).astype(dtype)
    B = lstsq(X, np.eye(5, dtype=dtype))  # Xᵀ(XXᵀ)⁻¹
    assert B.shape == (30, 5) and B.dtype == dtype
    np.testing.assert_allclose(X @ B, np.eye(5), atol=50 * np.finfo(dtype).eps)
    # … and it is the minimum-norm right inverse: columns lie in the row space of X.
    np.testing.assert_allclose(B, X.T @ np.linalg.inv(X @ X.T), rtol=RTOL[dtype], atol=RTOL[dtype])


def test_wide_ill_conditioned_exact_min_norm():
    # X = Wampler1's Vandermonde transposed (6, 21), integer entries.  With w = Xᵀλ and
    # y = X w computed exactly in integers, w is exactly the minimum-norm solution.
    V, _, _ = load_nist("Wampler1")
    X = V.T.astype(np.int64)
    w = X.T @ np.array([3, -1, 2, 0, -2, 1])
    y = X @ w
    assert np.abs(y).max() < 2**53  # exact in float64
    coef = lstsq(X.astype(np.float64), y.astype(np.float64))
    # Refined: ~1e-17; unrefined row-equilibrated QR ~1e-14; numpy.linalg.lstsq ~4e-10.
    assert np.abs(coef - w).max() <= 1e-15 * np.abs(w).max()


def test_tall_matches_normal_equations_and_wide_matches_min_norm_formula():
    rng = make_rng(8)
    X, y = rng.standard_normal((25, 4)), rng.standard_normal(25)
    np.testing.assert_allclose(lstsq(X, y), np.linalg.solve(X.T @ X, X.T @ y), rtol=1e-12)
    X, y = rng.standard_normal((4, 25)), rng.standard_normal(4)
    np.testing.assert_allclose(lstsq(X, y), X.T @ np.linalg.solve(X @ X.T, y), rtol=1e-12)


# --------------------------------------------------------------------------------------
# Rank deficiency: the pseudo-inverse (minimum-norm) solution
# --------------------------------------------------------------------------------------

def null_space(X):
    """Orthonormal basis of the null space of X (plain SVD)."""
    _, s, Vt = np.linalg.svd(X)
    rank = np.count_nonzero(s > max(X.shape) * np.finfo(X.dtype).eps * s[0])
    return Vt[rank:].T


def rank_deficient(n, d, rank, col_scale_decades, seed):
    rng = make_rng(seed)
    X = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, d))
    return X * np.logspace(-col_scale_decades, col_scale_decades, d), rng.standard_normal(n)


@pytest.mark.parametrize("n, d, rank", [(40, 8, 3), (8, 40, 3), (10, 10, 9), (30, 6, 1)])
@pytest.mark.parametrize("decades", [0, 2])
def test_rank_deficient_gives_pseudo_inverse_solution(n, d, rank, decades):
    # With unequal column scales the equilibrated problem's min-norm solution, unscaled,
    # is NOT X⁺y; the projection onto the row space must put it right.
    X, y = rank_deficient(n, d, rank, decades, seed=n + d + rank)
    coef = lstsq(X, y)
    expected = np.linalg.pinv(X) @ y
    np.testing.assert_allclose(coef, expected, rtol=1e-8, atol=1e-8 * np.abs(expected).max())
    N = null_space(X)
    assert N.shape[1] == d - rank
    # Minimum norm ⇔ orthogonal to the null space.
    assert np.abs(N.T @ coef).max() <= 1e-9 * np.linalg.norm(coef)
    # And it is still a least-squares solution: the residual is orthogonal to range(X).
    assert np.abs(X.T @ (y - X @ coef)).max() <= 1e-8 * np.abs(X).max() * np.linalg.norm(y)


def test_rank_deficient_duplicate_and_zero_columns():
    rng = make_rng(9)
    x = rng.standard_normal(20)
    X = np.column_stack([x, 4.0 * x, np.zeros(20)])  # rank 1
    y = 2.0 * x
    # Pseudo-inverse: weight split in proportion 1 : 4 (min norm), zero for the zero column.
    np.testing.assert_allclose(lstsq(X, y), [2 / 17, 8 / 17, 0.0], rtol=1e-13, atol=1e-15)


def test_zero_matrix_gives_zero():
    np.testing.assert_array_equal(lstsq(np.zeros((4, 3)), np.ones(4)), np.zeros(3))


def test_rcond_controls_truncation():
    # Equal column norms, singular values 1 and 1e-6: rcond decides whether the small
    # direction is kept.
    U, _ = np.linalg.qr(make_rng(10).standard_normal((20, 2)))
    V = np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2)
    X = U @ np.diag([1.0, 1e-6]) @ V.T
    y = U @ np.array([1.0, 1.0])
    kept = V @ np.array([1.0, 1e6])  # X⁻¹y
    dropped = V @ np.array([1.0, 0.0])  # truncated pseudo-inverse
    np.testing.assert_allclose(lstsq(X, y), kept, rtol=1e-9)
    np.testing.assert_allclose(lstsq(X, y, rcond=0), kept, rtol=1e-9)
    np.testing.assert_allclose(lstsq(X, y, rcond=1e-4), dropped, rtol=1e-9)
    np.testing.assert_allclose(lstsq(X, y, rcond=1e-4), reference.lstsq_min_norm(X, y, rcond=1e-4), rtol=1e-9)


def test_rcond_applies_after_equilibration():
    # A column that is merely tiny is not rank deficiency: its singular value in the
    # equilibrated matrix is ~1, so it is kept (a plain SVD with the default rcond drops it).
    U, _ = np.linalg.qr(make_rng(14).standard_normal((20, 2)))
    X = U * np.array([1.0, 1e-20])
    y = U @ np.array([1.0, 1.0])
    np.testing.assert_allclose(lstsq(X, y), [1.0, 1e20], rtol=1e-13)
    np.testing.assert_allclose(reference.lstsq_min_norm(X, y), [1.0, 0.0], atol=1e-12)


# --------------------------------------------------------------------------------------
# dtype, layout, no overwrite
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "x_dtype, y_dtype, expected",
    [(np.float32, np.float64, np.float32), (np.float64, np.float32, np.float64),
     (np.int64, np.int32, np.float64), (np.bool_, np.float64, np.float64),
     (np.float32, np.int64, np.float32)],
)
def test_dtype_stability(x_dtype, y_dtype, expected):
    rng = make_rng(11)
    X = (rng.standard_normal((20, 3)) * 3).astype(x_dtype)
    y = (rng.standard_normal(20) * 3).astype(y_dtype)
    coef = lstsq(X, y)
    assert coef.dtype == expected
    ref = reference.lstsq_min_norm(X.astype(np.float64), y.astype(expected).astype(np.float64))
    np.testing.assert_allclose(coef, ref, rtol=RTOL[expected], atol=RTOL[expected])


def test_float32_ill_conditioned_benefits_from_float64_residuals():
    # κ(equilibrated) ~ 1e3: plain float32 QR loses ~3 digits; refinement recovers them.
    X, y, _ = load_nist("Wampler1")
    coef = lstsq(X.astype(np.float32), y.astype(np.float32))
    assert coef.dtype == np.float32
    exact = lstsq(X.astype(np.float32).astype(np.float64), y.astype(np.float32).astype(np.float64))
    np.testing.assert_allclose(coef, exact, rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n, d, rank", [(30, 5, 5), (5, 30, 5), (30, 5, 2)])
def test_inputs_not_modified(dtype, order, n, d, rank):
    rng = make_rng(12)
    X = np.asarray(rng.standard_normal((n, rank)) @ rng.standard_normal((rank, d)), dtype=dtype, order=order)
    Y = np.asarray(rng.standard_normal((n, 2)), dtype=dtype, order=order)
    X0, Y0 = X.copy(), Y.copy()
    lstsq(X, Y)
    lstsq(X, Y[:, 0])
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


def test_non_contiguous_input():
    rng = make_rng(13)
    X, y = rng.standard_normal((40, 10))[::2, ::2], rng.standard_normal(40)[::2]
    np.testing.assert_allclose(lstsq(X, y), reference.lstsq_min_norm(X, y), rtol=1e-10)


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------

def test_bad_shapes():
    X, y = np.ones((100, 3)), np.ones(99)
    with pytest.raises(ValueError, match="X has 100 samples but y has 99; they must match"):
        lstsq(X, y)
    with pytest.raises(ValueError, match=r"X must be 2-D; got an array of shape \(5,\)"):
        lstsq(np.ones(5), np.ones(5))
    with pytest.raises(ValueError, match=r"y must be 1-D or 2-D; got an array of shape \(5, 1, 1\)"):
        lstsq(np.ones((5, 2)), np.ones((5, 1, 1)))
    with pytest.raises(ValueError, match=r"X must not be empty; got an array of shape \(0, 3\)"):
        lstsq(np.ones((0, 3)), np.ones(0))
    with pytest.raises(ValueError, match=r"X must not be empty; got an array of shape \(4, 0\)"):
        lstsq(np.ones((4, 0)), np.ones(4))
    with pytest.raises(ValueError, match=r"y must not be empty; got an array of shape \(4, 0\)"):
        lstsq(np.ones((4, 2)), np.ones((4, 0)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(bad):
    X, y = np.ones((5, 2)), np.ones(5)
    X[1, 1] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        lstsq(X, y)
    y[3] = bad
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        lstsq(np.ones((5, 2)), y)


def test_bad_dtypes():
    with pytest.raises(TypeError, match="X has dtype complex128"):
        lstsq(np.ones((3, 2), dtype=complex), np.ones(3))
    with pytest.raises(TypeError, match="y has dtype complex128"):
        lstsq(np.ones((3, 2)), np.ones(3, dtype=complex))
    with pytest.raises(TypeError, match="X has dtype object"):
        lstsq(np.array([[1, "a"], [2, 3]], dtype=object), np.ones(2))
    with pytest.raises(TypeError, match="X has dtype <U1"):
        lstsq(np.array([["a", "b"]]), np.ones(1))


@pytest.mark.parametrize(
    "rcond, exc, message",
    [(-1e-3, ValueError, "rcond must be >= 0.0; got -0.001"),
     (np.nan, ValueError, "rcond must be finite; got nan"),
     (np.inf, ValueError, "rcond must be finite; got inf"),
     ("1e-3", TypeError, "rcond must be a real number; got '1e-3'"),
     (True, TypeError, "rcond must be a number; got a bool")],
)
def test_bad_rcond(rcond, exc, message):
    with pytest.raises(exc, match=message):
        lstsq(np.ones((3, 2)), np.ones(3), rcond=rcond)
