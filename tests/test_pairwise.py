"""fastridge.kernels.pairwise: every kernel equals its NumPy reference (and scikit-learn's
pairwise_kernels), for both dtypes and layouts; bad input gives clear errors; inputs are
never modified."""
import numpy as np
import pytest

import fastridge as fr
from fastridge import reference

KERNELS = ["linear", "poly", "rbf", "laplacian", "cosine", "sigmoid"]
PARAMS = {"linear": {}, "cosine": {}, "rbf": {"gamma": 0.3}, "laplacian": {"gamma": 0.2},
          "poly": {"gamma": 0.4, "degree": 3, "coef0": 0.5},
          "sigmoid": {"gamma": 0.1, "coef0": -0.2}}


def data(m=23, n=17, d=6, dtype=np.float64, order="C", seed=0):
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.standard_normal((m, d)), dtype=dtype, order=order)
    Y = np.asarray(rng.standard_normal((n, d)), dtype=dtype, order=order)
    X[3] = 0.0  # a zero row: cosine's 0/0 case
    return X, Y


def rtol(dtype):
    return 1e-12 if dtype == np.float64 else 2e-5


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("two", [False, True])
def test_equals_reference(kernel, dtype, order, two):
    X, Y = data(dtype=dtype, order=order)
    K = fr.kernels.pairwise(X, Y if two else None, kernel=kernel, **PARAMS[kernel])
    ref = reference.pairwise_kernel(X, Y if two else None, kernel, **PARAMS[kernel])
    assert K.dtype == dtype and K.shape == ref.shape
    np.testing.assert_allclose(K, ref, rtol=rtol(dtype), atol=rtol(dtype) * np.abs(ref).max())
    if not two:
        np.testing.assert_array_equal(K, K.T)  # one triangle computed, then mirrored


