"""The ``fastridge`` command line: ``demo``, ``fit``, ``sgd`` and ``bench``.

Run ``fastridge --help`` (or ``python -m fastridge --help``) and ``fastridge CMD --help``.

Exit status: 0 on success; 2 for an error the user can fix (missing or malformed file,
unknown column, NaN in the data, a bad α list, matplotlib missing for ``--plot``),
reported as one line on stderr without a traceback.  Output files (``--out``,
``--plot``) are written only after everything succeeded, each to a temporary file in
the same directory and then renamed, so a failed run leaves nothing behind.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

__all__ = ["main", "CLIError", "parse_alphas", "load_table"]

PROG = "fastridge"
#: α grid of ``fastridge fit`` when ``--alphas`` is not given.
DEFAULT_ALPHAS = "logspace:-3:3:13"


class CLIError(Exception):
    """An error the user can fix; :func:`main` prints it as one line and exits with 2.

    Examples
    --------
    >>> from fastridge.cli import CLIError, main
    >>> str(CLIError("no such file: 'x.csv'"))
    "no such file: 'x.csv'"
    """


# --------------------------------------------------------------------------------------
# Inputs: α lists and data files
# --------------------------------------------------------------------------------------

def parse_alphas(tokens: Sequence[str]) -> np.ndarray:
    """Penalties from command-line tokens: numbers, comma lists or ``logspace:a:b:n``.

    Parameters
    ----------
    tokens : sequence of str
        Each token is a number, a comma-separated list of numbers, or
        ``logspace:START:STOP:NUM`` (``numpy.logspace(START, STOP, NUM)``, i.e. powers
        of ten).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,), float64
        In the order given; every α finite and ``>= 0``.

    Raises
    ------
    CLIError
        An empty list, a token that is not a number, a negative or non-finite α.

    Examples
    --------
    >>> from fastridge.cli import parse_alphas
    >>> parse_alphas(["0.1,1", "10"])
    array([ 0.1,  1. , 10. ])
    >>> parse_alphas(["logspace:-1:1:3"])
    array([ 0.1,  1. , 10. ])
    >>> parse_alphas(["1", "-2"])
    Traceback (most recent call last):
    ...
    fastridge.cli.CLIError: --alphas: every α must be finite and >= 0; got -2.0
    """
    values: list[float] = []
    for token in tokens:
        for part in str(token).replace(",", " ").split():
            if part.lower().startswith("logspace:"):
                values.extend(_logspace(part))
                continue
            try:
                values.append(float(part))
            except ValueError:
                raise CLIError(f"--alphas: {part!r} is not a number "
                               "(expected e.g. '0.1,1,10' or 'logspace:-3:3:13')") from None
    if not values:
        raise CLIError("--alphas: expected at least one penalty α >= 0; got an empty list")
    for v in values:
        if not (math.isfinite(v) and v >= 0):
            raise CLIError(f"--alphas: every α must be finite and >= 0; got {v!r}")
    return np.asarray(values, dtype=np.float64)


def _logspace(spec: str) -> list[float]:
    """``logspace:START:STOP:NUM`` → ``numpy.logspace(START, STOP, NUM)``."""
    parts = spec.split(":")[1:]
    try:
        if len(parts) != 3:
            raise ValueError
        start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
        if num < 1 or not (math.isfinite(start) and math.isfinite(stop)):
            raise ValueError
    except ValueError:
        raise CLIError(f"--alphas: {spec!r} is not of the form logspace:START:STOP:NUM "
                       "(e.g. logspace:-3:3:13, NUM >= 1)") from None
    return np.logspace(start, stop, num).tolist()


@dataclass
class Table:
    """A data set read by :func:`load_table`: features, targets and their names."""

    X: np.ndarray  # (n, d) float64
    Y: np.ndarray  # (n, k) float64
    features: list
    targets: list


def _check_finite(A: np.ndarray, path: str, columns: Sequence[str],
                  row_label: Callable[[int], str] = lambda i: f"row {i}") -> None:
    """CLIError naming the first NaN/inf cell of A; ``row_label(i)`` names row i."""
    bad = ~np.isfinite(A)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise CLIError(
            f"{path}: {row_label(i)}, column {columns[j]!r} is {float(A[i, j])!r}; fastridge needs "
            f"finite numbers ({int(bad.sum())} such cell(s); drop or impute them first)"
        )


def _read_csv(path: str):
    """(header, float64 matrix) of a CSV file with a header row; CLIError if malformed."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise CLIError(f"no such file: {path!r}") from None
    except IsADirectoryError:
        raise CLIError(f"{path!r} is a directory, expected a data file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CLIError(f"cannot read {path!r}: {exc}") from None
    numbered = [(line, row) for line, row in enumerate(rows, start=1)
                if any(cell.strip() for cell in row)]
    if not numbered:
        raise CLIError(f"{path}: the file is empty; expected a header row and data rows")
    header = [cell.strip() for cell in numbered[0][1]]
    if len(set(header)) != len(header):
        dup = next(name for name in header if header.count(name) > 1)
        raise CLIError(f"{path}: column name {dup!r} appears more than once in the header")
    body = numbered[1:]
    if not body:
        raise CLIError(f"{path}: no data rows after the header")
    data = np.empty((len(body), len(header)))
    for i, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise CLIError(f"{path}: line {line} has {len(row)} cells but the header has "
                           f"{len(header)}")
        for j, cell in enumerate(row):
            try:
                data[i, j] = float(cell)
            except ValueError:
                shown = cell.strip()
                what = "an empty cell" if not shown else f"{shown!r}, not a number"
                raise CLIError(f"{path}: line {line}, column {header[j]!r}: {what}") from None
    lines = [line for line, _ in body]
    _check_finite(data, path, header, lambda i: f"line {lines[i]}")
    return header, data


def _column_index(token: str, names: Sequence[str], path: str, allow_names: bool) -> int:
    """Index of a --target column: a header name (CSV) or an integer (negative allowed)."""
    if allow_names and token in names:
        return names.index(token)
    try:
        j = int(token)
    except ValueError:
        if allow_names:
            raise CLIError(f"{path}: unknown column {token!r}; columns are: "
                           f"{', '.join(names)}") from None
        raise CLIError(f"{path}: --target must be a column index for .npy data; "
                       f"got {token!r}") from None
    d = len(names)
    if not -d <= j < d:
        raise CLIError(f"{path}: unknown column {token!r}: there are {d} columns "
                       f"(indices 0..{d - 1})")
    return j % d


def _numeric(A, path: str, name: str) -> np.ndarray:
    """A as float64 if it is a real numeric array, else CLIError."""
    A = np.asarray(A)
    if A.dtype.kind not in "biuf":
        raise CLIError(f"{path}: array {name} has dtype {A.dtype}; expected real numbers")
    return A.astype(np.float64)


def _load_array(path: str, loader):
    try:
        return loader(path)
    except FileNotFoundError:
        raise CLIError(f"no such file: {path!r}") from None
    except IsADirectoryError:
        raise CLIError(f"{path!r} is a directory, expected a data file") from None
    except (OSError, ValueError, EOFError) as exc:
        # np.load: not a NumPy file, truncated, or object arrays (allow_pickle=False).
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CLIError(f"cannot read {path!r} as a NumPy file: {first}") from None


def load_table(path: str, targets: Optional[Sequence[str]]) -> Table:
    """Read a data file for ``fastridge fit``: CSV, ``.npy`` or ``.npz``.

    - **CSV** (any other extension is refused): a header row, then one row per sample,
      every cell a number.  ``targets`` are column names (or integer indices); every
      other column is a feature.
    - **.npy**: a 2-D numeric array; ``targets`` are column indices (negative allowed);
      the other columns are features, named ``col<j>``.
    - **.npz**: arrays ``X`` of shape (n, d) and ``y`` of shape (n,) or (n, k);
      optional string arrays ``feature_names`` (d,) and ``target_names`` (k,).
      ``targets``, if given, select columns of ``y`` by name or index.

    Parameters
    ----------
    path : str
    targets : sequence of str or None
        Required for CSV and ``.npy``.

    Returns
    -------
    Table
        ``X`` (n, d) and ``Y`` (n, k), float64 and finite, with names.

    Raises
    ------
    CLIError
        Missing or unreadable file, unsupported extension, unknown target column, a
        cell that is not a number, NaN or infinity, no feature left.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from fastridge.cli import load_table
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = path.write_text("a,b,y\\n1,2,3\\n4,5,6\\n")
    >>> t = load_table(str(path), ["y"])
    >>> t.X.shape, t.features, t.targets
    ((2, 2), ['a', 'b'], ['y'])
    """
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npz":
        return _load_npz(path, targets)
    if ext == ".npy":
        data = _numeric(_load_array(path, lambda p: np.load(p, allow_pickle=False)), path, "")
        if data.ndim != 2:
            raise CLIError(f"{path}: expected a 2-D array (samples × columns); got shape "
                           f"{data.shape}")
        names = [f"col{j}" for j in range(data.shape[1])]
        allow_names = False
        _check_finite(data, path, names)
    elif ext in (".csv", ".txt", ""):
        names, data = _read_csv(path)
        allow_names = True
    else:
        raise CLIError(f"{path}: unsupported file type {ext!r}; expected .csv, .npy or .npz")
    if not targets:
        raise CLIError(f"{path}: say which column is the target with --target COL")
    idx = [_column_index(t, names, path, allow_names) for t in targets]
    if len(set(idx)) != len(idx):
        raise CLIError(f"{path}: the same target column is given twice: {list(targets)}")
    rest = [j for j in range(len(names)) if j not in idx]
    if not rest:
        raise CLIError(f"{path}: no feature columns left after taking the targets")
    return Table(X=np.ascontiguousarray(data[:, rest]), Y=np.ascontiguousarray(data[:, idx]),
                 features=[names[j] for j in rest], targets=[names[j] for j in idx])


def _load_npz(path: str, targets) -> Table:
    def read(p):
        with np.load(p, allow_pickle=False) as z:
            return {key: z[key] for key in z.files}
    arrays = _load_array(path, read)
    missing = [key for key in ("X", "y") if key not in arrays]
    if missing:
        raise CLIError(f"{path}: a .npz file must hold arrays 'X' (n, d) and 'y' (n,) or "
                       f"(n, k); missing {', '.join(missing)} (has: {', '.join(arrays) or 'none'})")
    X, y = _numeric(arrays["X"], path, "X"), _numeric(arrays["y"], path, "y")
    if X.ndim != 2 or y.ndim not in (1, 2) or len(X) != len(y):
        raise CLIError(f"{path}: expected X of shape (n, d) and y of shape (n,) or (n, k); "
                       f"got {X.shape} and {y.shape}")
    Y = y[:, None] if y.ndim == 1 else y
    features = [str(s) for s in arrays.get("feature_names", [f"x{j}" for j in range(X.shape[1])])]
    names = [str(s) for s in arrays.get("target_names",
                                        ["y"] if y.ndim == 1 else [f"y{j}" for j in range(Y.shape[1])])]
    if len(features) != X.shape[1] or len(names) != Y.shape[1]:
        raise CLIError(f"{path}: feature_names/target_names do not match the shapes of X and y")
    _check_finite(X, path, features)
    _check_finite(Y, path, names)
    if targets:
        idx = [_column_index(t, names, path, True) for t in targets]
        Y, names = Y[:, idx], [names[j] for j in idx]
    return Table(X=np.ascontiguousarray(X), Y=np.ascontiguousarray(Y), features=features,
                 targets=names)


# --------------------------------------------------------------------------------------
# Outputs: written only after success, atomically
# --------------------------------------------------------------------------------------

def _check_output_path(path: str, extensions: Sequence[str], option: str) -> str:
    """Validate an output path before any work: known extension, existing directory."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in extensions:
        raise CLIError(f"{option} {path!r}: unsupported extension {ext or '(none)'!r}; "
                       f"expected one of {', '.join(extensions)}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"{option} {path!r}: directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise CLIError(f"{option} {path!r} is a directory; expected a file name")
    return ext


def _atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path``, then rename it to ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _figure_bytes(fig, fmt: str = "png") -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


def _require_matplotlib():
    """The plotting module, or CLIError if matplotlib is missing (checked before work)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError("--plot needs matplotlib, which is not installed; install it with: "
                       "pip install 'fastridge[plot]'") from None
    from . import plotting
    return plotting


# --------------------------------------------------------------------------------------
# Small helpers: timing, progress, formatting
# --------------------------------------------------------------------------------------

@contextlib.contextmanager
def _one_blas_thread():
    """Pin BLAS to one thread with threadpoolctl when it is installed; yield whether pinned."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield False
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield True


def _median_time(fn: Callable[[], object], budget: float = 0.05, repeat: int = 5) -> float:
    """Median seconds per call of ``fn()``, spending about ``budget`` seconds.

    Fast calls are batched so that each of ``repeat`` batches takes ≈ budget/repeat;
    calls slower than that are timed individually, as many times as the budget allows
    (at least once after the warm-up).
    """
    t0 = time.perf_counter()
    fn()  # warm-up (JIT, caches, workspace queries)
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


def _fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def _table(rows: Sequence[Sequence[str]], align: str = "") -> str:
    """Fixed-width text table; ``align`` per column, 'l' or 'r' (default: first l, rest r)."""
    widths = [max(len(str(r[j])) for r in rows) for j in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = []
        for j, cell in enumerate(r):
            a = align[j] if j < len(align) else ("l" if j == 0 else "r")
            cells.append(str(cell).ljust(widths[j]) if a == "l" else str(cell).rjust(widths[j]))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class _Progress:
    """Per-epoch progress on stderr: tqdm if installed, else one rewritten line.

    Silent unless ``enabled`` and stderr is a terminal.  ``update(epoch, loss)`` matches
    the ``callback(epoch, loss)`` of :func:`fastridge.relu_sgd` (returns None: never stops).
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


# --------------------------------------------------------------------------------------
# The ReLU network: data, initialisation, training with snapshots
# --------------------------------------------------------------------------------------

#: Built-in 1-D targets of ``fastridge sgd``: name → (function, x range, known kinks).
FUNCTIONS = {
    "sin": (np.sin, (-math.pi, math.pi), ()),
    "abs": (np.abs, (-2.0, 2.0), (0.0,)),
    "relu-mix": (lambda x: (np.maximum(x + 1.0, 0.0) - 2.0 * np.maximum(x - 0.5, 0.0)
                            + 1.5 * np.maximum(x - 1.5, 0.0)), (-2.0, 3.0), (-1.0, 0.5, 1.5)),
}


def _function_data(spec: str, n: int, noise: float, rng):
    """(x, y, kinks, label) for a built-in function name or a data file with two columns."""
    if spec in FUNCTIONS:
        f, (lo, hi), kinks = FUNCTIONS[spec]
        x = np.linspace(lo, hi, n)
        y = f(x) + (noise * rng.standard_normal(n) if noise else 0.0)
        return x, y, kinks, spec
    ext = os.path.splitext(spec)[1].lower()
    if ext == ".npy":
        data = _numeric(_load_array(spec, lambda p: np.load(p, allow_pickle=False)), spec, "")
        names = ["x", "y"]
    elif ext in (".csv", ".txt"):
        names, data = _read_csv(spec)
    elif not os.path.exists(spec):
        raise CLIError(f"--function {spec!r}: not one of {', '.join(FUNCTIONS)} and no such file")
    else:
        raise CLIError(f"--function {spec!r}: unsupported file type {ext!r}; expected .csv or .npy")
    if data.ndim != 2 or data.shape[1] != 2:
        raise CLIError(f"{spec}: expected two columns (x, y); got shape {data.shape}")
    _check_finite(data, spec, names)
    if len(data) < 2:
        raise CLIError(f"{spec}: expected at least 2 samples; got {len(data)}")
    return data[:, 0].copy(), data[:, 1].copy(), (), os.path.basename(spec)


def _record_every(n: int, epochs: int, target_records: int = 400) -> int:
    """A divisor of n (so records align across per-epoch calls), ≈ total steps / target."""
    want = max(1, n * epochs // target_records)
    if want >= n:
        return n
    return max(k for k in range(1, want + 1) if n % k == 0)


@dataclass
class Training:
    """What :func:`train_relu` returns."""

    params: tuple  # (W1, b, W2) after training
    loss: np.ndarray  # (epochs,)
    elbows: np.ndarray  # (n_records, d)
    record_every: int
    snapshots: dict  # {epoch: (W1, b, W2)}
    seconds: float


def train_relu(x, y, *, hidden: int, epochs: int, lr: float, seed, snapshot_epochs=(),
               on_epoch: Optional[Callable[[int, float], object]] = None) -> Training:
    """Per-sample SGD (shuffled) with parameter snapshots after chosen epochs.

    Training runs in segments between snapshot epochs; one numpy Generator drives all
    shuffles, so the result equals one ``relu_sgd(..., epochs=epochs)`` call.

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.cli import train_relu
    >>> x = np.linspace(-2, 2, 40)
    >>> t = train_relu(x, np.abs(x), hidden=4, epochs=5, lr=0.01, seed=0,
    ...                snapshot_epochs=[1])
    >>> sorted(t.snapshots), t.loss.shape, t.elbows.shape[1]
    ([0, 1, 5], (5,), 4)
    """
    from .sgd import init_network, relu_sgd

    rng = np.random.default_rng(seed)
    params = init_network(x, y, hidden, rng)
    every = _record_every(len(x), epochs)
    stops = sorted({e for e in snapshot_epochs if 0 < e < epochs} | {epochs})
    snapshots = {0: params}
    losses, records = [], []
    done = 0
    t0 = time.perf_counter()
    for stop in stops:
        offset = done
        callback = None if on_epoch is None else (lambda e, loss: on_epoch(offset + e, loss))
        res = relu_sgd(x, y, *params, lr=lr, epochs=stop - done, shuffle=True, seed=rng,
                       record_every=every, callback=callback)
        params = (res.W1, res.b, res.W2)
        losses.append(res.loss)
        records.append(res.elbows if not records else res.elbows[1:])
        snapshots[stop] = params
        done = stop
    seconds = time.perf_counter() - t0
    return Training(params=params, loss=np.concatenate(losses), elbows=np.vstack(records),
                    record_every=every, snapshots=snapshots, seconds=seconds)


def _snapshot_epochs(epochs: int) -> list:
    return sorted({1, max(1, epochs // 10), max(1, epochs // 3), epochs})


def _elbow_report(training: Training, x, kinks, limit: Optional[int] = None) -> str:
    """Table of elbow moves (start → end) of the units, largest output weight first."""
    W1, b, W2 = training.params
    start, end = training.elbows[0], training.elbows[-1]
    lo, hi = float(np.min(x)), float(np.max(x))
    order = np.argsort(-np.abs(W2 * W1))  # slope each unit adds beyond its elbow
    if limit is not None:
        order = order[:limit]
    rows = [("unit", "elbow start", "elbow end", "moved", "on for", "slope W1·W2", "")]
    for i in order:
        inside = lo <= end[i] <= hi if np.isfinite(end[i]) else False
        side = "x > e" if W1[i] > 0 else ("x < e" if W1[i] < 0 else "never")
        rows.append((str(i), f"{start[i]:+.3f}", f"{end[i]:+.3f}", f"{end[i] - start[i]:+.3f}",
                     side, f"{W1[i] * W2[i]:+.3f}", "" if inside else "(outside the data)"))
    text = _table(rows)
    if kinks:
        weight = np.abs(W1 * W2)
        strong = weight >= 0.1 * weight.max() if weight.max() > 0 else np.ones_like(weight, bool)
        notes = []
        for k in kinks:
            cand = np.where(strong & np.isfinite(end), np.abs(end - k), np.inf)
            i = int(np.argmin(cand))
            notes.append(f"kink at {k:+g}: nearest strong elbow {end[i]:+.3f} (unit {i})")
        text += "\n" + "\n".join(notes)
    return text


def _loss_lines(loss: np.ndarray, per_line: int = 10) -> str:
    """The per-epoch losses, ``per_line`` to a line, each line prefixed by its epoch range."""
    lines = []
    for start in range(0, len(loss), per_line):
        chunk = loss[start:start + per_line]
        label = f"epochs {start + 1:>3}-{start + len(chunk):<3}"
        lines.append(f"  {label} " + " ".join(f"{v:.2e}" for v in chunk))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------

def _digits(estimate, certified) -> np.ndarray:
    """Significant digits of each estimate that agree with the certified value (≤ 15.9)."""
    est = np.asarray(estimate, dtype=np.float64)
    cert = np.asarray(certified, dtype=np.float64)
    rel = np.abs(est - cert) / np.abs(cert)
    with np.errstate(divide="ignore"):
        return np.clip(-np.log10(np.maximum(rel, 1e-16)), 0.0, 16.0)


def cmd_demo(args) -> int:
    """``fastridge demo``: Longley ridge + NIST digits + timings, then the ReLU network."""
    import fastridge as fr
    from fastridge import reference
    from fastridge.datasets import load_longley, load_nist

    plotting = _require_matplotlib() if args.plot else None
    if args.plot and os.path.exists(args.plot) and not os.path.isdir(args.plot):
        raise CLIError(f"--plot {args.plot!r} exists and is not a directory")
    figures = {}
    out = sys.stdout

    # ---- 1. ridge on Longley ------------------------------------------------------------
    X, y, names = load_longley()
    n, d = X.shape
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised: comparable coefficients
    yc = y - y.mean()
    alphas = np.logspace(-5, 2, 29)
    print(f"== 1. Ridge on the Longley data: {n} years x {d} regressors, target "
          "total employment ==", file=out)
    print("Regressors standardised (mean 0, std 1) so that their coefficients compare; "
          "the intercept is the mean of y.\n", file=out)
    path = fr.ridge_path(Xs, yc, alphas)  # path.shape = (n_alphas, d)
    cv = fr.RidgeCV(alphas=alphas).fit(Xs, y)
    chosen = float(cv.alpha_)
    short = [n_[:10] for n_ in names]
    print("Ridge trace (coefficients vs α; the chosen α is marked *):", file=out)
    rows = [("α",) + tuple(short) + ("LOO MSE",)]
    show = sorted(set(range(0, len(alphas), 4)) | {len(alphas) - 1,
                                                   int(np.argmin(np.abs(alphas - chosen)))})
    for i in show:
        mark = "*" if alphas[i] == chosen else " "
        rows.append((f"{alphas[i]:.1e}{mark}",) + tuple(f"{c:+.0f}" for c in path[i])
                    + (f"{cv.loo_mse_[i]:.4g}",))
    print(_table(rows), file=out)
    i_best = int(np.argmin(cv.loo_mse_))
    print(f"\nRidgeCV (exact leave-one-out over {len(alphas)} α in "
          f"[{alphas[0]:.0e}, {alphas[-1]:.0e}], one decomposition) picks α = {chosen:.3g}: "
          f"LOO MSE {cv.loo_mse_[i_best]:.4g} vs {cv.loo_mse_[0]:.4g} at α = "
          f"{alphas[0]:.0e} ({cv.loo_mse_[0] / cv.loo_mse_[i_best]:.2f}x worse) and "
          f"{cv.loo_mse_[-1]:.4g} at α = {alphas[-1]:.0e}.", file=out)

    # ---- the α → 0 limit against NIST ------------------------------------------------
    Xn, yn, certified = load_nist("Longley")
    coef0 = fr.lstsq(Xn, yn)
    coef_np = np.linalg.lstsq(Xn, yn, rcond=None)[0]
    dig, dig_np = _digits(coef0, certified), _digits(coef_np, certified)
    print("\nα → 0: fastridge.lstsq on the raw design [1, X] (condition number "
          f"{np.linalg.cond(Xn):.1e}) against NIST's certified coefficients:", file=out)
    rows = [("coefficient", "NIST certified", "fastridge.lstsq", "digits", "numpy digits")]
    for j, label in enumerate(["intercept"] + names):
        rows.append((label, f"{certified[j]:.15g}", f"{coef0[j]:.15g}", f"{dig[j]:.1f}",
                     f"{dig_np[j]:.1f}"))
    print(_table(rows), file=out)
    Xf, yf, cf = load_nist("Filippelli")
    print(f"fastridge.lstsq matches NIST to {dig.min():.1f} significant digits (worst "
          f"coefficient; numpy.linalg.lstsq: {dig_np.min():.1f} digits).  On Filippelli "
          f"(degree-10 polynomial): {_digits(fr.lstsq(Xf, yf), cf).min():.1f} digits vs "
          f"numpy {_digits(np.linalg.lstsq(Xf, yf, rcond=None)[0], cf).min():.1f}.", file=out)

    # ---- timing against the NumPy reference --------------------------------------------
    with _one_blas_thread() as pinned:
        rng = np.random.default_rng(0)
        Xb, yb = rng.standard_normal((2000, 100)), rng.standard_normal(2000)
        cases = [
            ("ridge, Longley 16x6", lambda: fr.ridge(Xs, yc, chosen),
             "reference.ridge_normal_equations", lambda: reference.ridge_normal_equations(Xs, yc, chosen)),
            ("ridge, random 2000x100", lambda: fr.ridge(Xb, yb, 1.0),
             "reference.ridge_normal_equations", lambda: reference.ridge_normal_equations(Xb, yb, 1.0)),
            (f"ridge_path, {len(alphas)} α, 2000x100", lambda: fr.ridge_path(Xb, yb, alphas),
             f"reference.ridge_svd x {len(alphas)}",
             lambda: [reference.ridge_svd(Xb, yb, a) for a in alphas]),
            (f"RidgeCV LOO curve, Longley, {len(alphas)} α",
             lambda: fr.RidgeCV(alphas=alphas).fit(Xs, y),
             f"reference.loo_squared_errors x {len(alphas)}",
             lambda: [reference.loo_squared_errors(Xs, y, a, fit_intercept=True) for a in alphas]),
            ("lstsq, Longley", lambda: fr.lstsq(Xn, yn),
             "reference.lstsq_min_norm", lambda: reference.lstsq_min_norm(Xn, yn)),
        ]
        rows = [("task", "fastridge", "NumPy reference", "", "ratio")]
        for label, fast, ref_name, ref in cases:
            tf, tr = _median_time(fast, budget=0.03), _median_time(ref, budget=0.03)
            rows.append((label, _fmt_time(tf), ref_name, _fmt_time(tr), f"{tr / tf:.2f}x"))
    print(f"\nTime per call (median; BLAS {'pinned to 1 thread' if pinned else 'threads unpinned'};"
          " ratio > 1: fastridge is faster):", file=out)
    print(_table(rows, "lrlrr"), file=out)
    print("(lstsq trades speed for digits: QR plus iterative refinement in extended "
          "precision.)", file=out)
    if plotting is not None:
        figures["longley_ridge.png"] = plotting.plot_ridge_cv(
            alphas, path, cv.loo_mse_, chosen, names=names)

    # ---- 2. the ReLU network -----------------------------------------------------------
    fname, hidden, epochs, lr = "relu-mix", 12, 40, 0.03
    f, (lo, hi), kinks = FUNCTIONS[fname]
    x = np.linspace(lo, hi, 200)
    yv = f(x)
    print(f"\n== 2. A ReLU network, {hidden} hidden units, trained by per-sample SGD on "
          f"{fname} (kinks at {', '.join(f'{k:+g}' for k in kinks)}) ==", file=out)
    tr = train_relu(x, yv, hidden=hidden, epochs=epochs, lr=lr, seed=0,
                    snapshot_epochs=_snapshot_epochs(epochs))
    print(f"{len(x)} samples on [{lo:g}, {hi:g}], lr={lr}, shuffled, {epochs} epochs in "
          f"{_fmt_time(tr.seconds)}.  Mean loss ½(f(x)−y)² per epoch:", file=out)
    print(_loss_lines(tr.loss), file=out)
    print(f"Loss {tr.loss[0]:.3e} → {tr.loss[-1]:.3e}.  Where the elbows −b/W1 moved "
          "(6 units with the largest slope change):", file=out)
    print(_elbow_report(tr, x, kinks, limit=6), file=out)
    if plotting is not None:
        figures["relu_training.png"] = plotting.plot_relu_training(
            x, yv, tr.snapshots, tr.elbows, record_every=tr.record_every, kinks=kinks)
        data = {name: _figure_bytes(fig) for name, fig in figures.items()}
        os.makedirs(args.plot, exist_ok=True)
        for name, png in data.items():
            _atomic_write(os.path.join(args.plot, name), png)
        print(f"\nwrote {', '.join(os.path.join(args.plot, nm) for nm in data)}", file=out)
    return 0


def cmd_fit(args) -> int:
    """``fastridge fit``: RidgeCV on a data file."""
    import fastridge as fr

    alphas = parse_alphas(args.alphas if args.alphas else [DEFAULT_ALPHAS])
    out_ext = _check_output_path(args.out, (".json", ".csv"), "--out") if args.out else None
    t0 = time.perf_counter()
    table = load_table(args.data, args.target)
    t_load = time.perf_counter() - t0
    X, Y = table.X, table.Y
    y = Y[:, 0] if Y.shape[1] == 1 else Y
    n, d = X.shape
    k = Y.shape[1]
    try:
        t0 = time.perf_counter()
        cv = fr.RidgeCV(alphas=alphas, fit_intercept=not args.no_intercept,
                        alpha_per_target=args.alpha_per_target).fit(X, y)
        t_fit = time.perf_counter() - t0
        coef = np.asarray(cv.coef_).reshape(k, d)
        intercept = np.broadcast_to(np.asarray(cv.intercept_, dtype=float), (k,))
        solver = "RidgeCV: one decomposition for all α"
        t_refit = None
        if args.solver is not None:
            t0 = time.perf_counter()
            model = fr.Ridge(alpha=cv.alpha_, fit_intercept=not args.no_intercept,
                             solver=args.solver).fit(X, y)
            t_refit = time.perf_counter() - t0
            coef = np.asarray(model.coef_).reshape(k, d)
            intercept = np.broadcast_to(np.asarray(model.intercept_, dtype=float), (k,))
            solver = f"refit at the chosen α by Ridge(solver={args.solver!r}); ran {model.solver_!r}"
    except (ValueError, TypeError, np.linalg.LinAlgError) as exc:
        raise CLIError(f"{args.data}: {str(exc).splitlines()[0]}") from None
    alpha = np.asarray(cv.alpha_, dtype=float)
    mse = np.asarray(cv.loo_mse_, dtype=float)

    print(f"data: {args.data}: {n} samples, {d} features, {k} target{'s' * (k > 1)} "
          f"({', '.join(table.targets)})")
    print(f"alphas: {len(alphas)} value{'s' * (len(alphas) > 1)} in "
          f"[{alphas.min():.3g}, {alphas.max():.3g}]; "
          f"intercept: {'no' if args.no_intercept else 'yes'}")
    if alpha.ndim == 0:
        i = int(np.argmin(np.abs(alphas - alpha)))
        print(f"chosen α = {float(alpha):.6g}   leave-one-out MSE = {float(-cv.best_score_):.6g}")
        edge = alphas.size > 1 and alpha in (alphas.min(), alphas.max())
    else:
        for name, a, s in zip(table.targets, alpha, np.atleast_1d(cv.best_score_)):
            print(f"chosen α[{name}] = {a:.6g}   leave-one-out MSE = {-s:.6g}")
        edge = alphas.size > 1 and bool(np.isin(alpha, [alphas.min(), alphas.max()]).any())
    if edge:
        print("note: the chosen α is at the edge of the grid; widen --alphas")
    if len(alphas) <= 30:
        print("\nleave-one-out MSE per α:")
        rows = [("α",) + (tuple(table.targets) if mse.ndim == 2 else ("LOO MSE",))]
        for i, a in enumerate(alphas):
            vals = mse[i] if mse.ndim == 2 else [mse[i]]
            chosen = np.any(alpha == a)
            rows.append((f"{a:.4g}{' *' if chosen else '  '}",) + tuple(f"{v:.6g}" for v in vals))
        print(_table(rows))
    print(f"\ncoefficients ({solver}):")
    rows = [("feature",) + tuple(table.targets)]
    if not args.no_intercept:
        rows.append(("(intercept)",) + tuple(f"{v:.8g}" for v in intercept))
    for j, name in enumerate(table.features):
        rows.append((name,) + tuple(f"{coef[t, j]:.8g}" for t in range(k)))
    print(_table(rows))
    timing = f"\ntimings: load {_fmt_time(t_load)}, RidgeCV fit {_fmt_time(t_fit)}"
    if t_refit is not None:
        timing += f", refit {_fmt_time(t_refit)}"
    print(timing)

    if args.out:
        if out_ext == ".json":
            payload = {
                "data": args.data,
                "features": table.features,
                "targets": table.targets,
                "fit_intercept": not args.no_intercept,
                "alphas": alphas.tolist(),
                "alpha": alpha.tolist(),
                "loo_mse": mse.tolist(),
                "best_score": np.asarray(cv.best_score_, dtype=float).tolist(),
                "solver": args.solver or "RidgeCV",
                "intercept": {t: float(intercept[i]) for i, t in enumerate(table.targets)},
                "coef": {t: {f: float(coef[i, j]) for j, f in enumerate(table.features)}
                         for i, t in enumerate(table.targets)},
            }
            data = (json.dumps(payload, indent=2) + "\n").encode()
        else:
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["feature"] + table.targets)
            if not args.no_intercept:
                w.writerow(["(intercept)"] + [repr(float(v)) for v in intercept])
            for j, name in enumerate(table.features):
                w.writerow([name] + [repr(float(coef[t, j])) for t in range(k)])
            data = buf.getvalue().encode()
        _atomic_write(args.out, data)
        print(f"wrote {args.out}")
    return 0


def cmd_sgd(args) -> int:
    """``fastridge sgd``: train the ReLU network on a 1-D function, report the elbows."""
    if args.hidden < 1:
        raise CLIError(f"--hidden must be >= 1; got {args.hidden}")
    if args.epochs < 1:
        raise CLIError(f"--epochs must be >= 1; got {args.epochs}")
    if not (math.isfinite(args.lr) and args.lr > 0):
        raise CLIError(f"--lr must be a finite number > 0; got {args.lr}")
    if args.samples < 2:
        raise CLIError(f"--samples must be >= 2; got {args.samples}")
    if not (math.isfinite(args.noise) and args.noise >= 0):
        raise CLIError(f"--noise must be finite and >= 0; got {args.noise}")
    plotting = None
    if args.plot:
        plotting = _require_matplotlib()
        fmt = _check_output_path(args.plot, (".png", ".pdf", ".svg"), "--plot")[1:]
    rng = np.random.default_rng(args.seed)
    x, y, kinks, label = _function_data(args.function, args.samples, args.noise, rng)
    progress = _Progress(args.epochs, enabled=not args.quiet)
    try:
        tr = train_relu(x, y, hidden=args.hidden, epochs=args.epochs, lr=args.lr,
                        seed=args.seed, snapshot_epochs=_snapshot_epochs(args.epochs),
                        on_epoch=progress.update)
    except FloatingPointError as exc:
        raise CLIError(f"{str(exc).splitlines()[0]}") from None
    finally:
        progress.close()
    print(f"trained {args.hidden} hidden units on {label} ({len(x)} samples, x in "
          f"[{x.min():.3g}, {x.max():.3g}]) for {args.epochs} epochs, lr={args.lr}, "
          f"seed={args.seed}: {_fmt_time(tr.seconds)}")
    if not args.quiet:
        print("mean loss ½(f(x)−y)² per epoch:")
        print(_loss_lines(tr.loss))
    print(f"final loss: {tr.loss[-1]:.6g} (first epoch {tr.loss[0]:.6g})")
    print("elbows −b/W1 (units by the slope they add, largest first):")
    print(_elbow_report(tr, x, kinks))
    if plotting is not None:
        fig = plotting.plot_relu_training(x, y, tr.snapshots, tr.elbows,
                                          record_every=tr.record_every, kinks=kinks)
        _atomic_write(args.plot, _figure_bytes(fig, fmt))
        print(f"wrote {args.plot}")
    return 0


# ---- bench ----------------------------------------------------------------------------

def _numba_peers():
    """njit'd NumPy-style peers, or None when numba is not installed."""
    try:
        from . import _peers
    except ImportError:
        return None
    return {"ridge": _peers.ridge_normal_equations, "relu_sgd": _peers.relu_sgd}


@dataclass
class _Peer:
    name: str
    run: Callable[[], object]
    agrees: Callable[[object], bool]  # does its result match fastridge's?
    scale: float = 1.0  # multiply the measured time (peer timed on a fraction of the work)


def _close(expected, rtol):
    """A check that a result equals ``expected`` to ``rtol`` (relative to its max)."""
    expected = np.asarray(expected, dtype=float)
    atol = rtol * (float(np.max(np.abs(expected))) or 1.0)
    return lambda got: bool(np.allclose(np.asarray(got, dtype=float), expected, rtol=rtol,
                                        atol=atol))


def _bench_cases(quick: bool):
    """``[(case, fastridge callable, [_Peer])]``; data built here, outside the timers."""
    import fastridge as fr
    from fastridge import reference
    from fastridge.sgd import init_network

    try:
        from sklearn import linear_model
    except ImportError:
        linear_model = None
    nb = _numba_peers()
    rng = np.random.default_rng(0)
    cases = []

    sizes = [(100, 10), (2000, 100)] if quick else [(100, 10), (5000, 200), (20000, 500)]
    for n, d in sizes:
        X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
        ok = _close(fr.ridge(X, y, 1.0), 1e-8)
        peers = [_Peer("numpy reference.ridge_normal_equations",
                       lambda X=X, y=y: reference.ridge_normal_equations(X, y, 1.0), ok)]
        if linear_model is not None:
            m = linear_model.Ridge(alpha=1.0, fit_intercept=False, solver="cholesky")
            peers.append(_Peer("scikit-learn Ridge(solver='cholesky')",
                               lambda m=m, X=X, y=y: m.fit(X, y).coef_, ok))
        if nb is not None:
            peers.append(_Peer("numba njit normal equations",
                               lambda X=X, y=y: nb["ridge"](X, y, 1.0), ok))
        cases.append((f"ridge {n}x{d}", lambda X=X, y=y: fr.ridge(X, y, 1.0), peers))

    n, d, n_alphas = (500, 50, 20) if quick else (5000, 200, 50)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    alphas = np.logspace(-3, 3, n_alphas)
    if hasattr(fr, "ridge_path"):
        ok = _close(fr.ridge_path(X, y, alphas), 1e-7)
        peers = [_Peer(f"numpy reference.ridge_svd x {n_alphas}",
                       lambda: np.array([reference.ridge_svd(X, y, a) for a in alphas]), ok)]
        cases.append((f"ridge_path {n}x{d}, {n_alphas} α",
                      lambda: fr.ridge_path(X, y, alphas), peers))
    if hasattr(fr, "RidgeCV") and linear_model is not None:
        ok = _close(fr.RidgeCV(alphas=alphas).fit(X, y).coef_, 1e-6)
        sk = linear_model.RidgeCV(alphas=alphas)
        cases.append((f"RidgeCV {n}x{d}, {n_alphas} α",
                      lambda: fr.RidgeCV(alphas=alphas).fit(X, y),
                      [_Peer("scikit-learn RidgeCV (GCV mode)", lambda: sk.fit(X, y).coef_, ok)]))

    n, hidden, epochs = (500, 32, 4) if quick else (2000, 32, 10)
    x = np.linspace(-2, 2, n)
    yv = np.abs(x)
    W1, b, W2 = init_network(x, yv, hidden, np.random.default_rng(1))
    fast = fr.relu_sgd(x, yv, W1, b, W2, lr=0.01, epochs=epochs)
    one = fr.relu_sgd(x, yv, W1, b, W2, lr=0.01, epochs=1)
    # The NumPy reference is a Python loop (~1000x slower): time one epoch, scale by epochs.
    peers = [_Peer(f"numpy reference.relu_sgd (1 epoch, x{epochs})",
                   lambda: reference.relu_sgd(x, yv, W1, b, W2, lr=0.01, epochs=1),
                   lambda res: _close(one.W2, 1e-9)(res.W2), scale=float(epochs))]
    if nb is not None:
        peers.append(_Peer("numba njit loop",
                           lambda: nb["relu_sgd"](x, yv, W1, b, W2, 0.01, epochs),
                           lambda res: _close(fast.W2, 1e-9)(res[2])))
    cases.append((f"relu_sgd n={n} d={hidden}, {epochs} epochs",
                  lambda: fr.relu_sgd(x, yv, W1, b, W2, lr=0.01, epochs=epochs), peers))
    return cases


def cmd_bench(args) -> int:
    """``fastridge bench``: fastridge vs NumPy reference / scikit-learn / numba."""
    import fastridge as fr

    budget = 0.05 if args.quick else 0.3
    rows = [("case", "fastridge", "peer", "peer time", "peer / fastridge")]
    t_start = time.perf_counter()
    with _one_blas_thread() as pinned:
        for label, fast, peers in _bench_cases(args.quick):
            tf = _median_time(fast, budget=budget)
            for j, peer in enumerate(peers):
                agrees = peer.agrees(peer.run())
                tp = _median_time(peer.run, budget=budget) * peer.scale
                rows.append((label if j == 0 else "", _fmt_time(tf) if j == 0 else "",
                             peer.name, _fmt_time(tp),
                             f"{tp / tf:.2f}" + ("" if agrees else "  (RESULTS DIFFER)")))
    print(f"fastridge {fr.__version__} benchmark ({'quick' if args.quick else 'full'}); BLAS "
          f"{'pinned to 1 thread (threadpoolctl)' if pinned else 'threads NOT pinned (install threadpoolctl)'}; "
          "median time per call; ratio > 1: fastridge is faster.")
    print(_table(rows, "lrlrr"))
    missing = [name for name, mod in (("scikit-learn", "sklearn"), ("numba", "numba"))
               if not _importable(mod)]
    if missing:
        print(f"not installed, skipped: {', '.join(missing)} (pip install 'fastridge[bench]')")
    print(f"total {time.perf_counter() - t_start:.1f} s")
    return 0


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------------------
# Parser and entry point
# --------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    """The ``fastridge`` argument parser with its four subcommands.

    Examples
    --------
    >>> from fastridge.cli import build_parser
    >>> build_parser().parse_args(["sgd", "--epochs", "5"]).epochs
    5
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Fast, checked ridge regression and per-sample ReLU SGD.",
        epilog="Run 'fastridge COMMAND --help' for the options of a command.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser(
        "demo", help="ridge on the Longley data and a ReLU network on a 1-D function",
        description="Ridge on Longley's data: the ridge trace, the exact leave-one-out "
                    "curve and the α RidgeCV picks, the α → 0 fit against NIST's certified "
                    "coefficients, timings against the NumPy reference; then a ReLU network "
                    "trained by per-sample SGD, with its loss per epoch and how its elbows "
                    "moved.  Takes a few seconds.")
    p.add_argument("--plot", metavar="DIR",
                   help="write longley_ridge.png and relu_training.png into DIR "
                        "(created if missing; needs matplotlib)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "fit", help="RidgeCV on a CSV / .npy / .npz file",
        description="Fit fastridge.RidgeCV (exact leave-one-out over a grid of α) and print "
                    "the chosen α, the leave-one-out error, the coefficients and timings.",
        epilog="DATA formats: CSV with a header row (targets by column name); .npy, a 2-D "
               "array (targets by column index, e.g. --target -1); .npz with arrays X "
               "(n, d) and y (n,) or (n, k), optional string arrays feature_names and "
               "target_names (--target then optional, selecting columns of y).  --alphas "
               "takes numbers, comma lists or logspace:START:STOP:NUM (powers of ten); "
               f"default {DEFAULT_ALPHAS}.  Exit status 2 on bad input; nothing is written then.")
    p.add_argument("data", metavar="DATA", help="data file: .csv, .npy or .npz")
    p.add_argument("--target", action="append", metavar="COL",
                   help="target column (repeat for several targets: multi-target ridge)")
    p.add_argument("--alphas", nargs="+", metavar="A",
                   help=f"penalties to try (default {DEFAULT_ALPHAS})")
    p.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    p.add_argument("--alpha-per-target", action="store_true",
                   help="choose α separately for each target")
    p.add_argument("--solver", choices=("auto", "primal", "dual", "svd"),
                   help="refit at the chosen α with fastridge.Ridge and this solver "
                        "(default: RidgeCV's own coefficients)")
    p.add_argument("--out", metavar="FILE",
                   help="write the coefficients to FILE: .json or .csv (by extension)")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser(
        "sgd", help="train the ReLU network on a 1-D function by per-sample SGD",
        description="Train f(x) = Σ W2_i relu(W1_i x + b_i) by per-sample SGD (shuffled "
                    "each epoch) and report the loss and where the elbows −b/W1 moved.")
    p.add_argument("--function", default="relu-mix", metavar="NAME|FILE",
                   help=f"one of {', '.join(FUNCTIONS)} (default relu-mix), or a .csv "
                        "(header row) / .npy file with two columns x, y")
    p.add_argument("--hidden", type=int, default=32, help="hidden units (default 32)")
    p.add_argument("--epochs", type=int, default=50, help="passes over the data (default 50)")
    p.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="seed of initialisation and shuffling")
    p.add_argument("--samples", type=int, default=200,
                   help="grid points for a built-in function (default 200)")
    p.add_argument("--noise", type=float, default=0.0,
                   help="std of Gaussian noise added to a built-in function (default 0)")
    p.add_argument("--plot", metavar="FILE",
                   help="write the fit at several epochs and the elbows over training to "
                        "FILE (.png, .pdf or .svg; needs matplotlib)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar and no per-epoch losses")
    p.set_defaults(func=cmd_sgd)

    p = sub.add_parser(
        "bench", help="time fastridge against NumPy, scikit-learn and numba",
        description="Time fastridge against the NumPy reference and, where installed, "
                    "scikit-learn and numba, with BLAS pinned to one thread (threadpoolctl), "
                    "and print peer/fastridge time ratios.  Every timed result is checked.")
    p.add_argument("--quick", action="store_true", help="small sizes; a few seconds")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``fastridge`` command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 for a user error (one line on stderr), 130 on Ctrl-C.

    Examples
    --------
    >>> import contextlib, io
    >>> from fastridge.cli import main
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     status = main(["fit", "no-such-file.csv", "--target", "y"])
    >>> status, err.getvalue().strip()
    (2, "fastridge fit: error: no such file: 'no-such-file.csv'")
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CLIError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `fastridge demo | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")
        return 0
