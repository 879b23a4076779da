"""Fit ridge on data that does not fit in memory: read blocks, accumulate, solve once.

:func:`iter_npy_blocks` reads a ``.npy`` file block by block with plain ``readinto``
calls at the array's offset in the file (no memory map: touched pages of a map count
toward the process's resident memory), so memory stays at one or two blocks whatever
the file's size.  :func:`fit_stream` feeds any iterable of blocks to an estimator's
``partial_fit`` (``fastridge.Ridge`` or ``fastridge.RidgeCV``), which keeps only the
sufficient statistics.

Pair X and y with :func:`iter_npy_pairs`, which checks that both files hold the same
number of rows before reading any, or with :func:`zip_strict` for other streams.  Plain
``zip(iter_npy_blocks("X.npy", b), iter_npy_blocks("y.npy", b))`` is *not* safe: when
one file has more rows, ``zip`` stops at the shorter one and the extra rows are
silently left out of the fit.

Examples
--------
>>> import numpy as np, tempfile, os, fastridge as fr
>>> from fastridge.stream import iter_npy_pairs, fit_stream
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((1000, 3)); y = X @ [1.0, 2.0, 3.0] + 5.0
>>> tmp = tempfile.mkdtemp()
>>> np.save(os.path.join(tmp, "X.npy"), X); np.save(os.path.join(tmp, "y.npy"), y)
>>> blocks = iter_npy_pairs(os.path.join(tmp, "X.npy"), os.path.join(tmp, "y.npy"), 300)
>>> model = fit_stream(fr.Ridge(alpha=1e-8), blocks)
>>> model.coef_.round(6), round(model.intercept_, 6)
(array([1., 2., 3.]), 5.0)
"""
from __future__ import annotations

import os
import queue
import threading
from typing import Iterable, Iterator, Optional

import numpy as np

from ._validation import check_scalar

__all__ = ["iter_npy_blocks", "iter_npy_pairs", "zip_strict", "fit_stream", "npy_info"]


def npy_info(path):
    """``(shape, dtype, fortran_order, data_offset)`` of a ``.npy`` file's array.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
    >>> np.save(path, np.zeros((4, 3), dtype=np.float32))
    >>> npy_info(path)
    ((4, 3), dtype('float32'), False, 128)
    """
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:  # (3, 0): utf-8 field names; same layout
            shape, fortran, dtype = np.lib.format._read_array_header(f, version)
        offset = f.tell()
    if dtype.hasobject:
        raise ValueError(f"{path} holds an object array; only plain numeric arrays stream")
    if len(shape) not in (1, 2):
        raise ValueError(f"{path} holds an array of shape {shape}; expected 1-D or 2-D")
    return shape, dtype, fortran, offset


def _read_exact(f, view) -> None:
    """Fill the writable memoryview ``view`` from the raw file ``f`` (short reads retried)."""
    got = 0
    total = view.nbytes
    while got < total:
        r = f.readinto(view[got:])
        if not r:
            raise EOFError(f"the file ended {total - got} bytes early")
        got += r


def _blocks(path, block_rows, start, stop, reuse_buffer):
    shape, dtype, fortran, offset = npy_info(path)
    n = shape[0]
    d = shape[1] if len(shape) == 2 else 1
    stop = n if stop is None else min(stop, n)
    item = dtype.itemsize
    native = dtype.newbyteorder("=")
    buf = None
    with open(path, "rb", buffering=0) as f:
        for r0 in range(start, stop, block_rows):
            m = min(block_rows, stop - r0)
            order = "F" if fortran and len(shape) == 2 else "C"
            if buf is None or not reuse_buffer or buf.shape[0] != m:
                out = np.empty((m,) + tuple(shape[1:]), dtype=dtype, order=order)
                if reuse_buffer and m == block_rows:
                    buf = out
            else:
                out = buf
            raw = memoryview(out.reshape(-1, order="A")).cast("B")
            if order == "C":  # rows are contiguous in the file: one read
                f.seek(offset + r0 * d * item)
                _read_exact(f, raw)
            else:  # column j of the block sits at (j·n + r0)·item
                for j in range(d):
                    f.seek(offset + (j * n + r0) * item)
                    _read_exact(f, raw[j * m * item:(j + 1) * m * item])
            yield out if dtype == native else out.astype(native)


