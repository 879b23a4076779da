"""Benchmarks of per-sample ReLU SGD (SPEC §2): ``fastridge.relu_sgd`` against a numba
loop of the same update, the NumPy reference, float32, and elbow recording.

Run (medians, then the ratios of benchmarks/README.md):

    python -m pytest benchmarks/bench_sgd.py --benchmark-only --benchmark-json=/tmp/sgd.json

Data are built outside the timed code, BLAS is pinned to one thread, and every benchmark
asserts on the result it timed.
"""
import numpy as np
import pytest

import fastridge as fr
from fastridge import reference as ref

threadpoolctl = pytest.importorskip("threadpoolctl")
numba = pytest.importorskip("numba")
from peers import relu_sgd_epoch as numba_relu_sgd  # noqa: E402  (benchmarks/peers.py)

N, D = 200_000, 64  # samples, hidden units
N_REF = 2_000  # the NumPy reference is timed on fewer samples; compare per sample
LR = 0.002
ROUNDS = 25


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    with threadpoolctl.threadpool_limits(1):
        yield


def problem(n, d, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, n)
    y = np.sin(x)
    W1 = rng.choice([-1.0, 1.0], d)
    b = -W1 * np.quantile(x, (np.arange(d) + 0.5) / d)
    W2 = rng.normal(0, 0.1 / np.sqrt(d), d)
    return tuple(a.astype(dtype) for a in (x, y, W1, b, W2))


@pytest.fixture(scope="module")
def data64():
    return problem(N, D)


@pytest.fixture(scope="module")
def expected64(data64):
    """The numba loop's result (compiled and run once, outside any timer)."""
    x, y, W1, b, W2 = (a.copy() for a in data64)
    loss = numba_relu_sgd(x, y, W1, b, W2, LR)
    return W1, b, W2, loss


def check(res, expected, rtol):
    W1, b, W2, loss = expected
    np.testing.assert_allclose(res.W2, W2, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(res.loss[0], loss, rtol=rtol)


@pytest.mark.benchmark(group="relu_sgd")
def test_fastridge_float64(benchmark, data64, expected64):
    res = benchmark.pedantic(fr.relu_sgd, args=data64, kwargs=dict(lr=LR),
                             rounds=ROUNDS, warmup_rounds=1)
    check(res, expected64, 1e-8)


@pytest.mark.benchmark(group="relu_sgd")
def test_numba_float64(benchmark, data64, expected64):
    def fresh():  # the numba loop updates in place: new parameters each round
        x, y, W1, b, W2 = data64
        return (x, y, W1.copy(), b.copy(), W2.copy(), LR), {}

    loss = benchmark.pedantic(numba_relu_sgd, setup=fresh, rounds=ROUNDS, warmup_rounds=1)
    assert loss == pytest.approx(expected64[3], rel=1e-12)


@pytest.mark.benchmark(group="relu_sgd")
def test_reference_float64(benchmark, data64):
    x, y, W1, b, W2 = data64
    x, y = x[:N_REF], y[:N_REF]
    res = benchmark.pedantic(ref.relu_sgd, args=(x, y, W1, b, W2), kwargs=dict(lr=LR),
                             rounds=3, warmup_rounds=0)
    fast = fr.relu_sgd(x, y, W1, b, W2, lr=LR)
    np.testing.assert_allclose(res.W2, fast.W2, rtol=1e-10, atol=1e-12)


@pytest.mark.benchmark(group="relu_sgd")
def test_fastridge_float32(benchmark, data64, expected64):
    data32 = tuple(a.astype(np.float32) for a in data64)
    res = benchmark.pedantic(fr.relu_sgd, args=data32, kwargs=dict(lr=LR),
                             rounds=ROUNDS, warmup_rounds=1)
    assert res.W2.dtype == np.float32
    check(res, expected64, 2e-3)


@pytest.mark.benchmark(group="relu_sgd")
def test_fastridge_float64_record_every_1000(benchmark, data64, expected64):
    res = benchmark.pedantic(fr.relu_sgd, args=data64, kwargs=dict(lr=LR, record_every=1000),
                             rounds=ROUNDS, warmup_rounds=1)
    check(res, expected64, 1e-8)
    assert res.elbows.shape == (1 + N // 1000, D)
    np.testing.assert_allclose(res.elbows[-1], fr.elbows(res.W1, res.b))
