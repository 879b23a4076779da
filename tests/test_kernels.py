"""The compiled driver pieces directly: Gram accumulation over row blocks.

``gram_update`` (and the Cholesky solvers through it) take X in ~1 MiB row blocks when
the d×d Gram stays in cache; these sizes are large enough to go through that path, with
blocks that do not divide n.
"""
import numpy as np
import pytest

import fastridge as fr
from fastridge import _policy, _ridge, reference

EMPTY = {np.float32: np.empty(0, np.float32), np.float64: np.empty(0, np.float64)}


def _data(n, d, k, dtype, x_order, y_order, seed=0):
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.standard_normal((n, d)), dtype=dtype, order=x_order)
    Y = rng.standard_normal((n, k)) if k else rng.standard_normal(n)
    return X, np.asarray(Y, dtype=dtype, order=y_order)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("y_order", ["C", "F"])
@pytest.mark.parametrize("k", [0, 1, 3, 9])  # 9 > d = 4: XᵀY computed as (YᵀX)ᵀ
@pytest.mark.parametrize("n, d", [(9_001, 40), (70_003, 4), (300, 40), (5_000, 300),
                                  (600, 4)])
def test_gram_update_blocks(dtype, x_order, y_order, k, n, d):
    X, Y = _data(n, d, k, dtype, x_order, y_order)
    kk = max(k, 1)
    G = np.full((d, d), 7.0, dtype=dtype, order="F")  # lower triangle must stay 7
    B = np.zeros((d, kk), dtype=dtype, order="F")
    e = EMPTY[dtype]
    limit = _policy.centring_limit(dtype)
    assert _ridge.gram_update(X, Y, e, e, e, G, B, False, limit) == (0, 0.0)  # no centring
    X64, Y64 = X.astype(np.float64), Y.reshape(n, kk).astype(np.float64)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    scale = np.abs(X64.T @ X64).max()
    np.testing.assert_allclose(np.triu(G), np.triu(X64.T @ X64), rtol=tol, atol=tol * scale)
    np.testing.assert_array_equal(np.tril(G, -1), np.tril(np.full((d, d), 7.0), -1))
    np.testing.assert_allclose(B, X64.T @ Y64, rtol=tol, atol=tol * scale)
    # accumulate: a second block adds on
    assert _ridge.gram_update(X, Y, e, e, e, G, B, True, limit) == (0, 0.0)
    np.testing.assert_allclose(np.triu(G), 2 * np.triu(X64.T @ X64), rtol=tol,
                               atol=tol * scale)
    np.testing.assert_allclose(B, 2 * X64.T @ Y64, rtol=tol, atol=tol * scale)


@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_solvers_on_blocked_sizes(x_order, fit_intercept):
    X, y = _data(20_001, 30, 2, np.float64, x_order, "C", seed=3)
    X = X + 2.0
    model = fr.Ridge(alpha=3.0, fit_intercept=fit_intercept).fit(X, y)
    xm = X.mean(0) if fit_intercept else 0.0
    ym = y.mean(0) if fit_intercept else 0.0
    want = reference.ridge_normal_equations(X - xm, y - ym, 3.0)
    np.testing.assert_allclose(model.coef_.T, want, rtol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("x_order", ["C", "F"])
def test_blockwise_centring_over_many_row_blocks(weighted, x_order):
    # Means 1e4 × the spread: no rank-one correction, exact centring of ~8k-row blocks
    # (the block count does not divide n); weights take the same blocked path.
    X, y = _data(20_001, 30, 2, np.float64, x_order, "F", seed=5)
    X = X + 1e4
    sw = np.random.default_rng(6).uniform(0.5, 2.0, len(X)) if weighted else None
    model = fr.Ridge(alpha=3.0, solver="primal").fit(X, y, sample_weight=sw)
    w = np.ones(len(X)) if sw is None else sw
    xm, ym = w @ X / w.sum(), w @ y / w.sum()
    root = np.sqrt(w)[:, None]
    want = reference.ridge_normal_equations(root * (X - xm), root * (y - ym), 3.0)
    np.testing.assert_allclose(model.coef_.T, want, rtol=1e-9)


@pytest.mark.parametrize("x_order", ["C", "F"])
def test_dual_centring_over_many_column_blocks(x_order):
    # Wide data with an intercept: the kernel XcXcᵀ is accumulated over centred column
    # blocks (~870 columns each here, the count not dividing d).
    X, y = _data(300, 5_003, 0, np.float64, x_order, "C", seed=7)
    X = X + 50.0
    model = fr.Ridge(alpha=2.0, solver="dual").fit(X, y)
    want = reference.ridge_dual(X - X.mean(0), y - y.mean(), 2.0)
    np.testing.assert_allclose(model.coef_, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.intercept_, y.mean() - X.mean(0) @ want, rtol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 7, 33])
