"""``python -m direkt_tui`` is the ``direkt-tui`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
