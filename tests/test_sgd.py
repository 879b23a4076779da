"""Per-sample ReLU SGD (docs/math.md §2): compiled loop against the NumPy reference, the step
against hand-derived and finite-difference gradients, the elbow map, errors, estimator.

The tests that compare the compiled loop with the reference run once per code variant
(instruction set) that this CPU supports: the ``kernel`` fixture forces each in turn."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastridge as fr
import fastridge.sgd as sgd
from fastridge import reference as ref

RTOL = {np.float64: 1e-10, np.float32: 1e-4}

# Every variant the compiled loop has (fastridge.sgd._set_kernel_variant names).
ALL_KERNELS = ["baseline", "avx2", "avx512"]


@pytest.fixture(params=ALL_KERNELS)
def kernel(request):
    """Run the test with the compiled loop forced to one variant; restore the setting."""
    name = request.param
    if name not in sgd._kernel_variants():
        pytest.skip(f"relu_sgd variant {name!r} cannot run on this machine (the CPU lacks "
                    f"it, or it is not compiled in); it runs {sgd._kernel_variants()}")
    old = sgd._set_kernel_variant(name)
    assert sgd._kernel_variant() == name
    yield name
    sgd._set_kernel_variant(old)


# hypothesis with the kernel fixture: it is set once per test, not per example, as wanted
PER_KERNEL = [HealthCheck.function_scoped_fixture]


def make_problem(n, d, dtype=np.float64, seed=0):
    """Data on [-2, 2] with y = sin(2x); elbows spread over the data, mixed signs."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = np.sin(2 * x)
    W1 = rng.choice([-1.0, 1.0], d) * rng.uniform(0.5, 1.5, d)
    b = -W1 * rng.uniform(-2, 2, d)
    W2 = rng.normal(0, 0.5 / np.sqrt(d), d)
    return tuple(a.astype(dtype) for a in (x, y, W1, b, W2))


def assert_same_run(fast, slow, rtol):
    scale = max(1.0, float(np.abs(slow.W1).max()), float(np.abs(slow.b).max()))
    for name in ("W1", "b", "W2", "loss"):
        got, want = getattr(fast, name), getattr(slow, name)
        assert got.dtype == want.dtype, name
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=name)
    if slow.elbows is None:
        assert fast.elbows is None
    else:
        assert fast.elbows.shape == slow.elbows.shape
        # elbows are ratios: compare them where the unit's W1 is not tiny
        np.testing.assert_allclose(fast.elbows, slow.elbows, rtol=50 * rtol, atol=50 * rtol)


# ------------------------------------------------------------------------------------
# compiled loop == reference loop
# ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
# 8..64 (float64) and 16..128 (float32) multiples of the AVX-512 width take the
# register-resident loop; 72 and 257 the general one
@pytest.mark.parametrize("d", [1, 3, 8, 16, 24, 56, 64, 72, 128, 257])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("record_every", [0, 7])
def test_matches_reference(kernel, dtype, d, shuffle, record_every):
    n = 150
    for seed in (0, 1):
        x, y, W1, b, W2 = make_problem(n, d, dtype, seed)
        kw = dict(lr=0.1 / (d + 8), epochs=3, shuffle=shuffle, seed=seed + 10,
                  record_every=record_every)  # lr ~ 1/d: stable for every d
        fast = fr.relu_sgd(x, y, W1, b, W2, **kw)
        slow = ref.relu_sgd(x, y, W1, b, W2, **kw)
        assert_same_run(fast, slow, RTOL[dtype])
        # the run must have done something: parameters moved
        assert not np.allclose(fast.W2, W2)


def test_matches_reference_many_steps(kernel):
    x, y, W1, b, W2 = make_problem(2000, 64, seed=3)
    kw = dict(lr=0.01, epochs=3, shuffle=True, seed=5, record_every=1000)
    assert_same_run(fr.relu_sgd(x, y, W1, b, W2, **kw), ref.relu_sgd(x, y, W1, b, W2, **kw),
                    1e-10)


def test_shuffle_follows_spec_permutations(kernel):
    """Epoch e visits rng.permutation(n)'s e-th draw: replaying by hand, no shuffle."""
    x, y, W1, b, W2 = make_problem(40, 5)
    res = fr.relu_sgd(x, y, W1, b, W2, lr=0.05, epochs=3, shuffle=True, seed=42)
    rng = np.random.default_rng(42)
    p = (W1, b, W2)
    for _ in range(3):
        order = rng.permutation(40)
        p = fr.relu_sgd(x[order], y[order], *p, lr=0.05)
        p = (p.W1, p.b, p.W2)
    np.testing.assert_allclose(res.W1, p[0], rtol=1e-13)
    np.testing.assert_allclose(res.W2, p[2], rtol=1e-13)