def test_center_kernel_is_double_centring(n):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 5)) + 2.0
    m = X.mean(axis=0)
    K = np.asfortranarray(X @ X.T)
    lower = np.tril(K, -1).copy()
    _ridge.center_kernel(K, X @ m, float(m @ m))
    Xc = X - m
    np.testing.assert_allclose(np.triu(K), np.triu(Xc @ Xc.T), atol=1e-12)
    np.testing.assert_array_equal(np.tril(K, -1), lower)  # the lower triangle untouched


@pytest.mark.parametrize("r", [1, 7, 8, 300])
@pytest.mark.parametrize("centre", [False, True])
def test_center_square_rows(r, centre):
    rng = np.random.default_rng(r)
    Z = rng.standard_normal((13, r))
    c = rng.standard_normal(r) if centre else np.empty(0)
    want = Z - c if centre else Z.copy()
    Z2, rowsum = np.empty_like(Z), np.empty(13)
    _ridge.center_square_rows(Z, c, Z2, rowsum)
    np.testing.assert_array_equal(Z, want)  # centred in place, exactly
    np.testing.assert_array_equal(Z2, want * want)
    np.testing.assert_allclose(rowsum, (want * want).sum(axis=1), rtol=1e-15)


# --- The plain-C kernels of csrc/ridge_kernels.c, called directly -------------------------
#
# Each kernel (contract in csrc/ridge_kernels.h) against plain NumPy, in both dtypes, on
# C- and F-ordered inputs where it reads the caller's layout, with n = 1 and d = 1.  They
# are called through ctypes on the symbols the extension exports (raw pointers, explicit
# strides and leading dimensions, exactly as the driver calls them).

import ctypes

DTYPES = [np.float32, np.float64]
# Elementwise kernels do the same operations as NumPy in the same dtype: a few ulps.
ULP = {np.float32: 4 * np.finfo(np.float32).eps, np.float64: 4 * np.finfo(np.float64).eps}
# Kernels that sum: the accumulation order differs from NumPy's.
SUM_TOL = {np.float32: 1e-5, np.float64: 1e-13}

try:
    _LIB = ctypes.CDLL(_ridge.__file__)
    _LIB.fr_fill_centred_d  # noqa: B018 (only checks that the kernels are exported)
except (OSError, AttributeError):  # e.g. a Windows .pyd exports PyInit__ridge only
    _LIB = None
needs_symbols = pytest.mark.skipif(_LIB is None, reason="kernel symbols not exported")

# Argument kinds: n ptrdiff_t, i int, p pointer (array or None), t the element type,
# d double; then the result kind (None for void).
_SIGS = {
    "all_finite": ("npn", "i"),
    "fill_centred": ("nnpnnppipn", None),
    "centring_growth": ("nnnpnpnnppd", "d"),
    "sub_outer": ("nntpppni", None),
    "sub_mean_colsum": ("nnnpnppn", None),
    "scale_sym": ("nppn", None),
    "scale_rows": ("nnppn", None),
    "center_kernel": ("npnpt", None),
    "add_diag": ("ntpn", None),
    "gather_cols": ("nnpipnpn", "n"),
    "scatter_cols": ("nnpipnpn", "n"),
    "add_transposed": ("nntpnpn", None),
    "sym_norm1": ("npnp", "t"),
    "chol_rcond": ("npntp", "t"),
}