@pytest.mark.parametrize("kernel", KERNELS)
def test_default_gamma_is_one_over_features(kernel):
    X, Y = data()
    params = {k: v for k, v in PARAMS[kernel].items() if k != "gamma"}
    np.testing.assert_allclose(fr.kernels.pairwise(X, Y, kernel, **params),
                               reference.pairwise_kernel(X, Y, kernel, **params),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("two", [False, True])
def test_equals_scikit_learn(kernel, two):
    pairwise = pytest.importorskip("sklearn.metrics.pairwise")
    X, Y = data()
    ours = fr.kernels.pairwise(X, Y if two else None, kernel, **PARAMS[kernel])
    theirs = pairwise.pairwise_kernels(X, Y if two else None, metric=kernel,
                                       **PARAMS[kernel])
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


def test_rbf_diagonal_is_exactly_one_and_values_in_range():
    X, _ = data(m=40, d=3)
    K = fr.kernels.pairwise(X, kernel="rbf")
    np.testing.assert_array_equal(np.diagonal(K), 1.0)
    assert (K > 0).all() and (K <= 1).all()


@pytest.mark.parametrize("degree", [0, 2, 2.5, 7])
def test_poly_degrees(degree):
    X, Y = data()
    X = np.abs(X)  # a positive base, so the non-integer power is defined
    np.testing.assert_allclose(
        fr.kernels.pairwise(X, Y, "poly", degree=degree, coef0=2.0),
        reference.pairwise_kernel(X, Y, "poly", degree=degree, coef0=2.0), rtol=1e-12)


def test_laplacian_over_several_row_tiles():
    # 200 features: the L1 loop keeps ~160 rows of X per tile in cache; 400 rows span
    # three tiles, and the triangle crosses their edges.
    X, Y = data(m=400, n=30, d=200, seed=1)
    for Yarg in (None, Y):
        np.testing.assert_allclose(fr.kernels.pairwise(X, Yarg, "laplacian", gamma=0.01),
                                   reference.pairwise_kernel(X, Yarg, "laplacian",
                                                             gamma=0.01), rtol=1e-12)


def test_polynomial_alias_precomputed_and_integers():
    X, Y = data()
    np.testing.assert_array_equal(fr.kernels.pairwise(X, Y, "polynomial"),
                                  fr.kernels.pairwise(X, Y, "poly"))
    K = fr.kernels.pairwise(X, Y)
    out = fr.kernels.pairwise(K, Y, "precomputed")  # one column per row of Y
    np.testing.assert_array_equal(out, K)
    assert out is not K
    Xi = np.arange(12).reshape(4, 3)
    Ki = fr.kernels.pairwise(Xi, kernel="rbf")
    assert Ki.dtype == np.float64
    np.testing.assert_allclose(Ki, reference.pairwise_kernel(Xi, kernel="rbf"), rtol=1e-12)


def test_callable_kernel_called_per_pair_with_params():
    X, Y = data(m=7, n=5)
    calls = []

    def k(x, y, scale=1.0):
        calls.append(1)
        return scale * float(x @ y) + 1.0

    K = fr.kernels.pairwise(X, Y, kernel=k, scale=2.0)
    np.testing.assert_allclose(K, 2.0 * X @ Y.T + 1.0, rtol=1e-13)
    assert len(calls) == 7 * 5
    calls.clear()
    Ks = fr.kernels.pairwise(X, kernel=k)
    assert len(calls) == 7 * 6 // 2 + 7  # pairs i < j, then the diagonal
    np.testing.assert_allclose(Ks, X @ X.T + 1.0, rtol=1e-13)
    with pytest.raises(ValueError, match="returned NaN or infinity"):
        fr.kernels.pairwise(X, kernel=lambda x, y: np.nan)


@pytest.mark.parametrize("kernel", KERNELS + ["precomputed"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_inputs_not_modified(kernel, dtype, order):
    X, Y = data(m=9, n=9, dtype=dtype, order=order)
    if kernel == "precomputed":
        X = np.asarray(X @ Y.T, order=order)  # one column per row of Y
    X0, Y0 = X.copy(), Y.copy()
    fr.kernels.pairwise(X, Y, kernel=kernel, **PARAMS.get(kernel, {}))
    if kernel != "precomputed":
        fr.kernels.pairwise(X, kernel=kernel, **PARAMS.get(kernel, {}))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)
    assert X.flags.c_contiguous == (order == "C")


@pytest.mark.parametrize("call, err, match", [
    (lambda X, Y: fr.kernels.pairwise(X, kernel="gaussian"), ValueError,
     "kernel must be one of"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel=3), ValueError, "kernel must be one of"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel="rbf", gamma=0.0), ValueError,
     "gamma must be > 0; got 0.0"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel="poly", gamma=-1), ValueError,
     "gamma must be > 0"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel="rbf", gamma=np.inf), ValueError,
     "gamma must be finite"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel="poly", degree=-1), ValueError,
     "degree must be >= 0"),
    (lambda X, Y: fr.kernels.pairwise(X, Y[:, :4], kernel="rbf"), ValueError,
     "X has 6 features but Y has 4; they must match"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel="linear", gamma=1.0), TypeError,
     r"kernel='linear' takes the parameters \[\]; got unexpected \['gamma'\]"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel="rbf", width=1.0), TypeError,
     "got unexpected"),
    (lambda X, Y: fr.kernels.pairwise(X, kernel="precomputed"), ValueError,
     "kernel='precomputed' takes X as the kernel matrix, with a square matrix"),
    (lambda X, Y: fr.kernels.pairwise(np.where(X > 1, np.nan, X)), ValueError,
     "X contains NaN or infinity"),
    (lambda X, Y: fr.kernels.pairwise(X, X[:0]), ValueError, "Y must not be empty"),
    (lambda X, Y: fr.kernels.pairwise(X[0]), ValueError, "X must be 2-D"),
    (lambda X, Y: fr.kernels.pairwise(X.astype(complex)), TypeError, "Complex data"),
])
def test_bad_input(call, err, match):
    X, Y = data()
    with pytest.raises(err, match=match):
        call(X, Y)


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_overflowing_kernel_is_refused(kernel):
    X = np.full((4, 3), 1e200)
    with pytest.raises(ValueError, match=f"the {kernel} kernel of X overflows in float64"):
        fr.kernels.pairwise(X, kernel=kernel, **({} if kernel == "linear" else {"gamma": 1.0}))
