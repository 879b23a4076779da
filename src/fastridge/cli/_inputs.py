"""What the command line reads: α lists, and data files with their column selection.

Every problem is a :class:`CLIError` naming the file, the line and the column, so that
``fastridge fit`` can report it in one line.  Only the columns a command uses are
converted to numbers: an ID or text column that is dropped is never parsed.
"""
from __future__ import annotations

import csv
import os
import shlex
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from ._common import CLIError, check_option

#: Most penalties ``--alphas`` may ask for (each costs O(d·k) or O(n·k) after one
#: decomposition; beyond this the grid is a typo, e.g. a misplaced logspace count).
MAX_ALPHAS = 10_000


# --------------------------------------------------------------------------------------
# α lists
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
        In the order given; every α finite and ``>= 0``; at most :data:`MAX_ALPHAS`.

    Raises
    ------
    CLIError
        An empty list, a token that is not a number, a negative or non-finite α, more
        than :data:`MAX_ALPHAS` penalties.

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
    fastridge.cli._common.CLIError: --alphas must be >= 0; got -2.0
    """
    values: list[float] = []
    for token in tokens:
        for part in str(token).replace(",", " ").split():
            if part.lower().startswith("logspace:"):
                values.extend(_logspace(part, room=MAX_ALPHAS - len(values)))
                continue
            try:
                values.append(float(part))
            except ValueError:
                raise CLIError(f"--alphas: {part!r} is not a number "
                               "(expected e.g. '0.1,1,10' or 'logspace:-3:3:13')") from None
    if not values:
        raise CLIError("--alphas: expected at least one penalty α >= 0; got an empty list")
    _check_count(len(values))
    return np.array([check_option(v, "--alphas", low=0) for v in values])


def _check_count(count: int, spec: str = "") -> None:
    if count > MAX_ALPHAS:
        what = f"{spec!r} asks for {count} penalties" if spec else f"{count} penalties given"
        raise CLIError(f"--alphas: {what}; at most {MAX_ALPHAS} are allowed "
                       "(e.g. logspace:-3:3:13)")


def _logspace(spec: str, room: int) -> list[float]:
    """``logspace:START:STOP:NUM`` → ``numpy.logspace(START, STOP, NUM)``; NUM <= room."""
    parts = spec.split(":")[1:]
    try:
        if len(parts) != 3:
            raise ValueError
        start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
        if num < 1 or not (np.isfinite(start) and np.isfinite(stop)):
            raise ValueError
    except ValueError:
        raise CLIError(f"--alphas: {spec!r} is not of the form logspace:START:STOP:NUM "
                       "(e.g. logspace:-3:3:13, NUM >= 1)") from None
    _check_count(num + MAX_ALPHAS - room, spec)  # before allocating anything
    return np.logspace(start, stop, num).tolist()


# --------------------------------------------------------------------------------------
# Column selection: --target, --features, --drop
# --------------------------------------------------------------------------------------

def split_columns(text: Optional[str]) -> Optional[list]:
    """``"id, name,3"`` → ``["id", "name", "3"]`` (None stays None)."""
    if text is None:
        return None
    return [token.strip() for token in text.split(",")]


def _column(token: str, names: Sequence[str], path: str, option: str, by_name: bool) -> int:
    """Index of one column: a header name (when ``by_name``) or a 0-based index (-1 last)."""
    if by_name and token in names:
        return names.index(token)
    try:
        j = int(token)
    except ValueError:
        if not by_name:
            raise CLIError(f"{path}: {option} must be a column index for .npy data; "
                           f"got {token!r}") from None
        raise CLIError(f"{path}: {option}: unknown column {token!r}; columns are: "
                       f"{', '.join(names)}") from None
    d = len(names)
    if not -d <= j < d:
        raise CLIError(f"{path}: {option}: unknown column {token!r}: there are {d} "
                       f"columns (indices 0..{d - 1})")
    return j % d


def _columns(tokens: Sequence[str], names, path, option, by_name) -> list:
    idx = [_column(t, names, path, option, by_name) for t in tokens]
    for a, j in enumerate(idx):
        if j in idx[:a]:
            raise CLIError(f"{path}: {option}: column {names[j]!r} is given twice "
                           f"({', '.join(tokens)})")
    return idx


def select_columns(names: Sequence[str], path: str, *, targets: Sequence[str] = (),
                   features: Optional[Sequence[str]] = None,
                   drop: Optional[Sequence[str]] = None, by_name: bool = True):
    """``(feature indices, target indices)`` of a table with columns ``names``.

    Targets come first; the features are ``features`` (in that order) if given, else
    every other column; columns in ``drop`` are then left out.

    Examples
    --------
    >>> from fastridge.cli._inputs import select_columns
    >>> select_columns(["id", "a", "b", "y"], "d.csv", targets=["y"], drop=["id"])
    ([1, 2], [3])
    >>> select_columns(["id", "a", "b", "y"], "d.csv", targets=["y"], features=["2", "a"])
    ([2, 1], [3])
    """
    t_idx = _columns(targets, names, path, "--target", by_name)
    if features is not None:
        f_idx = _columns(features, names, path, "--features", by_name)
        both = [names[j] for j in f_idx if j in t_idx]
        if both:
            raise CLIError(f"{path}: --features: column {both[0]!r} is also the target")
    else:
        f_idx = [j for j in range(len(names)) if j not in t_idx]
    if drop is not None:
        d_idx = _columns(drop, names, path, "--drop", by_name)
        if any(j in t_idx for j in d_idx):
            raise CLIError(f"{path}: --drop: column {names[next(j for j in d_idx if j in t_idx)]!r}"
                           " is the target; it cannot be dropped")
        f_idx = [j for j in f_idx if j not in d_idx]
    if not f_idx:
        raise CLIError(f"{path}: no feature columns left after taking the targets"
                       + (" and dropping --drop" if drop else ""))
    return f_idx, t_idx


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------

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


def _open_error(path: str, exc: Exception) -> CLIError:
    if isinstance(exc, FileNotFoundError):
        return CLIError(f"no such file: {path!r}")
    if isinstance(exc, IsADirectoryError):
        return CLIError(f"{path!r} is a directory, expected a data file")
    return CLIError(f"cannot read {path!r}: {exc}")


def read_csv(path: str):
    """``(header, [(line number, cells)])`` of a CSV file with a header row, as text."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _open_error(path, exc) from None
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
    for line, row in body:
        if len(row) != len(header):
            raise CLIError(f"{path}: line {line} has {len(row)} cells but the header has "
                           f"{len(header)}")
    return header, body


