"""One BLAS thread for the phases made of many small BLAS/LAPACK calls.

OpenBLAS splits every call it considers large enough over its threads and synchronises
them at its end.  A LAPACK eigendecomposition (?syevd) is hundreds of level-2 calls
(?sytrd's ?symv/?syr2); a loop over small row blocks is dozens of small GEMMs.  Each
synchronisation costs more than the second core gives back, and on cores shared with
other processes each waits for a descheduled thread: ``scipy.linalg.eigh`` of a
500×500 matrix took 0.66 s on one thread and 5.8–43 s on two on this project's 2-core
machine under load.  Such phases run inside :func:`serial`; the few big GEMMs of an
engine run outside it and use every thread.

:func:`serial` sets the thread count of the OpenBLAS libraries loaded in the process
(NumPy's and SciPy's) to one and restores it afterwards, as ``threadpoolctl`` does
(which is not a run-time dependency).  The setting is process-wide while it lasts: other
Python threads calling BLAS meanwhile also run on one thread (slower, never wrong).
Engines that want more cores split their big products into independent blocks and run
them on Python threads themselves (:func:`map_serial`).
Nested and concurrent uses count their depth; the last to leave restores.  Only Linux
builds of OpenBLAS are recognised (found in ``/proc/self/maps``); elsewhere — MKL,
Accelerate, BLIS, another OS — :func:`serial` does nothing.
"""
from __future__ import annotations

import ctypes
import sys

import numpy as np
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

__all__ = ["serial", "small", "workers", "map_serial", "Work", "SMALL_FLOPS"]

#: A BLAS call of fewer floating-point operations than this (≈ 30 ms of one core) is
#: "small": a phase made of such calls runs in :func:`serial`.
SMALL_FLOPS = 1e9

# (get, set) symbol pairs, as NumPy's and SciPy's wheels (prefix scipy_, suffix 64_ for
# 64-bit integers) and plain OpenBLAS builds name them.
_SYMBOLS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)

_lock = threading.Lock()
_depth = 0
_saved: list = []
_libs = None


def _find_libraries():
    """``[(get, set), ...]`` of the OpenBLAS libraries loaded in this process."""
    found = []
    if not sys.platform.startswith("linux"):
        return found
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split(None, 5)[5].strip() for line in maps
                            if "openblas" in line.lower() and len(line.split(None, 5)) == 6})
    except OSError:
        return found
    for path in paths:
        if not path.startswith("/"):
            continue
        try:
            lib = ctypes.CDLL(path)  # already loaded: the same handle, not a new copy
        except OSError:
            continue
        for get_name, set_name in _SYMBOLS:
            get, put = getattr(lib, get_name, None), getattr(lib, set_name, None)
            if get is not None and put is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                put.restype, put.argtypes = None, [ctypes.c_int]
                found.append((get, put))
                break
    return found


def _libraries():
    global _libs
    if _libs is None:
        _libs = _find_libraries()
    return _libs


@contextmanager
def serial(enabled: bool = True):
    """Run the body with one OpenBLAS thread (when ``enabled``); see the module docstring."""
    global _depth, _saved
    libs = _libraries() if enabled else ()
    if not libs:
        yield
        return
    with _lock:
        if _depth == 0:
            _saved = [get() for get, _ in libs]
            for (_, put), count in zip(libs, _saved):
                if count != 1:
                    put(1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for (_, put), count in zip(libs, _saved):
                    if count != 1:
                        put(count)


def small(flops: float) -> bool:
    """Whether a call of ``flops`` operations belongs in a :func:`serial` phase."""
    return flops < SMALL_FLOPS


def workers(tasks: int) -> int:
    """How many Python threads may run ``tasks`` independent serial-BLAS tasks at once:
    the thread count BLAS had before (1 when the user pinned it), at most ``tasks``."""
    libs = _libraries()
    if not libs:
        return 1
    with _lock:
        counts = _saved if _depth else [get() for get, _ in libs]
    return max(1, min(tasks, max(counts)))


def map_serial(fn, items, parallel: bool = True):
    """``[fn(item) for item in items]``, each call on one BLAS thread, the calls spread
    over :func:`workers` Python threads (``parallel``) — for independent tasks whose
    BLAS calls and compiled loops release the GIL and that write to disjoint outputs.

    Parallel blocks of our own instead of BLAS's threads: no thread spins between calls,
    the elementwise passes between the GEMMs run in parallel too, and on shared cores
    each task waits for no other."""
    items = list(items)
    nw = workers(len(items)) if parallel else 1
    with serial():
        if nw <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(nw) as pool:
            return list(pool.map(fn, items))


class Work:
    """Work buffers of one task, reused by every GEMM it runs (``matmul(out=...)``).

    A fresh 64 MiB result per product costs its page faults each time, and threads of
    one process fault in turn; a task allocates its buffers once and keeps them."""

    def __init__(self):
        self._bufs = {}

    def get(self, name, shape, dtype):
        size = int(np.prod(shape))
        buf = self._bufs.get((name, np.dtype(dtype)))
        if buf is None or buf.size < size:
            buf = np.empty(max(size, 1), dtype)
            self._bufs[(name, np.dtype(dtype))] = buf
        return buf[:size].reshape(shape)


def _test_centred(Yb, test):
    """``Y_E − mean(Y_E)`` from the test rows themselves (a constant fold gives exact 0)."""
    Yt = _cvfolds.centred_rows(Yb, test, None)
    Yt -= Yt.mean(axis=0)
    return Yt


_NO_ROWS = np.empty((0, 1))
_NO_W = np.empty(0)
