"""What every ``fastridge`` subcommand shares: the user-error type, number checks,
timing with pinned BLAS threads, text tables and the progress line."""
from __future__ import annotations

import contextlib
import sys
import time
from typing import Callable, Sequence

import numpy as np

from .._validation import check_scalar

PROG = "fastridge"


class CLIError(Exception):
    """An error the user can fix; :func:`fastridge.cli.main` prints it as one line, exit 2.

    Examples
    --------
    >>> from fastridge.cli import CLIError
    >>> str(CLIError("no such file: 'x.csv'"))
    "no such file: 'x.csv'"
    """


def check_option(value, option: str, **bounds):
    """:func:`fastridge._validation.check_scalar` for a command-line option: CLIError.

    Examples
    --------
    >>> from fastridge.cli._common import check_option
    >>> check_option(3, "--epochs", low=1, integer=True)
    3
    >>> check_option(-1, "--seed", low=0, integer=True)
    Traceback (most recent call last):
    ...
    fastridge.cli._common.CLIError: --seed must be >= 0; got -1
    """
    try:
        return check_scalar(value, option, **bounds)
    except (TypeError, ValueError) as exc:
        raise CLIError(str(exc)) from None


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------

@contextlib.contextmanager
def one_blas_thread():
    """Pin BLAS to one thread with threadpoolctl when it is installed; yield whether pinned."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield False
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield True


def median_time(fn: Callable[[], object], budget: float = 0.05, repeat: int = 5) -> float:
    """Median seconds per call of ``fn()``, spending about ``budget`` seconds.

    Fast calls are batched so that each of ``repeat`` batches takes ≈ budget/repeat;
    calls slower than that are timed individually, as many times as the budget allows
    (at least once after the warm-up).
    """
    t0 = time.perf_counter()
    fn()  # warm-up (caches, workspace queries)
    first = time.perf_counter() - t0
    if first >= budget / repeat:
        repeat = int(min(repeat, max(1, budget // max(first, 1e-9))))
        number = 1
    else:
        number = max(1, int(budget / repeat / max(first, 1e-7)))
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return float(np.median(times))


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------

def fmt_time(seconds: float) -> str:
    """``seconds`` in µs, ms or s, three significant digits."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def table(rows: Sequence[Sequence[str]], align: str = "") -> str:
    """Fixed-width text table; ``align`` per column, 'l' or 'r' (default: first l, rest r).

    Examples
    --------
    >>> from fastridge.cli._common import table
    >>> print(table([("name", "value"), ("alpha", "1.5")]))
    name   value
    alpha    1.5
    """
    widths = [max(len(str(r[j])) for r in rows) for j in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = []
        for j, cell in enumerate(r):
            a = align[j] if j < len(align) else ("l" if j == 0 else "r")
            cells.append(str(cell).ljust(widths[j]) if a == "l" else str(cell).rjust(widths[j]))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class Progress:
    """Per-epoch progress on stderr: tqdm if installed, else one rewritten line.

    Silent unless ``enabled`` and stderr is a terminal.  ``update(epoch, loss)`` matches
    the ``on_epoch(epoch, loss)`` of :func:`fastridge.sgd.train_relu` (returns None:
    never stops the training).
    """

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()
        self._bar = None
        if self.enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, unit="epoch", file=sys.stderr, leave=False)

    def update(self, epoch: int, loss: float) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(loss=f"{loss:.4g}")
        else:
            sys.stderr.write(f"\repoch {epoch + 1}/{self.total}  loss {loss:.6g}   ")
            sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()
