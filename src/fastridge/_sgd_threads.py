"""The threads of relu_sgd_many: independent jobs on Python threads whose compiled loops
release the GIL.

Used by :func:`fastridge.relu_sgd_many`: job ``i`` trains network ``i`` through the
one-network driver (``fastridge._sgd.run_epochs``), which runs without the GIL, so the
threads run in parallel on as many cores.

Ctrl-C: only the main thread handles signals, and the OS may deliver SIGINT to any
thread.  So the calling thread does no work itself: it waits for the workers in short
slices (:data:`_WAIT`), which lets Python run the signal handler there soon whichever
thread received the signal.  On any exception while waiting (``KeyboardInterrupt``) it
sets the *stop flag*, a C int that every worker's compiled loop reads between chunks of
steps (~25 ms of work), waits for the workers to return, and re-raises.
"""
from __future__ import annotations

import os
import threading
from typing import Callable, Optional

import numpy as np

__all__ = ["available_cores", "run_indexed"]

# Seconds the calling thread sleeps between two looks at its workers (and at signals).
_WAIT = 0.05


def available_cores() -> int:
    """Cores this process may run on (``os.sched_getaffinity``, else ``os.cpu_count``).

    Examples
    --------
    >>> available_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def run_indexed(job: Callable[[int, Optional[np.ndarray]], bool], count: int,
                n_threads: int) -> None:
    """Call ``job(i, stop_flag)`` for ``i = 0 .. count − 1`` on ``n_threads`` threads.

    Jobs are started in increasing ``i``, each on the next free thread.  A job returns
    True to say that no job after it needs to run (it failed, and the caller reports the
    first failure): jobs after it that have not started are skipped, and every job before
    it still runs, so the first failing ``i`` does not depend on the timing.

    ``stop_flag`` is a (1,) C-int array to pass to the compiled loop, which returns
    early once it is non-zero; it is None when the jobs run in the calling thread
    (``n_threads == 1``), where the compiled loop checks for signals itself.

    An exception raised by a job stops the others (through the flag) and is re-raised
    here once every worker has returned (the one of the lowest ``i`` if several).

    Examples
    --------
    >>> done = []
    >>> run_indexed(lambda i, flag: done.append(i) or i == 2, 6, n_threads=1)
    >>> done
    [0, 1, 2]
    """
    if n_threads <= 1 or count <= 1:
        for i in range(count):
            if job(i, None):
                return
        return
    flag = np.zeros(1, dtype=np.intc)  # the stop flag: non-zero = stop
    lock = threading.Lock()
    state = {"next": 0, "end": count}  # next job to start; jobs >= end are skipped
    errors = {}

    def worker(finished):
        try:
            while not flag[0]:
                with lock:
                    i = state["next"]
                    if i >= state["end"]:
                        return
                    state["next"] = i + 1
                try:
                    last = job(i, flag)
                except BaseException as exc:  # noqa: B036 - handed to the calling thread
                    with lock:
                        errors[i] = exc
                    flag[0] = 1
                    return
                if last:
                    with lock:
                        state["end"] = min(state["end"], i + 1)
        finally:
            finished.set()

    # Waiting on Events, not Thread.join: in Python 3.11 an exception (Ctrl-C) inside
    # join() can mark a thread that is still running as stopped (bpo-45274).
    finished = [threading.Event() for _ in range(min(n_threads, count))]
    threads = [threading.Thread(target=worker, args=(done,), name=f"fastridge-worker-{k}",
                                daemon=True) for k, done in enumerate(finished)]
    started = []
    try:
        for t, done in zip(threads, finished):
            t.start()
            started.append(done)
        for done in finished:
            while not done.wait(_WAIT):  # wakes up to run signal handlers (Ctrl-C) here
                pass
    except BaseException:
        flag[0] = 1  # every worker returns within one chunk of steps
        for done in started:
            done.wait()
        raise
    finally:
        for t, done in zip(threads, finished):
            if done.is_set():
                t.join()  # ended (or ending): returns at once
    if errors:
        raise errors[min(errors)]