def _prefetched(gen_factory, depth):
    """Run a block generator in a thread, ``depth`` blocks ahead (the GIL is released
    while it reads)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def worker():
        try:
            for block in gen_factory():
                while not stop.is_set():
                    try:
                        q.put(block, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)

    t = threading.Thread(target=worker, name="fastridge-npy-reader", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join()


def iter_npy_blocks(path: "str | os.PathLike", block_rows: int = 65536, *, start: int = 0,
                    stop: Optional[int] = None, reuse_buffer: bool = False,
                    prefetch: bool = False) -> Iterator[np.ndarray]:
    """Yield consecutive blocks of rows of a ``.npy`` file in bounded memory.

    Reads with ``readinto`` at the array's offset in the file — never a memory map,
    whose touched pages would count toward the process's resident memory until
    unmapped — so resident memory is one block (two or three with ``prefetch``).

    Parameters
    ----------
    path : str or path-like
        A ``.npy`` file holding a 1-D or 2-D numeric array (C- or Fortran-ordered; a
        Fortran-ordered file is read one column segment at a time).
    block_rows : int, default=65536
        Rows per block (the last block may be shorter), an integer ≥ 1 (Python or
        NumPy; floats and bools are refused with a ``TypeError``).  65536 rows of 200
        float64 columns is 100 MB.
    start, stop : int, optional
        Read only rows ``start:stop`` (integers, ``0 <= start <= stop``; a ``stop``
        beyond the file's end reads to the end).
    reuse_buffer : bool, default=False
        Read every block into the same array (no allocation, no page faults per
        block).  A yielded block is then valid only until the next one is requested:
        right for ``partial_fit``, which keeps nothing of it.
    prefetch : bool, default=False
        Read the next block in a background thread while the caller works on the
        current one (three rotating buffers when ``reuse_buffer``).

    Yields
    ------
    ndarray of shape (m, n_columns) or (m,)
        In the file's dtype (native byte order).

    Raises
    ------
    TypeError
        If ``block_rows``, ``start`` or ``stop`` is not an integer.
    ValueError
        If ``block_rows < 1``, ``start < 0`` or ``stop < start``.

    See Also
    --------
    iter_npy_pairs : X and y blocks from two files, their row counts checked first.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
    >>> np.save(path, np.arange(10.0).reshape(5, 2))
    >>> [b.tolist() for b in iter_npy_blocks(path, 2)]
    [[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]], [[8.0, 9.0]]]
    """
    block_rows, start, stop = _check_rows(block_rows, start, stop)
    if not prefetch:
        return _blocks(path, block_rows, start, stop, reuse_buffer)
    npy_info(path)  # fail here, not in the thread
    if not reuse_buffer:
        return _prefetched(lambda: _blocks(path, block_rows, start, stop, False), 1)

    return _prefetched(_rotating_reader(path, block_rows, start, stop), 1)


def _rotating_reader(path, block_rows, start, stop):
    """Factory of a reader filling three rotating buffers.  Block i lives in buffer
    i % 3: the consumer holds i, the queue (depth 1) holds i + 1, the reader fills
    i + 2; it comes back to buffer i % 3 only after the consumer asked for block i + 2,
    i.e. is done with block i."""

    def gen():
        shape, dtype, fortran, offset = npy_info(path)
        n = shape[0]
        d = shape[1] if len(shape) == 2 else 1
        end = n if stop is None else min(stop, n)
        item = dtype.itemsize
        order = "F" if fortran and len(shape) == 2 else "C"
        bufs = [np.empty((block_rows,) + tuple(shape[1:]), dtype=dtype, order=order)
                for _ in range(3)]
        native = dtype.newbyteorder("=")
        with open(path, "rb", buffering=0) as f:
            for i, r0 in enumerate(range(start, end, block_rows)):
                m = min(block_rows, end - r0)
                out = bufs[i % 3] if m == block_rows else np.empty(
                    (m,) + tuple(shape[1:]), dtype=dtype, order=order)
                raw = memoryview(out.reshape(-1, order="A")).cast("B")
                if order == "C":
                    f.seek(offset + r0 * d * item)
                    _read_exact(f, raw)
                else:
                    for j in range(d):
                        f.seek(offset + (j * n + r0) * item)
                        _read_exact(f, raw[j * m * item:(j + 1) * m * item])
                yield out if dtype == native else out.astype(native)
    return gen


def _check_rows(block_rows, start, stop):
    """``block_rows``, ``start``, ``stop`` as Python ints, or an error naming the argument."""
    block_rows = check_scalar(block_rows, "block_rows", low=1, integer=True)
    start = check_scalar(start, "start", low=0, integer=True)
    if stop is not None:
        stop = check_scalar(stop, "stop", low=0, integer=True)
        if stop < start:
            raise ValueError(f"stop must be >= start; got start={start}, stop={stop}")
    return block_rows, start, stop


def zip_strict(*iterables, names=None):
    """``zip`` that raises when one iterable runs out before the others.

    The same as ``zip(*iterables, strict=True)`` of Python 3.10+, for every Python
    fastridge supports, and with the lengths in the message.  Use it to pair block
    streams for :func:`fit_stream`: with plain ``zip`` the extra blocks of a longer
    stream are silently dropped.

    Parameters
    ----------
    *iterables : iterable
        The streams to pair, e.g. X blocks and y blocks.
    names : sequence of str, optional
        One name per iterable for the error message (default "stream 0", "stream 1", …).

    Yields
    ------
    tuple
        One item of each iterable.

    Raises
    ------
    ValueError
        When some iterables are exhausted and others are not, naming which ended and
        after how many items.

    Examples
    --------
    >>> list(zip_strict("ab", [1, 2]))
    [('a', 1), ('b', 2)]
    >>> list(zip_strict("abc", [1, 2], names=["X blocks", "y blocks"]))
    Traceback (most recent call last):
        ...
    ValueError: y blocks ended after 2 items but X blocks had more; paired streams must have the same length
    """
    iterators = [iter(it) for it in iterables]
    if names is None:
        names = [f"stream {j}" for j in range(len(iterators))]
    elif len(names) != len(iterators):
        raise ValueError(f"got {len(names)} names for {len(iterators)} iterables")
    if not iterators:
        return
    end = object()
    count = 0
    while True:
        items = tuple(next(it, end) for it in iterators)
        ended = [name for name, item in zip(names, items) if item is end]
        if len(ended) == len(items):
            return
        if ended:
            longer = [name for name, item in zip(names, items) if item is not end]
            raise ValueError(
                f"{' and '.join(ended)} ended after {count} item{'s' * (count != 1)} but "
                f"{' and '.join(longer)} had more; paired streams must have the same length"
            )
        yield items
        count += 1


def iter_npy_pairs(X_path: "str | os.PathLike", y_path: "str | os.PathLike",
                   block_rows: int = 65536, *,
                   sample_weight_path: "Optional[str | os.PathLike]" = None,
                   start: int = 0, stop: Optional[int] = None, reuse_buffer: bool = False,
                   prefetch: bool = False) -> Iterator[tuple]:
    """Yield ``(X, y)`` (or ``(X, y, sample_weight)``) blocks of rows from ``.npy`` files.

    The safe way to stream a data set stored as separate files into :func:`fit_stream`:
    the files' headers are read first and their numbers of rows must agree (a
    ``ValueError`` names both files and both counts), and the blocks are then paired by
    :func:`zip_strict`, so a file that changes while it is read cannot shorten the
    stream either.  Each file is read as by :func:`iter_npy_blocks`.

    Parameters
    ----------
    X_path : str or path-like
        ``.npy`` file with the 2-D design matrix (rows are samples).
    y_path : str or path-like
        ``.npy`` file with the targets, 1-D or 2-D, as many rows as X.
    block_rows : int, default=65536
        Rows per block (the last block may be shorter); an integer ≥ 1.
    sample_weight_path : str or path-like, optional
        ``.npy`` file with one weight per row (1-D); the blocks are then triples.
    start, stop : int, optional
        Read only rows ``start:stop`` of every file.
    reuse_buffer, prefetch : bool, default=False
        As in :func:`iter_npy_blocks`, applied to every file.

    Yields
    ------
    tuple of ndarray
        ``(X_block, y_block)`` or ``(X_block, y_block, sample_weight_block)``, with the
        same number of rows.

    Raises
    ------
    ValueError
        If the files hold different numbers of rows, X is not 2-D or the weights not
        1-D (before anything is read), or for the reasons of :func:`iter_npy_blocks`.
    TypeError
        If ``block_rows``, ``start`` or ``stop`` is not an integer.

    Examples
    --------
    >>> import numpy as np, tempfile, os, fastridge as fr
    >>> tmp = tempfile.mkdtemp()
    >>> X_path, y_path = os.path.join(tmp, "X.npy"), os.path.join(tmp, "y.npy")
    >>> np.save(X_path, np.ones((5, 2))); np.save(y_path, np.arange(5.0))
    >>> [(X.shape, y.tolist()) for X, y in iter_npy_pairs(X_path, y_path, 2)]
    [((2, 2), [0.0, 1.0]), ((2, 2), [2.0, 3.0]), ((1, 2), [4.0])]
    >>> np.save(y_path, np.arange(6.0))
    >>> iter_npy_pairs(X_path, y_path, 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: X file .../X.npy has 5 rows but y file .../y.npy has 6; they must match
    """
    block_rows, start, stop = _check_rows(block_rows, start, stop)
    paths = {"X": X_path, "y": y_path}
    if sample_weight_path is not None:
        paths["sample_weight"] = sample_weight_path
    shapes = {name: npy_info(path)[0] for name, path in paths.items()}
    if len(shapes["X"]) != 2:
        raise ValueError(f"X file {os.fspath(X_path)} holds an array of shape "
                         f"{shapes['X']}; expected 2-D (rows are samples)")
    if "sample_weight" in shapes and len(shapes["sample_weight"]) != 1:
        raise ValueError(f"sample_weight file {os.fspath(sample_weight_path)} holds an "
                         f"array of shape {shapes['sample_weight']}; expected 1-D")
    n = shapes["X"][0]
    for name in list(paths)[1:]:
        if shapes[name][0] != n:
            raise ValueError(f"X file {os.fspath(X_path)} has {n} rows but {name} file "
                             f"{os.fspath(paths[name])} has {shapes[name][0]}; they must match")
    streams = [iter_npy_blocks(path, block_rows, start=start, stop=stop,
                               reuse_buffer=reuse_buffer, prefetch=prefetch)
               for path in paths.values()]
    return zip_strict(*streams, names=[f"{name} file {os.fspath(path)}"
                                       for name, path in paths.items()])


def _with_block_context(exc: Exception, i: int) -> Optional[Exception]:
    """A copy of ``exc``, same class, whose message starts with ``block i: ``; or None
    when the class cannot be rebuilt from one message (then the caller adds a note)."""
    message = f"block {i}: {exc}"
    if len(exc.args) != 1 or not isinstance(exc.args[0], str):
        return None
    try:
        new = type(exc)(message)
    except Exception:  # a constructor with other arguments
        return None
    if type(new) is not type(exc) or str(new) != message:  # e.g. KeyError quotes its message
        return None
    new.__dict__.update(exc.__dict__)  # attributes set on the original (notes too)
    return new


def _add_note(exc: BaseException, note: str) -> None:
    """``exc.add_note(note)`` (Python 3.11+); before 3.11, the same ``__notes__`` list."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # shown by pytest and the exceptiongroup backport, ignored by plain tracebacks
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]


