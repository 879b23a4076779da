"""Streaming and Dask benchmarks (issue 6).

    python -m pytest benchmarks/bench_stream.py --benchmark-only              # short
    FASTRIDGE_BIG_BENCH=1 python -m pytest benchmarks/bench_stream.py \\
        --benchmark-only -s                                                     # big ones

Short (always): a 200 000 × 100 float64 ``.npy`` file streamed through
``Ridge.partial_fit`` vs ``X.T @ X`` on the same data in memory.

Big (opt-in, ``FASTRIDGE_BIG_BENCH=1``):

* 2 000 000 × 200 float64 (3.2 GB) streamed from a ``.npy`` file in /tmp — peak RSS
  of a fresh subprocess doing the whole fit (``VmHWM``; must stay under 1 GB) and the
  time, vs ``X.T @ X`` in memory: on the whole array when ``MemAvailable`` leaves room
  for it, else on 1 000 000 rows ×2 (extrapolated; the test says which).
* Dask ``LocalCluster`` (2 worker processes, 1 thread each) on 1 000 000 × 200 already
  persisted on the workers vs the in-memory ``fastridge.Ridge().fit``.

BLAS is pinned to one thread (conftest.py); Dask workers get one thread each (Dask's
nanny sets ``OMP_NUM_THREADS=1`` and friends).  Files are deleted afterwards.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fastridge as fr
from fastridge.stream import fit_stream, iter_npy_blocks

BIG = os.environ.get("FASTRIDGE_BIG_BENCH") == "1"
big = pytest.mark.skipif(not BIG, reason="set FASTRIDGE_BIG_BENCH=1 for the big benchmarks")
BLOCK_ROWS = 16384


def _write_npy(path, n, d, seed, chunk=100_000):
    """Write an (n, d) float64 standard-normal .npy plus y.npy without holding it:
    header, then raw row chunks (no memory map, so the writer's RSS stays small)."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    ys = []
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f8", "fortran_order": False, "shape": (n, d)})
        for r in range(0, n, chunk):
            X = rng.standard_normal((min(chunk, n - r), d)) + 3.0
            f.write(X.tobytes())
            ys.append(X @ w + rng.standard_normal(len(X)))
    ypath = str(path).replace(".npy", "_y.npy")
    np.save(ypath, np.concatenate(ys))
    return str(path), ypath


def _stream_fit(xpath, ypath):
    blocks = zip(iter_npy_blocks(xpath, BLOCK_ROWS, reuse_buffer=True, prefetch=True),
                 iter_npy_blocks(ypath, BLOCK_ROWS))
    model = fit_stream(fr.Ridge(alpha=1.0), blocks)
    model.coef_  # the (lazy) solve is part of the fit
    return model


def _mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) * 1024
    return 0


# -- short --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_npy(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "X.npy"
    xpath, ypath = _write_npy(path, 200_000, 100, seed=0)
    X, y = np.load(xpath), np.load(ypath)
    ref = fr.Ridge(alpha=1.0).fit(X, y)
    return xpath, ypath, X, ref


@pytest.mark.benchmark(group="stream-200k x 100")
def test_small_stream_fastridge(benchmark, small_npy):
    xpath, ypath, _, ref = small_npy
    model = benchmark.pedantic(_stream_fit, args=(xpath, ypath), rounds=5, warmup_rounds=1)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-9, atol=1e-12)


@pytest.mark.benchmark(group="stream-200k x 100")
def test_small_xtx_in_memory(benchmark, small_npy):
    X = small_npy[2]
    G = benchmark.pedantic(lambda: X.T @ X, rounds=5, warmup_rounds=1)
    assert G.shape == (100, 100)


# -- big: 2 000 000 × 200 from a .npy file ----------------------------------------------------

@pytest.fixture(scope="module")
def big_npy():
    path = "/tmp/fastridge_bench_2M_x_200.npy"
    xpath, ypath = _write_npy(path, 2_000_000, 200, seed=1)
    yield xpath, ypath
    for p in (xpath, ypath):
        if os.path.exists(p):
            os.remove(p)


@big
@pytest.mark.benchmark(group="stream-2M x 200")
def test_big_stream_fastridge(benchmark, big_npy):
    xpath, ypath = big_npy
    model = benchmark.pedantic(_stream_fit, args=(xpath, ypath), rounds=3, warmup_rounds=1)
    assert np.isfinite(model.coef_).all() and model.coef_.shape == (200,)