def test_elbow_record_rows(kernel):
    x, y, W1, b, W2 = make_problem(10, 4)
    res = fr.relu_sgd(x, y, W1, b, W2, lr=0.05, epochs=3, record_every=4)
    assert res.elbows.shape == (1 + 30 // 4, 4)
    np.testing.assert_array_equal(res.elbows[0], fr.elbows(W1, b))
    # row j = elbows after j * 4 steps, counted across epochs
    for j in (1, 3, 7):
        steps = j * 4
        order = np.tile(np.arange(10), 3)[:steps]
        p = fr.relu_sgd(x[order], y[order], W1, b, W2, lr=0.05)
        np.testing.assert_allclose(res.elbows[j], fr.elbows(p.W1, p.b), rtol=1e-12)


def test_loss_is_measured_before_each_step(kernel):
    x, y, W1, b, W2 = make_problem(30, 6)
    res = fr.relu_sgd(x, y, W1, b, W2, lr=0.05)
    p, losses = (W1, b, W2), []
    for i in range(30):
        f = p[2] @ np.maximum(p[0] * x[i] + p[1], 0)
        losses.append(0.5 * (f - y[i]) ** 2)
        W1n, bn, W2n, _ = ref.relu_sgd_step(x[i], y[i], *p, 0.05)
        p = (W1n, bn, W2n)
    np.testing.assert_allclose(res.loss[0], np.mean(losses), rtol=1e-12)


# ------------------------------------------------------------------------------------
# one step
# ------------------------------------------------------------------------------------

def loss_of(x, y, W1, b, W2):
    return 0.5 * (W2 @ np.maximum(W1 * x + b, 0) - y) ** 2


@pytest.mark.parametrize("seed", range(5))
def test_step_is_minus_lr_times_finite_difference_gradient(kernel, seed):
    rng = np.random.default_rng(seed)
    d, lr, x, y = 7, 0.1, rng.uniform(-2, 2), rng.normal()
    W1, b, W2 = rng.normal(size=(3, d))
    z = W1 * x + b
    away = np.abs(z) > 1e-3  # finite differences straddle no kink
    res = fr.relu_sgd([x], [y], W1, b, W2, lr=lr)
    eps = 1e-6
    for name, p, new in (("W1", W1, res.W1), ("b", b, res.b), ("W2", W2, res.W2)):
        grad = np.empty(d)
        for i in range(d):
            up, dn = p.copy(), p.copy()
            up[i] += eps
            dn[i] -= eps
            args = {"W1": W1, "b": b, "W2": W2}
            hi = loss_of(x, y, **{**args, name: up})
            lo = loss_of(x, y, **{**args, name: dn})
            grad[i] = (hi - lo) / (2 * eps)
        np.testing.assert_allclose(new[away], (p - lr * grad)[away], rtol=1e-6, atol=1e-8,
                                   err_msg=name)


def test_step_by_hand(kernel):
    # x = 2, y = 1; unit 0 active (z = 3), unit 1 inactive (z = -1), unit 2 at z = 0
    x, y, lr = 2.0, 1.0, 0.1
    W1, b, W2 = np.array([1.0, 1.0, 1.0]), np.array([1.0, -3.0, -2.0]), np.array([0.5, 2.0, 3.0])
    # f = 0.5 * 3 = 1.5, delta = 0.5
    res = fr.relu_sgd([x], [y], W1, b, W2, lr=lr)
    np.testing.assert_allclose(res.W2, [0.5 - 0.1 * 0.5 * 3, 2.0, 3.0])
    np.testing.assert_allclose(res.b, [1.0 - 0.1 * 0.5 * 0.5, -3.0, -2.0])
    np.testing.assert_allclose(res.W1, [1.0 - 0.1 * 0.5 * 0.5 * 2, 1.0, 1.0])
    np.testing.assert_allclose(res.loss, [0.5 * 0.5**2])


def test_inactive_and_zero_preactivation_units_do_not_move(kernel):
    d = 20
    rng = np.random.default_rng(1)
    W1 = rng.normal(size=d)
    W2 = rng.normal(size=d)
    x = 0.5
    b = -W1 * x  # z = W1 x + b is exactly 0 (W1 x is exact, so even with an FMA)
    b[:5] -= 1.0  # these five are strictly inactive
    np.testing.assert_array_equal(W1 * x + b >= 0, np.arange(d) >= 5)
    res = fr.relu_sgd([x], [3.0], W1, b, W2, lr=0.5)
    np.testing.assert_array_equal(res.W1, W1)
    np.testing.assert_array_equal(res.b, b)
    np.testing.assert_array_equal(res.W2, W2)


# ------------------------------------------------------------------------------------
# elbows
# ------------------------------------------------------------------------------------

def test_elbows():
    e = fr.elbows([2.0, -4.0, 0.0], [1.0, 1.0, 5.0])
    np.testing.assert_array_equal(e, [-0.5, 0.25, np.nan])
    assert fr.elbows(np.float32([1, 2]), [1, 1]).dtype == np.float32
    np.testing.assert_array_equal(ref.elbows(np.array([2.0, 0.0]), np.array([1.0, 1.0])),
                                  [-0.5, np.nan])


@pytest.mark.parametrize("sx", [1, -1])
@pytest.mark.parametrize("sw1", [1, -1])
@pytest.mark.parametrize("target", ["above", "below"])  # delta < 0 or delta > 0
def test_elbow_after_step_matches_a_real_step(kernel, sx, sw1, target):
    rng = np.random.default_rng(7)
    d, lr = 12, 0.05
    x = sx * 1.3
    W1 = sw1 * rng.uniform(0.5, 1.5, d)
    b = rng.uniform(-1, 1, d)
    b[:4] = -W1[:4] * x - 0.5  # four inactive units
    b[4:8] = -W1[4:8] * x + 0.5  # four active ones
    W2 = rng.normal(size=d)
    f = W2 @ np.maximum(W1 * x + b, 0)
    y = f + 2.0 if target == "above" else f - 2.0
    z = W1 * x + b
    assert (z > 0).any() and (z <= 0).any()
    res = fr.relu_sgd([x], [y], W1, b, W2, lr=lr)
    want = fr.elbows(res.W1, res.b)
    got = fr.elbow_after_step(x, y, W1, b, W2, lr)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(ref.elbow_after_step(x, y, W1, b, W2, lr), want, rtol=1e-10)
    # inactive units keep their elbow exactly
    np.testing.assert_array_equal(got[z <= 0], fr.elbows(W1, b)[z <= 0])
    # active lines pivot about -1/x: the step leaves W1 p + b unchanged there
    p = -1 / x
    act = z > 0
    np.testing.assert_allclose((res.W1 * p + res.b)[act], (W1 * p + b)[act], atol=1e-12)
    assert not np.allclose(res.W1[act], W1[act])  # the active ones did move


def test_elbow_after_step_unit_with_zero_slope():
    # W1 = 0, b > 0: active everywhere, elbow NaN before; a real line after the step
    W1, b, W2 = np.array([0.0, 1.0]), np.array([1.0, -0.5]), np.array([1.0, 1.0])
    res = fr.relu_sgd([2.0], [0.0], W1, b, W2, lr=0.1)
    np.testing.assert_allclose(fr.elbow_after_step(2.0, 0.0, W1, b, W2, 0.1),
                               fr.elbows(res.W1, res.b), rtol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=PER_KERNEL)
@given(x=st.floats(-3, 3).filter(lambda v: abs(v) > 0.05),
       delta_shift=st.floats(-3, 3), seed=st.integers(0, 2**16), lr=st.floats(1e-3, 0.2))
def test_elbow_after_step_property(kernel, x, delta_shift, seed, lr):
    rng = np.random.default_rng(seed)
    d = 6
    W1 = rng.choice([-1, 1], d) * rng.uniform(0.3, 2, d)
    b = rng.uniform(-2, 2, d)
    W2 = rng.normal(size=d)
    y = W2 @ np.maximum(W1 * x + b, 0) + delta_shift
    res = fr.relu_sgd([x], [y], W1, b, W2, lr=lr)
    new_W1 = res.W1
    ok = np.abs(new_W1) > 1e-3  # elbows of near-flat lines are ill-conditioned
    np.testing.assert_allclose(fr.elbow_after_step(x, y, W1, b, W2, lr)[ok],
                               fr.elbows(res.W1, res.b)[ok], rtol=1e-8, atol=1e-10)


@settings(max_examples=40, deadline=None, suppress_health_check=PER_KERNEL)
@given(n=st.integers(1, 40), d=st.integers(1, 40), seed=st.integers(0, 2**16),
       shuffle=st.booleans(), record_every=st.integers(0, 13))
def test_matches_reference_property(kernel, n, d, seed, shuffle, record_every):
    x, y, W1, b, W2 = make_problem(n, d, seed=seed)
    kw = dict(lr=0.03, epochs=2, shuffle=shuffle, seed=seed, record_every=record_every)
    try:
        slow = ref.relu_sgd(x, y, W1, b, W2, **kw)
    except FloatingPointError as err:  # lr = 0.03 can diverge: then both must, at one step
        where = str(err).split("at ")[-1]  # "epoch E, step S"
        with pytest.raises(FloatingPointError, match=where):
            fr.relu_sgd(x, y, W1, b, W2, **kw)
        return
    assert_same_run(fr.relu_sgd(x, y, W1, b, W2, **kw), slow, 1e-10)


# ------------------------------------------------------------------------------------
# training, dtypes, inputs, errors, callback
# ------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [np.sin, np.abs])
def test_training_lowers_the_loss(target):
    x, _, W1, b, W2 = make_problem(400, 32, seed=2)
    res = fr.relu_sgd(x, target(x), W1, b, W2, lr=0.02, epochs=30, shuffle=True, seed=0)
    assert res.loss[-1] < 0.2 * res.loss[0]
    assert np.all(np.isfinite(res.loss))


def test_float32_stays_float32_and_ints_become_float64(kernel):
    x, y, W1, b, W2 = make_problem(50, 8, np.float32)
    res = fr.relu_sgd(x, y, W1, b, W2, lr=0.01, record_every=10)
    for a in (res.W1, res.b, res.W2, res.loss, res.elbows):
        assert a.dtype == np.float32
    # x decides: float64 parameters are cast to float32
    assert fr.relu_sgd(x, y, W1.astype(float), b, W2, lr=0.01).W1.dtype == np.float32
    res = fr.relu_sgd(np.arange(5), np.arange(5), [1, -1], [0, 2], [1, 1], lr=0.01)
    assert res.W1.dtype == np.float64
    with pytest.raises(TypeError, match="complex"):
        fr.relu_sgd(x.astype(complex), y, W1, b, W2, lr=0.01)
    # object arrays: of numbers, converted to float64 as scikit-learn does (docs/math.md §3);
    # of anything else, an error naming the argument
    assert fr.relu_sgd(x.astype(object), y, W1, b, W2, lr=0.01).W1.dtype == np.float64
    with pytest.raises(TypeError, match="x has dtype object"):
        fr.relu_sgd(x.astype(str).astype(object), y, W1, b, W2, lr=0.01)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_inputs_not_modified(dtype, order):
    x, y, W1, b, W2 = make_problem(30, 5, dtype)
    arrays = [np.asarray(a, order=order) for a in (x, y, W1, b, W2)]
    # a 2-D view's column is a non-contiguous 1-D input
    strided = np.asfortranarray(np.stack([x, x])).T[:, 0] if order == "F" else x
    copies = [a.copy() for a in arrays]
    res = fr.relu_sgd(strided, *arrays[1:], lr=0.05, epochs=2, shuffle=True, seed=0,
                      record_every=3)
    for a, c in zip(arrays, copies):
        np.testing.assert_array_equal(a, c)
    for new, old in zip((res.W1, res.b, res.W2), arrays[2:]):
        assert not np.shares_memory(new, old)
    fr.elbows(arrays[2], arrays[3])
    fr.elbow_after_step(1.0, 0.5, *arrays[2:], 0.1)
    model = fr.ReLURegressor(n_hidden=4, epochs=2, random_state=0).fit(arrays[0], arrays[1])
    model.predict(arrays[0])
    for a, c in zip(arrays, copies):
        np.testing.assert_array_equal(a, c)


def test_bad_input():
    x, y, W1, b, W2 = make_problem(10, 3)
    with pytest.raises(ValueError, match="x has 10 samples but y has 9"):
        fr.relu_sgd(x, y[:9], W1, b, W2, lr=0.1)
    with pytest.raises(ValueError, match="same length; got lengths 3, 2, 3"):
        fr.relu_sgd(x, y, W1, b[:2], W2, lr=0.1)
    with pytest.raises(ValueError, match="lr must be > 0; got 0"):
        fr.relu_sgd(x, y, W1, b, W2, lr=0.0)
    with pytest.raises(ValueError, match="lr must be > 0; got -1"):
        fr.relu_sgd(x, y, W1, b, W2, lr=-1.0)
    with pytest.raises(ValueError, match="epochs must be >= 1; got 0"):
        fr.relu_sgd(x, y, W1, b, W2, lr=0.1, epochs=0)
    with pytest.raises(ValueError, match="record_every must be >= 0"):
        fr.relu_sgd(x, y, W1, b, W2, lr=0.1, record_every=-2)
    with pytest.raises(ValueError, match="x must be 1-D; got an array of shape"):
        fr.relu_sgd(x[:, None], y, W1, b, W2, lr=0.1)
    with pytest.raises(ValueError, match="W2 must be 1-D"):
        fr.relu_sgd(x, y, W1, b, W2[None], lr=0.1)
    xn = x.copy()
    xn[3] = np.nan
    with pytest.raises(ValueError, match="x contains NaN or infinity"):
        fr.relu_sgd(xn, y, W1, b, W2, lr=0.1)
    with pytest.raises(ValueError, match="b contains NaN or infinity"):
        fr.relu_sgd(x, y, W1, [np.inf, 0, 0], W2, lr=0.1)
    with pytest.raises(ValueError, match="lr must be finite"):
        fr.relu_sgd(x, y, W1, b, W2, lr=np.inf)
    with pytest.raises(ValueError, match="must not be empty"):
        fr.relu_sgd([], [], W1, b, W2, lr=0.1)
    with pytest.raises(ValueError, match="W1 and b must have one entry per hidden unit"):
        fr.elbows([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="lr must be > 0"):
        fr.elbow_after_step(1.0, 1.0, W1, b, W2, 0.0)


# Every parameter of relu_sgd, wrong in each way: the error names it (regression: W2=None
# gave Cython's "Buffer has wrong number of dimensions", shuffle="no" shuffled, a bad
# seed raised SeedSequence's message without naming it, or nothing without shuffle).
BAD_ARGUMENTS = [
    ("x", None, TypeError, r"^x "),
    ("y", None, TypeError, r"^y "),
    ("W1", None, TypeError, r"^W1 "),
    ("b", None, TypeError, r"^b "),
    ("W2", None, TypeError, r"^W2 "),
    ("W2", 1.0, ValueError, r"W2 must be 1-D; got an array of shape \(\)"),
    ("W2", [[1.0, 2.0, 3.0]], ValueError, r"W2 must be 1-D; got an array of shape \(1, 3\)"),
    ("W2", [1.0, 2.0], ValueError, r"W1, b and W2 must have one entry per hidden unit.*3, 3, 2"),
    ("W2", ["a", "b", "c"], TypeError, r"^W2 has dtype"),
    ("W2", [0.0, np.nan, 0.0], ValueError, r"W2 contains NaN or infinity"),
    ("y", [1.0, 2.0], ValueError, r"x has 10 samples but y has 2"),
    ("y", np.full(10, np.inf), ValueError, r"y contains NaN or infinity"),
    ("lr", None, TypeError, r"lr must be a real number; got None"),
    ("lr", "0.1", TypeError, r"lr must be a real number; got '0.1'"),
    ("lr", np.array([0.1]), TypeError, r"lr must be a real number"),
    ("lr", np.nan, ValueError, r"lr must be finite; got nan"),
    ("lr", 1e-60, ValueError, r"lr = 1e-60 is 0 in float32"),
    ("lr", 1e300, ValueError, r"lr must be representable in float32"),
    ("epochs", 2.0, TypeError, r"epochs must be an integer; got 2.0"),
    ("epochs", None, TypeError, r"epochs must be an integer; got None"),
    ("epochs", 2**70, ValueError, r"epochs must be <= 9223372036854775807; got 1180591"),
    ("epochs", 2**62, ValueError, r"epochs × samples = 4611686018427387904 × 10 steps"),
    ("shuffle", "no", TypeError, r"shuffle must be True or False; got 'no' of type str"),
    ("shuffle", None, TypeError, r"shuffle must be True or False; got None"),
    ("shuffle", 1, TypeError, r"shuffle must be True or False; got 1 of type int"),
    ("shuffle", np.array([True, False]), TypeError, r"shuffle must be True or False"),
    ("seed", "abc", TypeError, r"seed must be None, an int >= 0, .*; got 'abc'"),
    ("seed", -1, ValueError, r"seed must be None, an int >= 0, .*; got -1"),
    ("seed", 1.5, TypeError, r"seed must be None, an int >= 0, .*; got 1.5"),
    ("record_every", None, TypeError, r"record_every must be an integer; got None"),
    ("record_every", 2.5, TypeError, r"record_every must be an integer; got 2.5"),
    ("record_every", True, TypeError, r"record_every must be a number; got a bool"),
    ("record_every", -1, ValueError, r"record_every must be >= 0; got -1"),
    ("record_every", 2**64, ValueError, r"record_every must be <= 9223372036854775807"),
    ("callback", 3, TypeError, r"callback must be callable or None; got 3"),
]


@pytest.mark.filterwarnings("error")  # and no warning on the way (lr=1e300 warned)
@pytest.mark.parametrize("name, value, error, match", BAD_ARGUMENTS)
@pytest.mark.parametrize("shuffle", [False, True])
def test_each_bad_argument_is_named(name, value, error, match, shuffle):
    x = np.linspace(-1, 1, 10, dtype=np.float32 if name == "lr" else np.float64)
    args = dict(x=x, y=x**2, W1=np.ones(3), b=np.zeros(3), W2=np.ones(3), lr=0.01,
                shuffle=shuffle)
    args[name] = value
    positional = [args.pop(k) for k in ("x", "y", "W1", "b", "W2")]
    with pytest.raises(error, match=match):
        fr.relu_sgd(*positional, **args)


def test_good_argument_types_still_work():
    x = np.linspace(-1, 1, 10)
    kw = dict(lr=np.float32(0.01), epochs=np.int64(2), record_every=np.int32(3))
    for shuffle, seed in [(np.True_, 0), (True, np.random.SeedSequence(1)),
                          (np.False_, np.random.default_rng(2)), (False, None)]:
        res = fr.relu_sgd(x, x**2, [1.0, -1.0], [0, 0], [1, 1], shuffle=shuffle, seed=seed,
                          **kw)
        assert res.loss.shape == (2,) and res.elbows.shape == (1 + 20 // 3, 2)
    # record_every beyond the run: only the initial elbows
    res = fr.relu_sgd(x, x, [1.0], [0.0], [1.0], lr=0.01, record_every=2**63 - 1)
    assert res.elbows.shape == (1, 1)


def test_elbow_functions_name_bad_arguments():
    W1, b, W2 = np.ones(3), np.zeros(3), np.ones(3)
    with pytest.raises(TypeError, match=r"^W2 "):
        fr.elbow_after_step(1.0, 1.0, W1, b, None, 0.1)
    with pytest.raises(TypeError, match=r"^W1 "):
        fr.elbows(None, b)
    with pytest.raises(TypeError, match=r"^b "):
        fr.elbows(W1, None)
    with pytest.raises(TypeError, match="x must be a real number; got None"):
        fr.elbow_after_step(None, 1.0, W1, b, W2, 0.1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_divergence_raises_with_epoch_and_step(kernel, dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 2, 100).astype(dtype)
    lr = 1e150 if dtype == np.float64 else 1e15
    with pytest.raises(FloatingPointError, match=r"epoch 0, step 1 \(0-based; sample 1\)"):
        fr.relu_sgd(x, x, [1.0], [5.0], [0.0], lr=lr, epochs=3)
    with pytest.raises(FloatingPointError, match=r"epoch 0, step 1"):
        ref.relu_sgd(x, x, np.array([1.0]), np.array([5.0]), np.array([0.0]), lr=lr, epochs=3)


def test_divergence_in_a_later_epoch_names_it(kernel):
    # Epoch 0: sample 0 teaches nothing (f = y = 0); sample 1 (delta = 1e150, loss
    # finite) sets W2 = -lr * 1e150 = -1e250, still finite.  Epoch 1, step 0: f = -1e250,
    # loss = 5e499 overflows.
    x, y = np.zeros(2), np.array([0.0, -1e150])
    args = (np.array([0.0]), np.array([1.0]), np.array([0.0]))
    match = r"epoch 1, step 0 \(0-based; sample 0\): the loss"
    with pytest.raises(FloatingPointError, match=match):
        fr.relu_sgd(x, y, *args, lr=1e100, epochs=3)
    with pytest.raises(FloatingPointError, match=r"loss at epoch 1, step 0$"):
        ref.relu_sgd(x, y, *args, lr=1e100, epochs=3)
    # the same with a callback (one compiled call per epoch) and with shuffling
    with pytest.raises(FloatingPointError, match=match):
        fr.relu_sgd(x, y, *args, lr=1e100, epochs=3, callback=lambda e, loss: None)
    with pytest.raises(FloatingPointError, match=r"epoch 1, step"):
        fr.relu_sgd(x, y, *args, lr=1e100, epochs=3, shuffle=True, seed=1)


def test_callback_once_per_epoch_and_early_stop():
    x, y, W1, b, W2 = make_problem(60, 8)
    calls = []
    res = fr.relu_sgd(x, y, W1, b, W2, lr=0.02, epochs=5, record_every=10,
                      callback=lambda e, loss: calls.append((e, loss)))
    assert [e for e, _ in calls] == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal([loss for _, loss in calls], res.loss)
    plain = fr.relu_sgd(x, y, W1, b, W2, lr=0.02, epochs=5, record_every=10)
    np.testing.assert_array_equal(res.W1, plain.W1)
    np.testing.assert_array_equal(res.elbows, plain.elbows)

    stop = fr.relu_sgd(x, y, W1, b, W2, lr=0.02, epochs=5, record_every=10,
                       callback=lambda e, loss: e == 1)
    assert stop.loss.shape == (2,)
    assert stop.elbows.shape == (1 + 120 // 10, 8)
    two = fr.relu_sgd(x, y, W1, b, W2, lr=0.02, epochs=2, record_every=10)
    np.testing.assert_array_equal(stop.W2, two.W2)
    np.testing.assert_array_equal(stop.elbows, two.elbows)


def test_many_short_shuffled_epochs_split_into_calls(monkeypatch):
    """The per-call budget of pre-drawn orders does not change the result."""
    import fastridge.sgd as sgd
    x, y, W1, b, W2 = make_problem(30, 4)
    kw = dict(lr=0.02, epochs=7, shuffle=True, seed=3, record_every=4)
    whole = fr.relu_sgd(x, y, W1, b, W2, **kw)
    monkeypatch.setattr(sgd, "_ORDER_BUDGET", 65)  # two epochs per call
    split = fr.relu_sgd(x, y, W1, b, W2, **kw)
    np.testing.assert_array_equal(whole.W1, split.W1)
    np.testing.assert_array_equal(whole.loss, split.loss)
    np.testing.assert_array_equal(whole.elbows, split.elbows)


# ------------------------------------------------------------------------------------
# train_relu: segmented training with snapshots
# ------------------------------------------------------------------------------------

def test_train_relu_equals_one_relu_sgd_call():
    """Segments between snapshot epochs share one Generator: one relu_sgd call's result."""
    from fastridge.sgd import init_network, train_relu
    x = np.linspace(-2, 2, 60)
    y = np.abs(x)
    tr = train_relu(x, y, hidden=5, epochs=9, lr=0.02, seed=4, snapshot_epochs=[0, 2, 5, 9, 30])
    rng = np.random.default_rng(4)
    W1, b, W2 = init_network(x, y, 5, rng)
    res = fr.relu_sgd(x, y, W1, b, W2, lr=0.02, epochs=9, shuffle=True, seed=rng,
                      record_every=tr.record_every)
    np.testing.assert_array_equal(tr.loss, res.loss)
    for got, want in zip(tr.params, (res.W1, res.b, res.W2)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(tr.elbows, res.elbows)
    assert sorted(tr.snapshots) == [0, 2, 5, 9]  # 0 and 30 are outside 1..epochs-1
    for got, want in zip(tr.snapshots[0], (W1, b, W2)):
        np.testing.assert_array_equal(got, want)
    assert tr.snapshots[9] is tr.params
    assert tr.seconds >= 0


def test_train_relu_snapshots_are_the_parameters_after_that_epoch():
    from fastridge.sgd import init_network, train_relu
    x = np.linspace(-1, 1, 24)
    y = x**2
    tr = train_relu(x, y, hidden=3, epochs=4, lr=0.05, seed=1, snapshot_epochs=[3])
    rng = np.random.default_rng(1)
    params = init_network(x, y, 3, rng)
    three = fr.relu_sgd(x, y, *params, lr=0.05, epochs=3, shuffle=True, seed=rng)
    for got, want in zip(tr.snapshots[3], (three.W1, three.b, three.W2)):
        np.testing.assert_array_equal(got, want)


def test_train_relu_on_epoch_counts_across_segments():
    from fastridge.sgd import train_relu
    x = np.linspace(-1, 1, 20)
    seen = []
    tr = train_relu(x, np.abs(x), hidden=2, epochs=6, lr=0.01, seed=0, snapshot_epochs=[2, 4],
                    on_epoch=lambda e, loss: seen.append((e, loss)))
    assert [e for e, _ in seen] == list(range(6))
    np.testing.assert_array_equal([loss for _, loss in seen], tr.loss)


def test_train_relu_names_bad_arguments():
    from fastridge.sgd import train_relu
    x = np.linspace(-1, 1, 10)
    kw = dict(hidden=2, epochs=2, lr=0.01, seed=0)
    with pytest.raises(ValueError, match="hidden must be >= 1; got 0"):
        train_relu(x, x, **{**kw, "hidden": 0})
    with pytest.raises(TypeError, match="epochs must be an integer; got 2.5"):
        train_relu(x, x, **{**kw, "epochs": 2.5})
    with pytest.raises(TypeError, match="^x "):
        train_relu(None, x, **kw)
    with pytest.raises(ValueError, match="x has 10 samples but y has 9"):
        train_relu(x, x[:9], **kw)
    with pytest.raises(TypeError, match="seed must be None"):
        train_relu(x, x, **{**kw, "seed": "abc"})


@pytest.mark.parametrize("n, epochs", [(1, 1), (7, 3), (100, 8), (97, 50), (1000, 1000)])
def test_record_every_divides_n_and_gives_about_400_records(n, epochs):
    from fastridge._relu_model import _record_every
    from fastridge.sgd import train_relu
    k = _record_every(n, epochs)
    assert 1 <= k <= n and n % k == 0
    assert k <= max(1, n * epochs // 400) or k == n
    x = np.linspace(-1, 1, n)
    if n * epochs <= 10_000:
        tr = train_relu(x, x, hidden=2, epochs=epochs, lr=1e-3, seed=0, snapshot_epochs=[1])
        assert tr.record_every == k
        assert tr.elbows.shape == (1 + n * epochs // k, 2)


# ------------------------------------------------------------------------------------
# code variants, chunks, Ctrl-C
# ------------------------------------------------------------------------------------

def test_kernel_variant_setting():
    supported = sgd._kernel_variants()
    assert supported[0] == "baseline" and set(supported) <= set(ALL_KERNELS)
    assert sgd._kernel_variant() == supported[-1]  # auto: the widest
    with pytest.raises(ValueError, match="unknown relu_sgd kernel variant 'sse9'"):
        sgd._set_kernel_variant("sse9")
    for name in set(ALL_KERNELS) - set(supported):
        with pytest.raises(ValueError, match=f"{name!r} cannot run here"):
            sgd._set_kernel_variant(name)
    assert sgd._kernel_variant() == supported[-1]  # a refused setting changes nothing


@pytest.mark.parametrize("value", ["baseline", "avx2", "avx512", "sse9"])
def test_kernel_variant_from_the_environment(value):
    import os
    import subprocess
    import sys
    env = {**os.environ, "FASTRIDGE_SGD_KERNEL": value}
    code = ("import fastridge.sgd as s, fastridge as fr; "
            "print(s._kernel_variant(), fr.relu_sgd([1.0], [2.0], [1.0], [0.0], [1.0], "
            "lr=0.1).W2[0])")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    if value in sgd._kernel_variants():
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == [value, "1.1"]
    else:  # refused at import, naming the variable and what this machine runs
        assert proc.returncode != 0
        assert f"ImportError: FASTRIDGE_SGD_KERNEL={value!r}" in proc.stderr
        assert "'baseline'" in proc.stderr


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("chunk", [1, 2, 7, 40, 41])
def test_chunks_change_no_bit(kernel, dtype, chunk, monkeypatch):
    """Cutting epochs into chunks (to check for Ctrl-C) gives the same bits as not."""
    d = 8
    x, y, W1, b, W2 = make_problem(41, d, dtype, seed=2)
    calls = []
    kw = dict(lr=0.02, epochs=3, shuffle=True, seed=1, record_every=5)
    whole = fr.relu_sgd(x, y, W1, b, W2, **kw)
    monkeypatch.setattr(sgd, "_CHUNK_WORK", chunk * (d + 32))  # chunk steps
    for callback in (None, lambda e, loss: calls.append(loss)):
        cut = fr.relu_sgd(x, y, W1, b, W2, callback=callback, **kw)
        for name in ("W1", "b", "W2", "loss", "elbows"):
            np.testing.assert_array_equal(getattr(cut, name), getattr(whole, name))
    np.testing.assert_array_equal(np.asarray(calls, dtype=dtype), whole.loss)
    # divergence: the same epoch, step and message
    big = 1e150 if dtype == np.float64 else 1e15
    messages = []
    for work in (1 << 25, chunk * (d + 32)):
        monkeypatch.setattr(sgd, "_CHUNK_WORK", work)
        with pytest.raises(FloatingPointError, match="diverged") as err:
            fr.relu_sgd(x, y + 3, W1, b, W2, lr=big, epochs=2)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_runs_outside_the_main_thread():
    """No signal checks there (only the main thread handles signals); same result."""
    import threading
    x, y, W1, b, W2 = make_problem(300, 16)
    kw = dict(lr=0.01, epochs=4, shuffle=True, seed=0)
    out = []
    thread = threading.Thread(target=lambda: out.append(fr.relu_sgd(x, y, W1, b, W2, **kw)))
    thread.start()
    thread.join()
    np.testing.assert_array_equal(out[0].W1, fr.relu_sgd(x, y, W1, b, W2, **kw).W1)


CTRL_C = """
import os, signal, sys, threading, time
import numpy as np
import fastridge as fr
n, d = 1_000_000, 256
rng = np.random.default_rng(0)
x = rng.uniform(-2, 2, n); y = np.sin(2 * x)
W1 = rng.choice([-1.0, 1.0], d); b = -W1 * rng.uniform(-2, 2, d); W2 = np.zeros(d)
inputs = [a.copy() for a in (x, y, W1, b, W2)]
sent = []
def interrupt():
    time.sleep(0.3)
    sent.append(time.perf_counter())
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=interrupt, daemon=True).start()
t0 = time.perf_counter()
try:
    # 1e9 steps over 256 units: minutes on any current CPU
    fr.relu_sgd(x, y, W1, b, W2, lr=1e-6, epochs=1000)
except KeyboardInterrupt:
    t1 = time.perf_counter()
    same = all(np.array_equal(a, c) for a, c in zip((x, y, W1, b, W2), inputs))
    print(f"interrupted {t1 - t0:.3f} {t1 - sent[0]:.3f} {same}")
else:
    print("finished")
"""


def test_ctrl_c_interrupts_a_long_run():
    """SIGINT during relu_sgd raises KeyboardInterrupt within a fraction of a second."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-c", CTRL_C], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    word, total, after_signal, same = proc.stdout.split()
    assert word == "interrupted"
    assert float(total) < 3.0  # the run would take minutes (≈ 200 s here)
    assert float(after_signal) < 2.0  # chunks are ≈ 25 ms of work
    assert same == "True"  # inputs untouched


# ------------------------------------------------------------------------------------
# estimator
# ------------------------------------------------------------------------------------

def test_regressor_fit_predict_score():
    x = np.linspace(-3, 3, 300)
    y = np.sin(x)
    model = fr.ReLURegressor(n_hidden=16, lr=0.02, epochs=60, random_state=0)
    assert model.fit(x[:, None], y) is model
    assert model.n_features_in_ == 1
    assert model.W1_.shape == model.b_.shape == model.W2_.shape == (16,)
    assert model.loss_curve_.shape == (60,)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.elbows_ is None
    assert model.score(x, y) > 0.9
    pred = model.predict(x)
    want = np.maximum(np.outer(x, model.W1_) + model.b_, 0) @ model.W2_
    np.testing.assert_allclose(pred, want, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(x[:, None]), pred)
    # same seed, same model
    again = fr.ReLURegressor(n_hidden=16, lr=0.02, epochs=60, random_state=0).fit(x, y)
    np.testing.assert_array_equal(again.W1_, model.W1_)


def test_regressor_initial_elbows_spread_over_the_data():
    x = np.linspace(10, 20, 101)
    model = fr.ReLURegressor(n_hidden=10, lr=1e-6, epochs=1, record_every=1000,
                             shuffle=False, random_state=1).fit(x, np.zeros_like(x))
    e0 = model.elbows_[0]
    assert e0.min() > 10 and e0.max() < 20 and np.ptp(e0) > 7
    assert set(np.sign(model.W1_)) == {-1.0, 1.0}


def test_regressor_params_and_errors():
    model = fr.ReLURegressor(n_hidden=5, lr=0.1, callback=None)
    params = model.get_params()
    assert params == dict(n_hidden=5, lr=0.1, epochs=10, shuffle=True, random_state=None,
                          record_every=0, callback=None, n_init=1)
    assert model.set_params(epochs=3, lr=0.05) is model
    assert (model.epochs, model.lr) == (3, 0.05)
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(alpha=1.0)
    # stored unmodified: even a bad value is only checked by fit
    bad = fr.ReLURegressor(n_hidden=0)
    assert bad.n_hidden == 0
    with pytest.raises(ValueError, match="n_hidden must be >= 1; got 0"):
        bad.fit([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(fr.NotFittedError):
        model.predict([1.0])
    with pytest.raises(AttributeError):
        model.predict([1.0])
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, 1\)"):
        model.fit(np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        model.fit(np.ones(4), np.ones(3))


def test_regressor_float32_and_callback():
    x = np.linspace(-1, 1, 64, dtype=np.float32)
    seen = []
    model = fr.ReLURegressor(n_hidden=4, epochs=6, random_state=0,
                             callback=lambda e, loss: seen.append(e) or e == 2).fit(x, x**2)
    assert model.W1_.dtype == np.float32
    assert model.predict(x).dtype == np.float32
    assert seen == [0, 1, 2] and model.loss_curve_.shape == (3,)


def test_regressor_one_init_is_init_network_then_relu_sgd():
    from fastridge.sgd import init_network
    x = np.linspace(-2, 2, 80)
    model = fr.ReLURegressor(n_hidden=6, lr=0.02, epochs=5, random_state=3,
                             record_every=40).fit(x, x**2)
    rng = np.random.default_rng(3)
    res = fr.relu_sgd(x, x**2, *init_network(x, x**2, 6, rng), lr=0.02, epochs=5,
                      shuffle=True, seed=rng, record_every=40)
    np.testing.assert_array_equal(model.W2_, res.W2)
    np.testing.assert_array_equal(model.elbows_, res.elbows)
    assert model.best_init_ == 0 and model.init_losses_.shape == (1,)


def test_regressor_n_init_keeps_the_best_restart():
    from fastridge.sgd import init_network
    x = np.linspace(-3, 3, 120)
    y = np.sin(x)
    model = fr.ReLURegressor(n_hidden=5, lr=0.02, epochs=8, random_state=1, n_init=4,
                             record_every=60).fit(x, y)
    # the restarts: child generators of random_state, trained by relu_sgd_many
    streams = np.random.default_rng(1).spawn(4)
    starts = [init_network(x, y, 5, g) for g in streams]
    res = fr.relu_sgd_many(x, y, *(np.stack([p[j] for p in starts]) for j in range(3)),
                           lr=0.02, epochs=8, shuffle=True, seeds=streams, record_every=60)
    losses = [0.5 * np.mean((np.maximum(np.outer(x, res.W1[i]) + res.b[i], 0) @ res.W2[i]
                             - y) ** 2) for i in range(4)]
    np.testing.assert_allclose(model.init_losses_, losses, rtol=1e-12)
    best = int(np.argmin(losses))
    assert model.best_init_ == best
    np.testing.assert_array_equal(model.W1_, res.W1[best])
    np.testing.assert_array_equal(model.loss_curve_, res.loss[best])
    np.testing.assert_array_equal(model.elbows_, res.elbows[best])
    # the kept network's training loss is the smallest of the restarts'
    assert 0.5 * np.mean((model.predict(x) - y) ** 2) == pytest.approx(min(losses))


def test_regressor_n_init_errors():
    x = np.linspace(-1, 1, 10)
    with pytest.raises(ValueError, match="n_init must be >= 1; got 0"):
        fr.ReLURegressor(n_init=0).fit(x, x)
    with pytest.raises(ValueError, match="callback works with n_init=1 only"):
        fr.ReLURegressor(n_init=2, callback=lambda e, loss: None).fit(x, x)
    with pytest.raises(TypeError, match="random_state must be None, an int >= 0"):
        fr.ReLURegressor(random_state="abc").fit(x, x)