def fit_stream(model, blocks: Iterable, **partial_fit_params):
    """Call ``model.partial_fit`` on every block; return the model.

    Parameters
    ----------
    model : estimator with ``partial_fit``
        ``fastridge.Ridge`` or ``fastridge.RidgeCV`` (any with ``partial_fit(X, y,
        sample_weight=None, ...)``).  It continues its current stream, if any.
    blocks : iterable of tuples
        ``(X, y)`` or ``(X, y, sample_weight)`` per block.  For ``.npy`` files use
        ``iter_npy_pairs("X.npy", "y.npy", b)``, which checks the files' row counts
        first; for other block streams pair them with ``zip_strict(X_blocks,
        y_blocks)``.  Plain ``zip`` silently drops the rows of the longer stream.
    **partial_fit_params
        Passed to every call (e.g. ``n_splits`` for RidgeCV).

    Returns
    -------
    model

    Raises
    ------
    Exception
        Whatever ``partial_fit`` raises, of the same class, with ``"block i: "``
        prepended to its message and the original chained as ``__cause__`` (an
        exception that cannot be rebuilt from a message is re-raised itself, with a
        note naming the block).  The model then holds the statistics of the blocks
        before it.
    ValueError
        If a block is not a tuple of 2 or 3 arrays, or (from :func:`zip_strict`) paired
        streams have different lengths.
    TypeError
        If ``model`` has no ``partial_fit``.

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> X = np.arange(12.0).reshape(6, 2) ** 0.5
    >>> y = X @ np.array([2.0, -1.0]) + 1.0
    >>> model = fit_stream(fr.Ridge(alpha=1e-9), [(X[:3], y[:3]), (X[3:], y[3:])])
    >>> model.coef_.round(4), round(model.intercept_, 4)
    (array([ 2., -1.]), 1.0)
    """
    if not callable(getattr(model, "partial_fit", None)):
        raise TypeError(f"model must have a partial_fit method (fastridge.Ridge or "
                        f"fastridge.RidgeCV); got {type(model).__name__}")
    for i, block in enumerate(blocks):
        if not isinstance(block, tuple) or len(block) not in (2, 3):
            raise ValueError(
                f"block {i}: expected a tuple (X, y) or (X, y, sample_weight); "
                f"got {type(block).__name__}"
                + (f" of length {len(block)}" if isinstance(block, tuple) else "")
            )
        try:
            model.partial_fit(*block, **partial_fit_params)
        except Exception as exc:
            in_block = _with_block_context(exc, i)
            if in_block is None:
                _add_note(exc, f"raised by partial_fit on block {i} of fit_stream")
                raise
            raise in_block from exc
    return model
