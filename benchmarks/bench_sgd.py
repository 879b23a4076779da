"""Benchmarks of per-sample ReLU SGD (SPEC §2): ``fastridge.relu_sgd`` against a numba
loop of the same update, the NumPy reference, float32, and elbow recording; and
``fastridge.relu_sgd_many`` (64 networks on every core) against a loop of ``relu_sgd``
and a numba ``prange`` over the networks.

Run (medians, then the ratios of benchmarks/README.md):

    python -m pytest benchmarks/bench_sgd.py --benchmark-only --benchmark-json=/tmp/sgd.json

and, for ratios that drift on a shared machine cannot bias (the contenders alternate
round by round):

    python benchmarks/bench_sgd.py --interleaved 15

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
from peers import relu_sgd_many as numba_relu_sgd_many  # noqa: E402

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


# --------------------------------------------------------------------------------------
# many networks at once
# --------------------------------------------------------------------------------------

M, D_MANY, N_MANY, EPOCHS_MANY = 64, 32, 20_000, 5  # networks, units, samples, epochs
ROUNDS_MANY = 7


def many_problem(seed=0):
    """x, y and 64 different initialisations (elbows at random points of the data)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, N_MANY)
    y = np.sin(x)
    W1 = rng.choice([-1.0, 1.0], (M, D_MANY))
    b = -W1 * rng.uniform(-3, 3, (M, D_MANY))
    W2 = rng.normal(0, 0.1 / np.sqrt(D_MANY), (M, D_MANY))
    lr = np.geomspace(5e-4, 5e-3, M)  # a learning-rate sweep, one per network
    return x, y, W1, b, W2, lr


@pytest.fixture(scope="module")
def many():
    return many_problem()


def many_fastridge(x, y, W1, b, W2, lr, n_threads=None):
    return fr.relu_sgd_many(x, y, W1, b, W2, lr=lr, epochs=EPOCHS_MANY, n_threads=n_threads)


def many_loop(x, y, W1, b, W2, lr):
    """What a user writes today: relu_sgd once per network, on one thread."""
    return [fr.relu_sgd(x, y, W1[i], b[i], W2[i], lr=lr[i], epochs=EPOCHS_MANY)
            for i in range(len(W1))]


def many_numba(x, y, W1, b, W2, lr):
    """numba @njit(parallel=True), prange over the networks (in place on copies)."""
    W1, b, W2 = W1.copy(), b.copy(), W2.copy()
    loss = numba_relu_sgd_many(x, y, W1, b, W2, lr, EPOCHS_MANY)
    return W1, b, W2, loss


@pytest.fixture(scope="module")
def many_expected(many):
    """The loop's result (run once, outside any timer); also compiles the numba peer."""
    many_numba(*many)
    runs = many_loop(*many)
    return np.stack([r.W2 for r in runs]), np.stack([r.loss for r in runs])


@pytest.mark.benchmark(group="relu_sgd_many")
def test_fastridge_many(benchmark, many, many_expected):
    res = benchmark.pedantic(many_fastridge, args=many, rounds=ROUNDS_MANY, warmup_rounds=1)
    np.testing.assert_array_equal(res.W2, many_expected[0])  # bit for bit the loop
    np.testing.assert_array_equal(res.loss, many_expected[1])


@pytest.mark.benchmark(group="relu_sgd_many")
def test_many_on_one_thread(benchmark, many, many_expected):
    res = benchmark.pedantic(many_fastridge, args=many, kwargs=dict(n_threads=1),
                             rounds=ROUNDS_MANY, warmup_rounds=1)
    np.testing.assert_array_equal(res.W2, many_expected[0])


@pytest.mark.benchmark(group="relu_sgd_many")
def test_loop_of_relu_sgd(benchmark, many, many_expected):
    runs = benchmark.pedantic(many_loop, args=many, rounds=ROUNDS_MANY, warmup_rounds=1)
    np.testing.assert_array_equal(np.stack([r.W2 for r in runs]), many_expected[0])


@pytest.mark.benchmark(group="relu_sgd_many")
def test_numba_prange_many(benchmark, many, many_expected):
    W1, b, W2, loss = benchmark.pedantic(many_numba, args=many, rounds=ROUNDS_MANY,
                                         warmup_rounds=1)
    # numba rounds W1·x + b twice (no FMA): the same run to rounding
    np.testing.assert_allclose(W2, many_expected[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(loss, many_expected[1], rtol=1e-8)


def interleaved(rounds: int) -> None:
    """Time the relu_sgd_many contenders in alternation; print medians and ratios."""
    import time

    data = many_problem()
    many_numba(*data)  # compile
    contenders = {"fastridge relu_sgd_many": lambda: many_fastridge(*data),
                  "relu_sgd_many n_threads=1": lambda: many_fastridge(*data, n_threads=1),
                  "loop of relu_sgd": lambda: many_loop(*data),
                  "numba prange": lambda: many_numba(*data)}
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, call in contenders.items():
            t0 = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - t0)
    subject = np.array(times["fastridge relu_sgd_many"])
    print(f"{M} networks, d = {D_MANY}, {N_MANY} samples, {EPOCHS_MANY} epochs; "
          f"{rounds} interleaved rounds")
    for name, t in times.items():
        ratio = np.median(np.array(t) / subject)
        print(f"  {name:28s} median {np.median(t) * 1e3:8.1f} ms   "
              f"median per-round ratio to fastridge {ratio:5.2f}")


if __name__ == "__main__":
    import sys

    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        interleaved(int(sys.argv[sys.argv.index("--interleaved") + 1])
                    if "--interleaved" in sys.argv else 9)

