"""``python -m linreg``: see ``linreg.cli``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