def csv_numbers(path: str, header, body, columns: Sequence[int],
                targets: Sequence[int] = ()) -> np.ndarray:
    """The cells of ``columns`` as a finite float64 matrix (rows × len(columns))."""
    order = sorted(columns)  # convert in file order: the first bad cell on a line is named
    data = np.empty((len(body), len(order)))
    for i, (line, row) in enumerate(body):
        for c, j in enumerate(order):
            try:
                data[i, c] = float(row[j])
            except ValueError:
                raise CLIError(f"{path}: line {line}, column {header[j]!r}: "
                               f"{_not_a_number(row[j], header[j], j in targets)}") from None
    _check_finite(data, path, [header[j] for j in order], lambda i: f"line {body[i][0]}")
    return data[:, [order.index(j) for j in columns]]


def _not_a_number(cell: str, name: str, is_target: bool) -> str:
    shown = cell.strip()
    what = "an empty cell" if not shown else f"{shown!r}, not a number"
    if is_target:
        return f"{what}; a target column must hold numbers"
    return (f"{what}; leave the column out with --drop {shlex.quote(name)} "
            "or list the feature columns with --features")


def _numeric(A, path: str, name: str) -> np.ndarray:
    """A as float64 if it is a real numeric array, else CLIError."""
    A = np.asarray(A)
    if A.dtype.kind not in "biuf":
        raise CLIError(f"{path}: array {name} has dtype {A.dtype}; expected real numbers")
    return A.astype(np.float64)


def _load_numpy(path: str, read):
    try:
        return read(path)
    except (OSError, ValueError, EOFError) as exc:
        # np.load: not a NumPy file, truncated, or object arrays (allow_pickle=False).
        if isinstance(exc, (FileNotFoundError, IsADirectoryError)):
            raise _open_error(path, exc) from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CLIError(f"cannot read {path!r} as a NumPy file: {first}") from None


def _load_npy(path: str) -> np.ndarray:
    data = _numeric(_load_numpy(path, lambda p: np.load(p, allow_pickle=False)), path, "")
    if data.ndim != 2:
        raise CLIError(f"{path}: expected a 2-D array (samples × columns); got shape "
                       f"{data.shape}")
    return data