def kernel(name, dtype=None):
    """``fr_<name>_d`` / ``_f`` (or ``fr_<name>`` without dtype) as a Python callable:
    arrays are passed as pointers to their first element (None as NULL)."""
    dtype = None if dtype is None else np.dtype(dtype).type
    args, res = _SIGS.get(name, ("nnn", "n"))
    elem = ctypes.c_float if dtype is np.float32 else ctypes.c_double
    kinds = {"n": ctypes.c_ssize_t, "i": ctypes.c_int, "p": ctypes.c_void_p, "t": elem,
             "d": ctypes.c_double}
    suffix = "" if dtype is None else "_f" if dtype is np.float32 else "_d"
    fn = getattr(_LIB, f"fr_{name}{suffix}")
    fn.argtypes = [kinds[a] for a in args]
    fn.restype = None if res is None else kinds[res]

    def call(*values):
        converted = []
        for kind, v in zip(args, values, strict=True):
            if kind == "p" and v is not None:
                assert v.dtype in (dtype, np.int32), (name, v.dtype)
                v = v.ctypes.data
            converted.append(v)
        return fn(*converted)

    return call


def _strides(a):
    """(row stride, column stride) of a 2-D array, in elements."""
    return a.strides[0] // a.itemsize, a.strides[1] // a.itemsize


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 9])
def test_all_finite_kernel(dtype, size):
    scan = kernel("all_finite", dtype)
    a = np.linspace(-3, 3, size).astype(dtype)
    assert scan(size, a, 1) == 1
    for bad in (np.nan, np.inf, -np.inf):
        for i in range(size):
            b = a.copy()
            b[i] = bad
            assert scan(size, b, 1) == 0
            assert scan(i, b, 1) == 1  # the entries before it only
    # a diagonal (stride m + 1): off-diagonal NaNs are not looked at
    for m in (1, 4):
        G = np.full((m, m), np.nan, dtype=dtype, order="F")
        np.fill_diagonal(G, 2.0)
        assert scan(m, G, m + 1) == 1
        G[m - 1, m - 1] = np.inf
        assert scan(m, G, m + 1) == 0
    assert _ridge.all_finite(a) and _ridge.all_finite(a.reshape(1, -1, 1))


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n, d", [(1, 1), (1, 5), (7, 1), (300, 6), (600, 3)])
@pytest.mark.parametrize("weights", [None, "root", "plain"])
@pytest.mark.parametrize("centre", [False, True])
def test_fill_centred_row_and_column_blocks(dtype, order, n, d, weights, centre):
    rng = np.random.default_rng(n * d)
    X = np.asarray(rng.standard_normal((n, d)) + 3.0, dtype=dtype, order=order)
    mean = rng.standard_normal(d).astype(dtype) if centre else None
    w = rng.uniform(0.5, 2.0, n).astype(dtype) if weights else None
    rs, cs = _strides(X)
    fill = kernel("fill_centred", dtype)
    m0 = np.zeros(d, dtype) if mean is None else mean
    s = (np.ones(n, dtype) if w is None else np.sqrt(w) if weights == "root" else w)
    # a row block r0:r0+m (300 rows take two stack chunks of the weights), ldo > m
    r0, m = n // 3, n - n // 3
    out = np.full((m + 2, d), -7.0, dtype=dtype, order="F")
    fill(m, d, X[r0:], rs, cs, mean, None if w is None else w[r0:], weights == "root",
         out, m + 2)
    want = s[r0:, None] * (X[r0:] - m0)
    np.testing.assert_allclose(out[:m], want, rtol=ULP[dtype], atol=ULP[dtype])
    np.testing.assert_array_equal(out[m:], -7.0)  # rows past m (of ldo) untouched
    # a column block c0:c0+w without weights, as the dual takes it
    c0 = d // 2
    out = np.empty((n, d - c0), dtype=dtype, order="F")
    fill(n, d - c0, X[:, c0:], rs, cs, None if mean is None else mean[c0:], None, 0, out,
         n)
    np.testing.assert_allclose(out, X[:, c0:] - m0[c0:], rtol=ULP[dtype], atol=ULP[dtype])


