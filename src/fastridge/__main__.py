"""``python -m fastridge`` and the ``fastridge`` console script: the command line.

See :mod:`fastridge.cli`.
"""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