def load_table(path: str, targets: Optional[Sequence[str]],
               features: Optional[Sequence[str]] = None,
               drop: Optional[Sequence[str]] = None) -> Table:
    """Read a data file for ``fastridge fit``: CSV, ``.npy`` or ``.npz``.

    - **CSV** (``.csv``, ``.txt`` or no extension): a header row, then one row per
      sample.  ``targets``, ``features`` and ``drop`` are column names or 0-based
      indices; only the target and feature columns must hold numbers.
    - **.npy**: a 2-D numeric array; columns by index (negative allowed), named
      ``col<j>``.
    - **.npz**: arrays ``X`` of shape (n, d) and ``y`` of shape (n,) or (n, k); optional
      string arrays ``feature_names`` (d,) and ``target_names`` (k,).  ``targets``, if
      given, select columns of ``y``; ``features``/``drop`` select columns of ``X``.

    Parameters
    ----------
    path : str
    targets : sequence of str or None
        Required for CSV and ``.npy``.
    features, drop : sequence of str, optional
        The feature columns (default: every column that is not a target), and columns
        to leave out of them.

    Returns
    -------
    Table
        ``X`` (n, d) and ``Y`` (n, k), float64 and finite, with names.

    Raises
    ------
    CLIError
        Missing or unreadable file, unsupported extension, unknown column, a used cell
        that is not a number, NaN or infinity, no feature left.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from fastridge.cli import load_table
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = path.write_text("id,a,b,y\\nA7,1,2,3\\nB2,4,5,6\\n")
    >>> t = load_table(str(path), ["y"], drop=["id"])
    >>> t.X.shape, t.features, t.targets
    ((2, 2), ['a', 'b'], ['y'])
    """
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npz":
        return _load_npz(path, targets, features, drop)
    if ext not in (".npy", ".csv", ".txt", ""):
        raise CLIError(f"{path}: unsupported file type {ext!r}; expected .csv, .npy or .npz")
    if ext == ".npy":
        data = _load_npy(path)
        names = [f"col{j}" for j in range(data.shape[1])]
    else:
        names, body = read_csv(path)
    if not targets:
        raise CLIError(f"{path}: say which column is the target with --target COL")
    f_idx, t_idx = select_columns(names, path, targets=targets, features=features, drop=drop,
                                  by_name=ext != ".npy")
    if ext == ".npy":
        _check_finite(data[:, t_idx + f_idx], path, [names[j] for j in t_idx + f_idx])
        X, Y = data[:, f_idx], data[:, t_idx]
    else:
        used = csv_numbers(path, names, body, t_idx + f_idx, targets=t_idx)
        Y, X = used[:, :len(t_idx)], used[:, len(t_idx):]
    return Table(X=np.ascontiguousarray(X), Y=np.ascontiguousarray(Y),
                 features=[names[j] for j in f_idx], targets=[names[j] for j in t_idx])


def _load_npz(path: str, targets, features, drop) -> Table:
    def read(p):
        with np.load(p, allow_pickle=False) as z:
            return {key: z[key] for key in z.files}
    arrays = _load_numpy(path, read)
    missing = [key for key in ("X", "y") if key not in arrays]
    if missing:
        raise CLIError(f"{path}: a .npz file must hold arrays 'X' (n, d) and 'y' (n,) or "
                       f"(n, k); missing {', '.join(missing)} (has: {', '.join(arrays) or 'none'})")
    X, y = _numeric(arrays["X"], path, "X"), _numeric(arrays["y"], path, "y")
    if X.ndim != 2 or y.ndim not in (1, 2) or len(X) != len(y):
        raise CLIError(f"{path}: expected X of shape (n, d) and y of shape (n,) or (n, k); "
                       f"got {X.shape} and {y.shape}")
    Y = y[:, None] if y.ndim == 1 else y
    fnames = [str(s) for s in arrays.get("feature_names", [f"x{j}" for j in range(X.shape[1])])]
    default = ["y"] if y.ndim == 1 else [f"y{j}" for j in range(Y.shape[1])]
    tnames = [str(s) for s in arrays.get("target_names", default)]
    if len(fnames) != X.shape[1] or len(tnames) != Y.shape[1]:
        raise CLIError(f"{path}: feature_names/target_names do not match the shapes of X and y")
    f_idx, _ = select_columns(fnames, path, features=features, drop=drop)
    t_idx = (_columns(targets, tnames, path, "--target", True) if targets
             else list(range(len(tnames))))
    X, Y = X[:, f_idx], Y[:, t_idx]
    fnames, tnames = [fnames[j] for j in f_idx], [tnames[j] for j in t_idx]
    _check_finite(X, path, fnames)
    _check_finite(Y, path, tnames)
    return Table(X=np.ascontiguousarray(X), Y=np.ascontiguousarray(Y), features=fnames,
                 targets=tnames)


def load_xy(path: str, option: str):
    """``(x, y)`` from a ``.csv`` (header row) or ``.npy`` file with two numeric columns."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npy":
        data = _load_npy(path)
        if data.shape[1] != 2:
            raise CLIError(f"{path}: expected two columns (x, y); got shape {data.shape}")
        _check_finite(data, path, ["x", "y"])
    elif ext in (".csv", ".txt"):
        names, body = read_csv(path)
        if len(names) != 2:
            raise CLIError(f"{path}: expected two columns (x, y); got {len(names)}: "
                           f"{', '.join(names)}")
        data = csv_numbers(path, names, body, [0, 1])
    else:
        raise CLIError(f"{option} {path!r}: unsupported file type {ext!r}; "
                       "expected .csv or .npy")
    if len(data) < 2:
        raise CLIError(f"{path}: expected at least 2 samples; got {len(data)}")
    return data[:, 0].copy(), data[:, 1].copy()