def _rho2(col, n):
    """ρ² = n·mean² / Σ(x − mean)² from Σx² and the mean, as the kernel forms it."""
    mean = col.mean(dtype=np.float64)
    shift = n * mean * mean
    return shift / ((col.astype(np.float64) ** 2).sum() - shift)


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("y_order", ["C", "F"])
@pytest.mark.parametrize("k", [1, 3])
def test_centring_growth_kernel(dtype, y_order, k):
    rng = np.random.default_rng(k)
    n, d = 200, 4
    X = (rng.standard_normal((n, d)) + [0.0, 1.0, 3.0, -2.0]).astype(dtype)
    Y = np.asarray(rng.standard_normal((n, k)) + 2.0, dtype=dtype, order=y_order)
    xmean, ymean = X.mean(0).astype(dtype), Y.mean(0).astype(dtype)
    G = np.asfortranarray(X.T @ X)
    rho2 = [_rho2(X[:, j], n) for j in range(d)] + [_rho2(Y[:, j], n) for j in range(k)]
    growth = kernel("centring_growth", dtype)
    rs, cs = _strides(Y)
    # allowed: every ρ² under the limit, growth 1 + max ρ² (ρ² of X from G's diagonal)
    got = growth(n, d, k, G, d, Y, rs, cs, xmean, ymean, 1e4)
    np.testing.assert_allclose(got, 1 + max(rho2), rtol=SUM_TOL[dtype] * 100)
    # refused as soon as one column passes the limit (the limit is a parameter)
    assert growth(n, d, k, G, d, Y, rs, cs, xmean, ymean, 0.5 * max(rho2)) == 0
    assert growth(n, d, k, G, d, Y, rs, cs, xmean, ymean, 2 * max(rho2)) > 1
    # a NaN mean is refused, not passed
    bad = xmean.copy()
    bad[1] = np.nan
    assert growth(n, d, k, G, d, Y, rs, cs, bad, ymean, 1e4) == 0


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, k, upper", [(1, 1, False), (4, 3, False), (1, 6, False),
                                         (1, 1, True), (5, 5, True)])  # upper: square
