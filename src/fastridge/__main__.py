"""``python -m fastridge``: the command line (see :mod:`fastridge.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
