"""relu_sgd_many (docs/math.md §2, many networks at once): bit for bit the loop of relu_sgd over the
networks, on any number of threads and every code variant this CPU has; its arguments,
divergence, Ctrl-C and the thread runner behind it; train_relu_many."""
import subprocess
import sys
import threading

import numpy as np
import pytest

import fastridge as fr
import fastridge.sgd as sgd
from fastridge import _sgd, _sgd_threads
from test_sgd import kernel, make_problem  # noqa: F401  (the per-variant fixture)


def assert_same_bits(got, want, name=""):
    """Equal to the bit: same dtype, shape and bytes (NaN payloads and −0.0 included)."""
    assert got.dtype == want.dtype and got.shape == want.shape, name
    uint = {4: np.uint32, 8: np.uint64}[got.dtype.itemsize]
    np.testing.assert_array_equal(np.ascontiguousarray(got).view(uint),
                                  np.ascontiguousarray(want).view(uint), err_msg=name)


def networks(m, d, dtype=np.float64, seed=0):
    """m different initialisations (elbows spread over [-2, 2], mixed signs)."""
    rng = np.random.default_rng(seed)
    W1 = rng.choice([-1.0, 1.0], (m, d)) * rng.uniform(0.5, 1.5, (m, d))
    b = -W1 * rng.uniform(-2, 2, (m, d))
    W2 = rng.normal(0, 0.5 / np.sqrt(d), (m, d))
    return tuple(a.astype(dtype) for a in (W1, b, W2))


def loop(x, y, W1, b, W2, lrs, seeds, **kw):
    """The reference: relu_sgd once per network, stacked."""
    runs = [fr.relu_sgd(x, y, W1[i], b[i], W2[i], lr=lrs[i], seed=seeds[i], **kw)
            for i in range(len(W1))]
    stack = {name: np.stack([getattr(r, name) for r in runs])
             for name in ("W1", "b", "W2", "loss")}
    stack["elbows"] = None if runs[0].elbows is None else np.stack([r.elbows for r in runs])
    return stack


# ------------------------------------------------------------------------------------
# many == the loop, bit for bit
# ------------------------------------------------------------------------------------