def test_sub_outer_kernel(dtype, m, k, upper):
    rng = np.random.default_rng(m * 10 + k)
    A = np.asarray(rng.standard_normal((m + 1, k)), dtype=dtype, order="F")  # lda = m + 1
    u, v = rng.standard_normal(m).astype(dtype), rng.standard_normal(k).astype(dtype)
    before = A.copy()
    kernel("sub_outer", dtype)(m, k, 7.0, u, v, A, m + 1, upper)
    want = before[:m] - (dtype(7.0) * u)[:, None] * v[None, :]
    mask = np.triu(np.ones((m, k), bool)) if upper else np.ones((m, k), bool)
    np.testing.assert_allclose(A[:m][mask], want[mask], rtol=ULP[dtype], atol=ULP[dtype])
    np.testing.assert_array_equal(A[:m][~mask], before[:m][~mask])  # lower: untouched
    np.testing.assert_array_equal(A[m], before[m])  # past m rows of lda: untouched


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, d, k", [(1, 1, 1), (6, 4, 1), (5, 9, 3)])
def test_sub_mean_colsum_kernel(dtype, n, d, k):
    rng = np.random.default_rng(n + d + k)
    A = np.asarray(rng.standard_normal((n, k)), dtype=dtype, order="F")
    W = np.asarray(rng.standard_normal((d, k)), dtype=dtype, order="F")
    xmean = rng.standard_normal(d).astype(dtype)
    want = W.astype(np.float64) - np.outer(xmean, A.sum(0, dtype=np.float64))
    kernel("sub_mean_colsum", dtype)(n, d, k, A, n, xmean, W, d)
    np.testing.assert_allclose(W, want, rtol=SUM_TOL[dtype], atol=SUM_TOL[dtype] * 10)


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 2, 7])
def test_weight_scaling_kernels(dtype, n):
    rng = np.random.default_rng(n)
    w = rng.uniform(0.1, 3.0, n).astype(dtype)
    K = np.asarray(rng.standard_normal((n, n)), dtype=dtype, order="F")
    before = K.copy()
    kernel("scale_sym", dtype)(n, w, K, n)  # K = S^½ K S^½ on the upper triangle
    want = before * np.sqrt(np.outer(w, w))
    upper = np.triu(np.ones((n, n), bool))
    np.testing.assert_allclose(K[upper], want[upper], rtol=ULP[dtype])
    np.testing.assert_array_equal(K[~upper], before[~upper])
    A = np.asarray(rng.standard_normal((n, 3)), dtype=dtype, order="F")
    want = np.sqrt(w)[:, None] * A
    kernel("scale_rows", dtype)(n, 3, w, A, n)  # A = S^½ A
    np.testing.assert_allclose(A, want, rtol=ULP[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 4])
def test_center_kernel_both_dtypes(dtype, n):
    rng = np.random.default_rng(n)
    X = (rng.standard_normal((n, 3)) + 2.0).astype(dtype)
    m = X.mean(axis=0)
    K = np.asfortranarray(X @ X.T)
    _ridge.center_kernel(K, X @ m, float(m @ m))
    Xc = X.astype(np.float64) - m
    tol = SUM_TOL[dtype] * 100
    np.testing.assert_allclose(np.triu(K), np.triu(Xc @ Xc.T),
                               atol=tol * np.abs(X).max() ** 2)


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("group", [[0], [1], [0, 1, 0, 2, 1], [2, 2, 2]])
def test_gather_scatter_diag_kernels(dtype, group):
    group = np.array(group, np.int32)
    m, k = 3, len(group)
    rng = np.random.default_rng(k)
    src = np.asarray(rng.standard_normal((m, k)), dtype=dtype, order="F")
    for g in range(3):
        tmp = np.full((m, k), np.nan, dtype=dtype, order="F")
        nc = kernel("gather_cols", dtype)(m, k, group, g, src, m, tmp, m)
        assert nc == (group == g).sum()
        np.testing.assert_array_equal(tmp[:, :nc], src[:, group == g])
        back = np.zeros_like(src)
        assert kernel("scatter_cols", dtype)(m, k, group, g, tmp, m, back, m) == nc
        np.testing.assert_array_equal(back[:, group == g], src[:, group == g])
        np.testing.assert_array_equal(back[:, group != g], 0)
    A = np.asarray(rng.standard_normal((m, m)), dtype=dtype, order="F")
    want = A + dtype(2.5) * np.eye(m, dtype=dtype)
    kernel("add_diag", dtype)(m, 2.5, A, m)
    np.testing.assert_array_equal(A, want)


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, n", [(1, 1), (3, 5), (6, 2)])
@pytest.mark.parametrize("beta", [0.0, 2.0])
def test_add_transposed_kernel(dtype, m, n, beta):
    rng = np.random.default_rng(m * n)
    A = np.asarray(rng.standard_normal((n, m)), dtype=dtype, order="F")
    B = np.asarray(rng.standard_normal((m, n)), dtype=dtype, order="F")
    if beta == 0:
        B[:] = np.nan  # beta = 0 overwrites: the old contents are never read
    want = A.T if beta == 0 else dtype(beta) * B + A.T
    kernel("add_transposed", dtype)(m, n, beta, A, n, B, m)
    np.testing.assert_allclose(B, want, rtol=ULP[dtype])


