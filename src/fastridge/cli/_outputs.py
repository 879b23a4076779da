"""Where the command line's results go: stdout, and the files named by ``--out``/``--plot``.

Two promises, kept here and nowhere else:

- **A file the user asked for is written, whatever happens to stdout.**  :func:`say` is
  ``print`` for a reader that may leave (``fastridge fit ... | head -1``): the first
  ``BrokenPipeError`` points stdout at ``/dev/null`` and the run carries on.
- **A file is either complete or absent.**  Output paths are checked before any work
  (:func:`check_output_file`, :func:`check_output_dir`: extension, directory, that a file
  can be created there, that it is not one of the inputs); :func:`atomic_write` then
  writes each file to a temporary name in the same directory and renames it, so a
  failed or concurrent run never leaves a half-written or mixed file.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from typing import Mapping, Sequence

from ._common import CLIError


# --------------------------------------------------------------------------------------
# stdout
# --------------------------------------------------------------------------------------

def say(*args, **kwargs) -> None:
    """``print`` to stdout; once its reader has gone, stdout becomes ``/dev/null``.

    The command keeps running, so the files it was asked to write are still written.
    """
    try:
        print(*args, **kwargs)
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    """Point the stdout file descriptor at ``/dev/null`` (pending output goes there)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests, IDEs)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


# --------------------------------------------------------------------------------------
# Output paths: checked before any work
# --------------------------------------------------------------------------------------

def _probe(directory: str, option: str, path: str) -> None:
    """CLIError unless a file can be created in ``directory`` (tried, then removed)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".fastridge-probe.", dir=directory)
    except OSError as exc:
        raise CLIError(f"{option} {path!r}: cannot create a file in {directory!r} "
                       f"({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(tmp)


def _same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` are one file (same device and inode)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def check_output_file(path: str, extensions: Sequence[str], option: str,
                      inputs: Sequence[str] = ()) -> str:
    """Check an output file name before any work; return its extension (lower case).

    Refused: an extension not in ``extensions``, a directory, a missing parent
    directory, a directory where no file can be created, and a path that is the same
    file as one of ``inputs`` (also through a link or another spelling).

    Examples
    --------
    >>> import os, tempfile
    >>> from fastridge.cli._outputs import check_output_file
    >>> d = tempfile.mkdtemp()
    >>> check_output_file(os.path.join(d, "coef.JSON"), (".json", ".csv"), "--out")
    '.json'
    >>> data = os.path.join(d, "data.csv")
    >>> _ = open(data, "w").write("a,y\\n1,2\\n")
    >>> check_output_file(os.path.join(d, ".", "data.csv"), (".json", ".csv"), "--out",
    ...                   inputs=[data])
    Traceback (most recent call last):
    ...
    fastridge.cli._common.CLIError: --out '...data.csv' is the input file '...'; writing ...
    """
    ext = os.path.splitext(path)[1].lower()
    if ext not in extensions:
        raise CLIError(f"{option} {path!r}: unsupported extension {ext or '(none)'!r}; "
                       f"expected one of {', '.join(extensions)}")
    if os.path.isdir(path):
        raise CLIError(f"{option} {path!r} is a directory; expected a file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"{option} {path!r}: directory {directory!r} does not exist")
    for source in inputs:
        if _same_file(path, source):
            raise CLIError(f"{option} {path!r} is the input file {source!r}; writing it "
                           "would destroy the data (choose another name)")
    _probe(directory, option, path)
    return ext


def check_output_dir(path: str, option: str) -> None:
    """Check a directory to write into (created at the end if missing) before any work."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise CLIError(f"{option} {path!r} exists and is not a directory")
    existing = os.path.abspath(path)
    while not os.path.exists(existing):  # the nearest ancestor that exists
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise CLIError(f"{option} {path!r}: {existing!r} is not a directory")
    _probe(existing, option, path)


# --------------------------------------------------------------------------------------
# Writing: all files complete, or none changed
# --------------------------------------------------------------------------------------

def atomic_write(files: Mapping[str, bytes], option: str) -> None:
    """Write ``{path: data}``: every file to a temporary name beside it, then rename all.

    Nothing is renamed until every file is written, so an error (disk full, a directory
    that became read-only) leaves the old files as they were and no temporary behind;
    it is reported as a :class:`CLIError` naming ``option``.  A directory that is
    missing is created first.
    """
    pending = []  # (tmp, path), written but not yet renamed
    path, renamed = "", 0
    try:
        for path, data in files.items():
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                                       dir=directory)
            pending.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        while pending:
            tmp, path = pending[0]
            os.replace(tmp, path)
            pending.pop(0)
            renamed += 1
    except OSError as exc:
        done = "nothing was written" if not renamed else f"only {renamed} of {len(files)} written"
        raise CLIError(f"{option}: cannot write {path!r} ({exc.strerror or exc}); "
                       f"{done}") from None
    finally:
        for tmp, _ in pending:  # left only if something failed
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------

def require_matplotlib():
    """:mod:`fastridge.plotting`, or CLIError if matplotlib is missing (checked before work)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError("--plot needs matplotlib, which is not installed; install it with: "
                       "pip install 'fastridge[plot]'") from None
    from .. import plotting
    return plotting


def figure_bytes(fig, fmt: str = "png") -> bytes:
    """The figure rendered in ``fmt`` (png, pdf, svg)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()