@big
@pytest.mark.benchmark(group="stream-2M x 200")
def test_big_xtx_in_memory(benchmark, big_npy):
    xpath, _ = big_npy
    need = 2 * 3.2e9  # the array plus head room for everyone else on the machine
    whole = _mem_available() > need
    rows = 2_000_000 if whole else 1_000_000
    X = np.load(xpath, mmap_mode="r")[:rows].copy()
    scale = 2_000_000 / rows
    print(f"\nX.T @ X measured on {rows} rows"
          + ("" if whole else f", time ×{scale:g} (MemAvailable {_mem_available() / 1e9:.1f} GB)"))
    if whole:
        G = benchmark.pedantic(lambda: X.T @ X, rounds=3, warmup_rounds=1)
    else:
        def twice():  # two halves' worth of work = the whole file's, extrapolated
            return X.T @ X, X.T @ X
        G = benchmark.pedantic(twice, rounds=3, warmup_rounds=1)[0]
    benchmark.extra_info["rows_measured"] = rows
    assert G.shape == (200, 200)
    del X


@big
def test_big_stream_peak_rss(big_npy):
    """A fresh process streams the 3.2 GB file: peak RSS (VmHWM) must stay under 1 GB."""
    xpath, ypath = big_npy
    code = textwrap.dedent(f"""
        import time
        from threadpoolctl import threadpool_limits
        import numpy as np, fastridge as fr
        from fastridge.stream import fit_stream, iter_npy_blocks
        with threadpool_limits(1, "blas"):
            t = time.perf_counter()
            blocks = zip(iter_npy_blocks({xpath!r}, {BLOCK_ROWS}, reuse_buffer=True,
                                         prefetch=True),
                         iter_npy_blocks({ypath!r}, {BLOCK_ROWS}))
            model = fit_stream(fr.Ridge(alpha=1.0), blocks)
            model.coef_
            t = time.perf_counter() - t
        hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
        print(hwm * 1024, t)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    peak, seconds = out.stdout.split()
    peak = int(peak)
    print(f"\nstreamed 2M x 200 (3.2 GB): peak RSS {peak / 2**20:.0f} MiB, {float(seconds):.2f} s")
    assert peak < 2**30


# -- big: Dask LocalCluster on 1 000 000 × 200 -------------------------------------------------

@pytest.fixture(scope="module")
def dask_1m():
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, memory_limit="3GiB")
    client = distributed.Client(cluster)
    rng = da.random.default_rng(3)
    Xd = rng.standard_normal((1_000_000, 200), chunks=(62_500, 200)) + 3.0
    yd = Xd[:, :10].sum(axis=1) + rng.standard_normal(1_000_000, chunks=62_500)
    Xd, yd = client.persist([Xd, yd])
    distributed.wait([Xd, yd])
    # the same data in this process, gathered chunk by chunk (a single compute would
    # concatenate all 1.6 GB on one worker first)
    X = np.empty(Xd.shape)
    starts = np.concatenate([[0], np.cumsum(Xd.chunks[0])])
    futures = client.compute(list(Xd.to_delayed().ravel()))
    for i, fut in enumerate(futures):
        X[starts[i]:starts[i + 1]] = fut.result()
        fut.release()
    y = client.compute(yd, sync=True)
    yield client, Xd, yd, X, y
    client.close()
    cluster.close()


@big
@pytest.mark.benchmark(group="dask-1M x 200")
def test_dask_local_cluster(benchmark, dask_1m):
    import fastridge.dask as frd
    _, Xd, yd, X, y = dask_1m
    model = benchmark.pedantic(lambda: frd.Ridge(alpha=1.0).fit(Xd, yd), rounds=3,
                               warmup_rounds=1)
    ref = fr.Ridge(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=0,
                               atol=1e-10 * np.abs(ref.coef_).max())


@big
@pytest.mark.benchmark(group="dask-1M x 200")
def test_dask_in_memory_fastridge(benchmark, dask_1m):
    X, y = dask_1m[3], dask_1m[4]
    model = benchmark.pedantic(lambda: fr.Ridge(alpha=1.0).fit(X, y), rounds=3,
                               warmup_rounds=1)
    assert model.coef_.shape == (200,)