@needs_symbols
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 2, 5, 32])
def test_norm_and_condition_kernels(dtype, n):
    rng = np.random.default_rng(n)
    Z = rng.standard_normal((n + 3, n))
    A = (Z.T @ Z + 0.1 * np.eye(n)).astype(dtype, order="F")
    A64 = A.astype(np.float64)
    upper_only = np.triu(A).astype(dtype, order="F")  # the lower triangle is never read
    upper_only[np.tril_indices(n, -1)] = np.nan
    norm = kernel("sym_norm1", dtype)(n, upper_only, n, np.empty(n, dtype))
    np.testing.assert_allclose(norm, np.linalg.norm(A64, 1), rtol=SUM_TOL[dtype])
    R = np.linalg.cholesky(A64).T.astype(dtype, order="F")  # upper factor, A = RᵀR
    rcond = kernel("chol_rcond", dtype)(n, R, n, norm, np.empty((n, n), dtype))
    true = 1 / np.linalg.cond(A64, 1)
    assert true / n * (1 - 1e-3) <= rcond <= true * (1 + 1e-3)  # a bound within n


@needs_symbols
def test_block_size_kernel():
    size = kernel("block_size")

    def want(total, width, other):
        return min(max(max(other * other, 262_144) // width, 16), total)

    for total, width, other in [(10, 5, 3), (100_000, 41, 40), (5_003, 300, 300),
                                (3, 10**7, 10), (10**6, 10**6, 2_000)]:
        assert size(total, width, other) == want(total, width, other)


# --- The drivers on the extracted kernels: every optional input, both dtypes and orders ---

def _centred(X, Y, sw, xmean, ymean):
    """Z = S^½(X − x̄), V = S^½(Y − ȳ) in float64, the statistics' definition."""
    root = 1.0 if sw is None else np.sqrt(sw.astype(np.float64))[:, None]
    Z = X.astype(np.float64) - (0 if xmean is None else xmean)
    V = Y.reshape(len(Y), -1).astype(np.float64) - (0 if ymean is None else ymean)
    return root * Z, root * V


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("n, d, k", [(1, 1, 0), (1, 3, 2), (40, 1, 1), (40, 6, 0),
                                     (500, 7, 3)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("means", ["none", "x", "both", "big"])
def test_gram_update_every_option(dtype, x_order, n, d, k, weighted, means):
    rng = np.random.default_rng(n + d + k)
    X, Y = _data(n, d, k, dtype, x_order, "F", seed=n)
    X += np.asarray(rng.standard_normal(d) * (1e3 if means == "big" else 1), dtype)
    sw = rng.uniform(0.5, 2.0, n).astype(dtype) if weighted else None
    kk = max(k, 1)
    xmean = None if means == "none" else X.mean(0).astype(dtype)
    ymean = Y.reshape(n, kk).mean(0).astype(dtype) if means in ("both", "big") else None
    e = EMPTY[dtype]
    G = np.full((d, d), 5.0, dtype=dtype, order="F")
    B = np.empty((d, kk), dtype=dtype, order="F")
    info, growth = _ridge.gram_update(
        X, Y, e if sw is None else sw, e if xmean is None else xmean,
        e if ymean is None else ymean, G, B, False, _policy.centring_limit(dtype))
    assert info == 0
    # the rank-one subtraction only unweighted with both means, within the limit
    assert (growth > 0) == (not weighted and means == "both" and n > 1)
    Z, V = _centred(X, Y, sw, xmean, ymean)
    scale = max(np.abs(X).max() ** 2 * n, 1.0) * max(growth, 1.0)
    tol = SUM_TOL[dtype] * 10
    np.testing.assert_allclose(np.triu(G), np.triu(Z.T @ Z), rtol=tol, atol=tol * scale)
    np.testing.assert_array_equal(np.tril(G, -1), np.tril(np.full((d, d), 5.0), -1))
    np.testing.assert_allclose(B, Z.T @ V, rtol=tol, atol=tol * scale)


def test_gram_update_refuses_a_layout_blas_cannot_read():
    X = np.ones((6, 8))[:, ::2]  # neither C- nor F-contiguous
    G, B = np.empty((4, 4), order="F"), np.empty((4, 1), order="F")
    e = EMPTY[np.float64]
    with pytest.raises(ValueError, match="C- or F-contiguous"):
        _ridge.gram_update(X, np.ones(6), e, e, e, G, B, False, 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("n, d", [(1, 1), (1, 4), (9, 1), (30, 5), (5, 30)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("centre", [False, True])
def test_svd_factor_every_option(dtype, x_order, n, d, weighted, centre):
    rng = np.random.default_rng(n * d)
    X, _ = _data(n, d, 0, dtype, x_order, "C", seed=d)
    root = np.sqrt(rng.uniform(0.5, 2.0, n)).astype(dtype) if weighted else None
    xmean = (X.mean(0) + 0.5).astype(dtype) if centre else None
    r = min(n, d)
    U = np.empty((n, r), dtype=dtype, order="F")
    s = np.empty(r, dtype=dtype)
    Vt = np.empty((r, d), dtype=dtype, order="F")
    e = EMPTY[dtype]
    assert _ridge.svd_factor(X, e if root is None else root, e if xmean is None else xmean,
                             U, s, Vt) == 0
    A = (X.astype(np.float64) - (0 if xmean is None else xmean)) * (
        1 if root is None else root[:, None].astype(np.float64))
    tol = SUM_TOL[dtype] * 100
    np.testing.assert_allclose(s, np.linalg.svd(A, compute_uv=False), rtol=tol,
                               atol=tol * np.abs(A).max())
    np.testing.assert_allclose((U * s) @ Vt, A, rtol=tol, atol=tol * np.abs(A).max())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dual", [False, True])
@pytest.mark.parametrize("x_order", ["C", "F"])
@pytest.mark.parametrize("k", [0, 1, 4])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("centre", [False, True])
def test_cholesky_solve_against_numpy(dtype, dual, x_order, k, weighted, centre):
    n, d = (6, 11) if dual else (11, 6)
    rng = np.random.default_rng(k)
    X, Y = _data(n, d, k, dtype, x_order, "C", seed=k)
    X += dtype(3.0)
    kk = max(k, 1)
    sw = rng.uniform(0.5, 2.0, n).astype(dtype) if weighted else None
    xmean = X.mean(0).astype(dtype) if centre else None
    ymean = Y.reshape(n, kk).mean(0).astype(dtype) if centre else None
    # several distinct α: each target gets its own (gathered per α, then put back)
    alphas = np.array([0.5, 2.0, 8.0][:kk] if k > 1 else [2.0])
    group = (np.arange(kk) % len(alphas)).astype(np.int32)
    e = EMPTY[dtype]
    coef, info, failed, rcond = _ridge.cholesky_solve(
        dual, X, Y, alphas, group if len(alphas) > 1 else np.empty(0, np.int32),
        e if sw is None else sw, e if xmean is None else xmean,
        e if ymean is None else ymean, True, _policy.centring_limit(dtype))
    assert (info, failed) == (0, -1) and 0 < rcond <= 1
    assert coef.dtype == dtype and coef.shape == ((d,) if k == 0 else (d, kk))
    Z, V = _centred(X, Y, sw, xmean, ymean)
    want = np.column_stack([
        np.linalg.solve(Z.T @ Z + alphas[group[j] if k > 1 else 0] * np.eye(d),
                        Z.T @ V[:, j])
        for j in range(kk)])
    tol = 5e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(coef.reshape(d, kk), want, rtol=tol,
                               atol=tol * np.abs(want).max())