@pytest.mark.parametrize("m", [1, 3, 17])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_equals_the_loop_bit_for_bit(kernel, m, dtype, shuffle, n_threads):
    x, y, *_ = make_problem(60, 1, dtype, seed=m)
    W1, b, W2 = networks(m, 9, dtype, seed=m)
    lrs = np.geomspace(0.002, 0.05, m)  # one per network
    seeds = list(range(100, 100 + m))
    kw = dict(epochs=3, shuffle=shuffle, record_every=7)
    res = fr.relu_sgd_many(x, y, W1, b, W2, lr=lrs, seeds=seeds, n_threads=n_threads, **kw)
    want = loop(x, y, W1, b, W2, lrs, seeds, **kw)
    for name in ("W1", "b", "W2", "loss", "elbows"):
        assert_same_bits(getattr(res, name), want[name], name)
    assert res.W1.dtype == res.loss.dtype == res.elbows.dtype == dtype
    assert res.elbows.shape == (m, 1 + 60 * 3 // 7, 9)
    assert not np.array_equal(res.W2, W2)  # training did something


def test_equals_the_loop_with_scalar_lr_and_any_seed_kind(kernel):
    x, y, *_ = make_problem(50, 1, seed=4)
    W1, b, W2 = networks(4, 6, seed=4)
    seeds = [7, np.random.SeedSequence(8), np.random.default_rng(9), np.int64(10)]
    res = fr.relu_sgd_many(x, y, W1, b, W2, lr=0.02, epochs=4, shuffle=True, seeds=seeds,
                           n_threads=2)
    fresh = [7, np.random.SeedSequence(8), np.random.default_rng(9), np.int64(10)]
    want = loop(x, y, W1, b, W2, [0.02] * 4, fresh, epochs=4, shuffle=True)
    for name in ("W1", "b", "W2", "loss"):
        assert_same_bits(getattr(res, name), want[name], name)
    assert res.elbows is None


def test_without_shuffle_seeds_are_unused_and_default_none():
    x, y, *_ = make_problem(40, 1)
    W1, b, W2 = networks(3, 5)
    a = fr.relu_sgd_many(x, y, W1, b, W2, lr=0.01, epochs=2)
    c = fr.relu_sgd_many(x, y, W1, b, W2, lr=0.01, epochs=2, seeds=[1, 2, 3], n_threads=2)
    assert_same_bits(a.W1, c.W1)
    # shuffle with seeds=None: fresh entropy per network, still m independent runs
    r = fr.relu_sgd_many(x, y, W1, b, W2, lr=0.01, epochs=2, shuffle=True)
    assert r.W1.shape == (3, 5) and np.isfinite(r.loss).all()


def test_ints_become_float64_and_x_decides_the_dtype():
    W1, b, W2 = networks(2, 3)
    res = fr.relu_sgd_many(np.arange(5), np.arange(5), W1, b, W2, lr=0.01)
    assert res.W1.dtype == np.float64
    res = fr.relu_sgd_many(np.arange(5, dtype=np.float32), np.arange(5), W1, b, W2,
                           lr=np.float32(0.01))
    assert res.W1.dtype == res.loss.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_inputs_not_modified(dtype, order):
    x, y, *_ = make_problem(30, 1, dtype)
    W1, b, W2 = (np.asarray(p, order=order) for p in networks(5, 4, dtype))
    lr = np.full(5, 0.05)
    arrays = [x, y, W1, b, W2, lr]
    copies = [a.copy() for a in arrays]
    strided = np.stack([x, x], axis=1)[:, 0]  # a non-contiguous 1-D input
    res = fr.relu_sgd_many(strided, y, W1, b, W2, lr=lr, epochs=2, shuffle=True,
                           seeds=range(5), record_every=3, n_threads=2)
    for a, c in zip(arrays, copies):
        assert_same_bits(a, c)
    for new, old in zip((res.W1, res.b, res.W2), (W1, b, W2)):
        assert not np.shares_memory(new, old)
        assert new.flags.c_contiguous


# ------------------------------------------------------------------------------------
# arguments
# ------------------------------------------------------------------------------------

BAD = [
    ("W1", np.ones(3), ValueError, r"W1 must be 2-D, of shape \(m, d\).*got an array of shape "
                                   r"\(3,\) \(for one network use relu_sgd, or pass W1\[None\]\)"),
    ("b", np.zeros((2, 3, 1)), ValueError, r"^b must be 2-D.*shape \(2, 3, 1\)"),
    ("W2", None, TypeError, r"^W2 "),
    ("W2", [["a", "b", "c"]] * 2, TypeError, r"^W2 has dtype"),
    ("W2", np.ones((2, 4)), ValueError,
     r"W1, b and W2 must all have the same shape .*got shapes \(2, 3\), \(2, 3\), \(2, 4\)"),
    ("b", np.ones((3, 3)), ValueError, r"got shapes \(2, 3\), \(3, 3\), \(2, 3\)"),
    ("W1", np.ones((0, 3)), ValueError, r"W1 must not be empty"),
    ("W1", [[1.0, np.nan, 1.0]] * 2, ValueError, r"W1 contains NaN or infinity"),
    ("y", np.ones(9), ValueError, r"x has 10 samples but y has 9"),
    ("x", None, TypeError, r"^x "),
    ("lr", [0.1, 0.1, 0.1], ValueError,
     r"lr has 3 entries but there are 2 networks \(rows of W1\); expected a scalar or one"),
    ("lr", [0.1, -0.1], ValueError, r"lr\[1\] must be > 0; got -0.1"),
    ("lr", [0.1, np.nan], ValueError, r"lr contains NaN or infinity"),
    ("lr", [[0.1, 0.1]], ValueError, r"lr must be 1-D"),
    ("lr", ["a", "b"], TypeError, r"^lr has dtype"),
    ("lr", None, TypeError, r"lr must be a real number; got None"),
    ("lr", 0.0, ValueError, r"lr must be > 0; got 0"),
    ("lr", [1e-60, 0.1], ValueError, r"lr\[0\] = 1e-60 is 0 in float32"),
    ("lr", 1e300, ValueError, r"lr must be representable in float32"),
    ("epochs", 0, ValueError, r"epochs must be >= 1; got 0"),
    ("epochs", 2**70, ValueError, r"epochs must be <= 9223372036854775807"),
    ("epochs", 1.5, TypeError, r"epochs must be an integer; got 1.5"),
    ("shuffle", "yes", TypeError, r"shuffle must be True or False; got 'yes'"),
    ("record_every", -1, ValueError, r"record_every must be >= 0; got -1"),
    ("seeds", 3, TypeError, r"seeds must be None or a sequence of m = 2 seeds, one per "
                            r"network; got 3 \(for m streams from one seed pass "
                            r"numpy.random.SeedSequence\(seed\).spawn\(m\)\)"),
    ("seeds", "ab", TypeError, r"seeds must be None or a sequence of m = 2 seeds"),
    ("seeds", np.random.default_rng(0), TypeError, r"seeds must be None or a sequence"),
    ("seeds", [1, 2, 3], ValueError,
     r"seeds has 3 entries but there are 2 networks \(rows of W1\); expected one seed per"),
    ("seeds", [1, -1], ValueError, r"seeds\[1\] must be None, an int >= 0, .*; got -1"),
    ("seeds", [1, "x"], TypeError, r"seeds\[1\] must be None, an int >= 0"),
    ("n_threads", 0, ValueError, r"n_threads must be >= 1; got 0"),
    ("n_threads", 2.0, TypeError, r"n_threads must be an integer; got 2.0"),
]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name, value, error, match", BAD)
@pytest.mark.parametrize("shuffle", [False, True])
def test_each_bad_argument_is_named(name, value, error, match, shuffle):
    x = np.linspace(-1, 1, 10, dtype=np.float32 if name == "lr" else np.float64)
    args = dict(x=x, y=x**2, W1=np.ones((2, 3)), b=np.zeros((2, 3)), W2=np.ones((2, 3)),
                lr=0.01, shuffle=shuffle, seeds=[1, 2])
    args[name] = value
    positional = [args.pop(k) for k in ("x", "y", "W1", "b", "W2")]
    with pytest.raises(error, match=match):
        fr.relu_sgd_many(*positional, **args)


def test_one_generator_for_two_networks_is_refused():
    g = np.random.default_rng(0)
    W1, b, W2 = networks(3, 2)
    with pytest.raises(ValueError, match=r"seeds\[2\] is the same Generator as seeds\[0\]"):
        fr.relu_sgd_many([0.0, 1.0], [0.0, 1.0], W1, b, W2, lr=0.1, seeds=[g, 5, g])


# ------------------------------------------------------------------------------------
# divergence: the whole call fails, naming the first network that diverged
# ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_threads", [1, 2, 4])
def test_divergence_names_the_first_network_like_the_loop(kernel, n_threads):
    x = np.random.default_rng(0).uniform(1, 2, 100)
    m = 7
    W1, b, W2 = np.ones((m, 1)), np.full((m, 1), 5.0), np.zeros((m, 1))
    lr = np.full(m, 1e-3)
    lr[[2, 5]] = 1e150  # networks 2 and 5 diverge at once
    with pytest.raises(FloatingPointError) as err:
        fr.relu_sgd_many(x, x, W1, b, W2, lr=lr, epochs=3, n_threads=n_threads)
    assert err.value.network == 2
    with pytest.raises(FloatingPointError) as one:
        fr.relu_sgd(x, x, W1[2], b[2], W2[2], lr=lr[2], epochs=3)
    # the same epoch, step, sample and cause as relu_sgd's, after the network's index
    want = str(one.value).replace("relu_sgd diverged", "").replace("lr=", "lr[2]=")
    assert str(err.value) == "relu_sgd_many: network 2 (of 7) diverged" + want


def test_divergence_in_a_later_epoch_with_shuffle():
    x, y = np.zeros(2), np.array([0.0, -1e150])
    W1, b, W2 = np.zeros((3, 1)), np.ones((3, 1)), np.zeros((3, 1))
    lr = [1e-3, 1e100, 1e100]
    with pytest.raises(FloatingPointError,
                       match=r"network 1 \(of 3\) diverged at epoch 1, step") as err:
        fr.relu_sgd_many(x, y, W1, b, W2, lr=lr, epochs=3, shuffle=True, seeds=[1, 2, 3],
                         n_threads=2)
    assert "lr[1]=1e+100" in str(err.value)


# ------------------------------------------------------------------------------------
# threads
# ------------------------------------------------------------------------------------

def test_networks_are_trained_on_worker_threads(monkeypatch):
    """With n_threads > 1 the calling thread only waits; the workers train."""
    seen = []
    train = sgd._train

    def spy(*args, **kwargs):
        seen.append((threading.current_thread().name, kwargs["stop_flag"] is not None))
        return train(*args, **kwargs)

    monkeypatch.setattr(sgd, "_train", spy)
    x, y, *_ = make_problem(40, 1)
    W1, b, W2 = networks(6, 4)
    fr.relu_sgd_many(x, y, W1, b, W2, lr=0.01, n_threads=2)
    assert len(seen) == 6
    assert {name for name, _ in seen} <= {"fastridge-worker-0", "fastridge-worker-1"}
    assert all(flag for _, flag in seen)
    seen.clear()
    fr.relu_sgd_many(x, y, W1, b, W2, lr=0.01, n_threads=1)
    assert {name for name, _ in seen} == {threading.current_thread().name}
    assert threading.active_count() == 1 or all(
        not t.name.startswith("fastridge-worker") for t in threading.enumerate())


def test_default_threads_are_the_available_cores(monkeypatch):
    calls = []
    run = sgd.run_indexed
    monkeypatch.setattr(sgd, "run_indexed", lambda job, m, k: calls.append(k) or run(job, m, k))
    monkeypatch.setattr(sgd, "available_cores", lambda: 3)
    W1, b, W2 = networks(2, 2)
    fr.relu_sgd_many([0.0, 1.0], [0.0, 1.0], W1, b, W2, lr=0.1)
    assert calls == [3]
    assert _sgd_threads.available_cores() >= 1


def test_an_error_in_a_worker_is_raised_in_the_caller(monkeypatch):
    train = sgd._train
    x, y, *_ = make_problem(40, 1)
    W1, b, W2 = networks(8, 4)

    def failing(x, y, W1_i, *args, **kwargs):  # network 3 runs out of memory
        if np.array_equal(W1_i, W1[3]):
            raise MemoryError("no memory for network 3")
        return train(x, y, W1_i, *args, **kwargs)

    monkeypatch.setattr(sgd, "_train", failing)
    with pytest.raises(MemoryError, match="network 3"):
        fr.relu_sgd_many(x, y, W1, b, W2, lr=0.01, n_threads=2)
    assert not [t for t in threading.enumerate() if t.name.startswith("fastridge-worker")]


def test_run_indexed_starts_in_order_and_skips_after_a_failure():
    for n_threads in (1, 2, 3):
        started, lock = [], threading.Lock()

        def job(i, flag):
            with lock:
                started.append(i)
            return i in (4, 6)  # 4 fails first

        _sgd_threads.run_indexed(job, 200, n_threads)
        # every job up to the first failure ran, each once; in the calling thread no
        # more (others may have started a few while job 4 ran)
        assert set(range(5)) <= set(started) and len(started) == len(set(started))
        if n_threads == 1:
            assert started == [0, 1, 2, 3, 4]
        assert len(started) < 200


def test_run_indexed_raises_the_lowest_error_and_stops_the_others():
    flags = []

    def job(i, flag):
        flags.append(flag)
        if i in (1, 2):
            raise KeyError(i)
        return False

    with pytest.raises(KeyError) as err:
        _sgd_threads.run_indexed(job, 50, 2)
    assert err.value.args[0] in (1, 2)  # lowest among those raised before the stop
    assert flags[0] is not None and flags[0][0] == 1  # the flag told the others to stop
    assert len(flags) < 50


def test_the_driver_stops_at_its_next_chunk_when_the_flag_is_set():
    x = np.linspace(-1, 1, 1000)
    W1, b, W2 = np.ones(4), np.zeros(4), np.zeros(4)
    flag = np.ones(1, dtype=np.intc)
    status, done, _, step = _sgd.run_epochs(x, x**2, None, W1, b, W2, 0.01, 3, 0, 0, None,
                                            np.empty(3), np.empty(12), 10, 0, flag)
    assert (status, done, step) == (_sgd.STOPPED, 0, 10)  # one chunk of 10 steps, no more
    flag[0] = 0
    status, done, _, step = _sgd.run_epochs(x, x**2, None, W1, b, W2, 0.01, 3, 0, 0, None,
                                            np.empty(3), np.empty(12), 10, 0, flag)
    assert (status, done, step) == (_sgd.OK, 3, 3000)


CTRL_C = """
import os, signal, threading, time
import numpy as np
import fastridge as fr
n, d, m = 200_000, 256, 4
rng = np.random.default_rng(0)
x = rng.uniform(-2, 2, n); y = np.sin(2 * x)
W1 = rng.choice([-1.0, 1.0], (m, d)); b = -W1 * rng.uniform(-2, 2, (m, d)); W2 = np.zeros((m, d))
inputs = [a.copy() for a in (x, y, W1, b, W2)]
sent = []
def interrupt():
    time.sleep(0.5)
    sent.append(time.perf_counter())
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=interrupt, daemon=True).start()
t0 = time.perf_counter()
try:
    # 4 networks x 2e8 steps over 256 units: many minutes
    fr.relu_sgd_many(x, y, W1, b, W2, lr=1e-7, epochs=1000, shuffle=True, seeds=range(m),
                     n_threads=2)
except KeyboardInterrupt:
    t1 = time.perf_counter()
    same = all(np.array_equal(a, c) for a, c in zip((x, y, W1, b, W2), inputs))
    workers = [t.name for t in threading.enumerate() if t.name.startswith("fastridge")]
    print(f"interrupted {t1 - t0:.3f} {t1 - sent[0]:.3f} {same} {len(workers)}")
else:
    print("finished")
"""


def test_ctrl_c_stops_every_thread_soon():
    proc = subprocess.run([sys.executable, "-c", CTRL_C], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    word, total, after_signal, same, workers = proc.stdout.split()
    assert word == "interrupted"
    assert float(total) < 5.0
    # ≤ 0.05 s wait slice + one ≈ 25 ms chunk (or one permutation draw): ≈ 20 ms measured;
    # generous for a loaded shared machine
    assert float(after_signal) < 0.5, after_signal
    assert same == "True"
    assert workers == "0"  # every worker thread has returned


# ------------------------------------------------------------------------------------
# train_relu_many
# ------------------------------------------------------------------------------------

def test_train_relu_many_equals_train_relu_per_seed():
    x = np.linspace(-2, 2, 60)
    y = np.abs(x)
    seeds = [3, 4, 5]
    runs = sgd.train_relu_many(x, y, hidden=5, epochs=6, lr=0.02, seeds=seeds, n_threads=2)
    for i, seed in enumerate(seeds):
        one = sgd.train_relu(x, y, hidden=5, epochs=6, lr=0.02, seed=seed)
        for got, want in zip(runs.params, one.params):
            assert_same_bits(got[i], want)
        assert_same_bits(runs.loss[i], one.loss)
        for got, want in zip(runs.initial, one.snapshots[0]):
            assert_same_bits(got[i], want)
    assert runs.n_threads == 2 and runs.seconds >= 0


def test_train_relu_many_names_bad_arguments():
    x = np.linspace(-1, 1, 10)
    with pytest.raises(TypeError, match="seeds must be a sequence of seeds, one per run"):
        sgd.train_relu_many(x, x, hidden=2, epochs=1, lr=0.1, seeds=3)
    with pytest.raises(ValueError, match="hidden must be >= 1"):
        sgd.train_relu_many(x, x, hidden=0, epochs=1, lr=0.1, seeds=[1])
    with pytest.raises(ValueError, match=r"lr has 3 entries but there are 2 networks"):
        sgd.train_relu_many(x, x, hidden=2, epochs=1, lr=[0.1] * 3, seeds=[1, 2])


# ------------------------------------------------------------------------------------
# fastridge sgd --runs: the report
# ------------------------------------------------------------------------------------

def test_landing_report_counts_what_it_says():
    from fastridge.cli._sgd import landing_report
    x = np.linspace(-1, 1, 5)  # data points -1, -0.5, 0, 0.5, 1; gap 0.5
    # 2 runs, 3 units: elbows at 0.0 (the kink), at 0.5 (a data point), outside
    W1 = np.array([[1.0, -2.0, 1.0], [2.0, -1.0, 1.0]])
    e = np.array([[0.0, 0.5, 3.0], [0.01, 0.5, 3.0]])
    b = -W1 * e
    W2 = np.array([[1.5, -0.25, 0.1], [0.75, -0.5, 0.1]])  # slope changes |W1|·W2
    runs = sgd.Runs(initial=(W1, b, W2), params=(W1, b, W2), loss=np.zeros((2, 1)),
                    seconds=0.0, n_threads=1)
    text = landing_report(runs, x, [0.0], [2.0])
    # the kink is a data point: the window is ±max(2 % of the range, gap/8) = ±0.0625
    assert ("kink at +0: a strong elbow within 0.02 in 2 of 2 runs; the slope changes "
            "in [-0.0625, +0.0625] add up to +1.500 (median; the target's: +2)") in text
    # a kink between data points: summed from the point before it to the one after
    text = landing_report(runs, x, [0.3], [-1.0])
    assert "in [-0.0625, +0.562] add up to +1.000" in text  # 1.5 at ~0, −0.5 at 0.5
    # |slope change| inside the data: run 0: 1.5 (at 0, a data point) + 0.5 (at 0.5);
    # run 1: 1.5 (at 0.01, within 0.0625 of 0) + 0.5: all at the data; uniform: 5 × 0.125 / 2
    assert ("100% of the |slope change| (and 100% of the elbows) inside the data lie "
            "within 0.0625") in text
    assert "a uniform spread would put 25% there" in text
    assert "2 of 6 elbows lie outside the data" in text


def test_cli_runs_report_and_run_zero_is_the_single_run(capsys):
    from fastridge.cli import main
    assert main(["sgd", "--function", "abs", "--hidden", "5", "--epochs", "6", "--runs",
                 "4", "--seed", "2", "--samples", "40"]) == 0
    out = capsys.readouterr().out
    assert "trained 4 networks of 5 hidden units on abs (40 samples" in out
    assert "seeds 2..5" in out and "kink at +0: a strong elbow within" in out
    assert "at the data:" in out
    # run k is `fastridge sgd --seed SEED+k`: the library calls agree bit for bit
    x = np.linspace(-2, 2, 40)
    runs = sgd.train_relu_many(x, np.abs(x), hidden=5, epochs=6, lr=0.01, seeds=[2, 3])
    one = sgd.train_relu(x, np.abs(x), hidden=5, epochs=6, lr=0.01, seed=3)
    assert_same_bits(runs.params[0][1], one.params[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d", [1, 7, 8, 16, 33])
def test_each_network_trains_in_cache_lines_of_its_own(dtype, d):
    """Rows start on 64-byte lines; nothing else lies within a line of them (no false
    sharing between two threads storing parameters at every step)."""
    own = sgd._own_cache_lines(3, d, dtype)
    assert own.shape[0] == 3 and own.shape[1] >= d and own.shape[1] * own.itemsize % 64 == 0
    for row in own:
        assert row.ctypes.data % 64 == 0
    base = own.base
    start = own.ctypes.data - base.ctypes.data
    end = start + own.nbytes
    # the buffer pads its used region by whole lines: no foreign byte shares a line
    assert start >= 0 and base.nbytes - end >= 64
