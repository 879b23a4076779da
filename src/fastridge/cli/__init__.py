"""The ``fastridge`` command line: ``demo``, ``fit``, ``sgd`` and ``bench``.

Run ``fastridge --help`` (or ``python -m fastridge --help``) and ``fastridge CMD --help``.

Exit status: 0 on success; 2 for an error the user can fix (missing or malformed file,
unknown column, NaN in the data, a bad α list or option value, an output path that
cannot be written or that names an input, matplotlib missing for ``--plot``), reported
as one line on stderr without a traceback.  Output paths (``--out``, ``--plot``) are
checked before any work, and the files are written whole (to a temporary name, then
renamed) before the report is printed: a failed run leaves nothing behind, and a run
whose stdout reader goes away (``fastridge fit ... | head``) still writes them.

The package's rooms: :mod:`._inputs` (α lists, data files, column selection),
:mod:`._outputs` (stdout, output paths, atomic writes), :mod:`._common` (the error type,
option checks, timing, tables) and one module per subcommand.  Training and solving are
library code (:func:`fastridge.sgd.train_relu`, :class:`fastridge.RidgeCV`).
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from . import _bench, _demo, _fit, _sgd
from ._common import PROG, CLIError
from ._inputs import load_table, parse_alphas
from ._outputs import silence_stdout

__all__ = ["main", "build_parser", "CLIError", "parse_alphas", "load_table"]


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
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in (_demo, _fit, _sgd, _bench):
        command.add_parser(sub)
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
        0 on success (also when stdout's reader left early: the files asked for are
        written all the same), 2 for a user error (one line on stderr), 130 on Ctrl-C.

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
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # here, not at exit, where a closed pipe would print a traceback
        return status
    except CLIError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # stdout's reader left (`fastridge demo | head`)
        silence_stdout()
        return 0
